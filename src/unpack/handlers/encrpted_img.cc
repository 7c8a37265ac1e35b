// File: unpack/handlers/encrpted_img.cc
// D-Link "encrpted_img" firmware (DIR-X1560, DIR-X5460, DIR-X4860 and kin): a 16-byte header (the
// magic, misspelt so, and the big-endian size of what follows) in front of a UBI image encrypted
// with AES-256-CBC under the key and IV D-Link's imgdecrypt uses (published by EMBA, unblob and
// binwalk), each 128 KiB erase block on its own. The plaintext goes into a blob the engine scans.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/handlers/vendor_crypto.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kEncImgHeader = 16;
constexpr std::uint64_t kEncImgPeb = 0x20000;
constexpr std::uint64_t kEncImgBlock = 16;
constexpr std::uint64_t kEncImgProbe = 64;  // a UBI erase-counter header
constexpr char kEncImgKey[] = "he9-4+M!)d6=m~we1,q2a3d1n&2*Z^%8";
constexpr char kEncImgIv[] = "J%1iQl8$=lm-;8AE";
// A UBI erase-counter header's first 16 bytes as ubinize writes them: "UBI#", version 1, erase
// count 0 (unblob puts these in where an erase block's first cipher block does not decrypt).
constexpr std::uint8_t kEncImgUbiHead[16] = {'U', 'B', 'I', '#', 1, 0, 0, 0,
                                             0,   0,   0,   0,   0, 0, 0, 0};

ByteView EncImgKey() {
  return ByteView(reinterpret_cast<const std::uint8_t*>(kEncImgKey), sizeof kEncImgKey - 1);
}
ByteView EncImgIv() {
  return ByteView(reinterpret_cast<const std::uint8_t*>(kEncImgIv), sizeof kEncImgIv - 1);
}

struct EncImgInfo {
  std::uint32_t size = 0;
};

class EncrptedImgHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "encrpted_img",
        "D-Link encrpted_img firmware (AES-256-CBC UBI image)",
        "Magic \"encrpted_img\" and the big-endian size of the ciphertext that follows the "
        "16-byte header (a whole number of 16-byte blocks, at least 64, inside the data). The "
        "ciphertext is AES-256-CBC with D-Link's published key and IV, each 128 KiB erase block "
        "encrypted on its own. Before the chunk is claimed its first 64 bytes are decrypted and "
        "must hold a UBI erase-counter header's offsets (VID header offset and data offset, "
        "multiples of 8, the first below the second, both inside the erase block). Each erase "
        "block is decrypted with the IV into a blob the engine scans; where a block's first 16 "
        "bytes do not give \"UBI#\" (neither restarting from the IV nor chained to the previous "
        "block), the header ubinize writes is put in as unblob does, with one warning naming "
        "the first such block and the count.",
        {"unblob unblob/handlers/archive/dlink/encrpted_img.py (key, IV, erase-block size)",
         "EMBA content/posts/dlink_enc_img.md and P11 D-Link extractor"},
        "Only UBI payloads are recognised (the probe checks a UBI header); the 128 KiB erase "
        "block size is fixed, as in the reference tools. A put-in header assumes erase count 0."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"encrpted_img", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto h = Slice(data, offset, kEncImgHeader + kEncImgProbe);
    if (!h) return MakeError(Errc::kNotThisFormat, "short header");
    EncImgInfo info;
    info.size = LoadBe<std::uint32_t>(h->data() + 12);
    if (info.size < kEncImgProbe || info.size % kEncImgBlock != 0 ||
        !Fits(data.size(), offset + kEncImgHeader, info.size)) {
      return MakeError(Errc::kNotThisFormat, "size");
    }
    std::uint8_t probe[kEncImgProbe];
    if (!handlers::DecryptBlocks("AES-256-CBC", EncImgKey(), EncImgIv(),
                                 h->subspan(kEncImgHeader, kEncImgProbe), probe)) {
      return MakeError(Errc::kNotThisFormat, "decryption");
    }
    const std::uint32_t vid_at = LoadBe<std::uint32_t>(probe + 16);
    const std::uint32_t data_at = LoadBe<std::uint32_t>(probe + 20);
    if (vid_at < kEncImgProbe || vid_at % 8 != 0 || data_at % 8 != 0 || vid_at >= data_at ||
        data_at >= kEncImgPeb) {
      return MakeError(Errc::kNotThisFormat, "not a UBI image");
    }
    Chunk c;
    c.offset = offset;
    c.length = kEncImgHeader + info.size;
    c.description = fmt::format("D-Link encrpted_img, AES-256-CBC, {} bytes of UBI", info.size);
    c.state = info;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& info = std::any_cast<const EncImgInfo&>(chunk.state);
    const ByteView cipher = ctx.view().subspan(chunk.offset + kEncImgHeader, info.size);
    auto blob = ctx.NewBlob("decrypted");
    if (!blob) return blob.error();
    std::uint64_t put_in = 0, first_put_in = 0;
    for (std::uint64_t at = 0; at < cipher.size(); at += kEncImgPeb) {
      const ByteView peb =
          cipher.subspan(at, std::min<std::uint64_t>(kEncImgPeb, cipher.size() - at));
      bool first = true;
      auto s = handlers::DecryptStream(
          "AES-256-CBC", EncImgKey(), EncImgIv(), peb, [&](ByteView piece) -> Status {
            if (!first || piece.size() < kEncImgBlock) return (*blob)->Write(piece);
            first = false;
            std::uint8_t head[kEncImgBlock];
            std::memcpy(head, piece.data(), kEncImgBlock);
            if (std::memcmp(head, "UBI#", 4) != 0 && at != 0) {
              // Chained to the previous block instead of the IV: P = D(C) ^ prev = head ^ IV ^
              // prev.
              std::uint8_t chained[kEncImgBlock];
              for (std::size_t i = 0; i < kEncImgBlock; ++i)
                chained[i] = head[i] ^ EncImgIv()[i] ^ cipher[at - kEncImgBlock + i];
              if (std::memcmp(chained, "UBI#", 4) == 0) std::memcpy(head, chained, kEncImgBlock);
            }
            if (std::memcmp(head, "UBI#", 4) != 0) {
              if (put_in++ == 0) first_put_in = at;
              std::memcpy(head, kEncImgUbiHead, kEncImgBlock);
            }
            if (auto w = (*blob)->Write(ByteView(head, kEncImgBlock)); !w) return w;
            return (*blob)->Write(piece.subspan(kEncImgBlock));
          });
      if (!s) {
        ctx.Warn(chunk.offset + kEncImgHeader + at,
                 "encrpted_img decryption stopped: " + s.error().what);
        break;
      }
    }
    ctx.DoneWith(chunk.offset, chunk.length);
    if (put_in != 0) {
      ctx.Warn(chunk.offset + kEncImgHeader + first_put_in,
               fmt::format("encrpted_img: {} erase block(s) did not decrypt to a UBI header at "
                           "their start; the header ubinize writes was put in",
                           put_in));
    }
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeEncrptedImgHandler() { return std::make_unique<EncrptedImgHandler>(); }

}  // namespace iotcop::unpack
