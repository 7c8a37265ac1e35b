// File: unpack/handlers/shrs.cc
// D-Link SHRS encrypted firmware (DIR-822, DIR-842, DIR-867, DIR-878, DIR-882 and kin): a
// 0x6DC-byte big-endian header (plain and cipher lengths, the AES-128-CBC IV, three SHA-512
// digests, two signatures) in front of the ciphertext, encrypted with the key D-Link's own
// imgdecrypt derives (published since 2020). The ciphertext's digest is checked in Identify; the
// plaintext goes into a blob the engine scans, its two digests checked while it is written.
#include <cstring>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/handlers/vendor_crypto.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kShrsHeader = 0x6DC;
constexpr std::uint64_t kShrsIvAt = 0x0C;
constexpr std::uint64_t kShrsKeyedDigestAt = 0x1C;   // SHA-512(plaintext || key)
constexpr std::uint64_t kShrsPlainDigestAt = 0x5C;   // SHA-512(plaintext)
constexpr std::uint64_t kShrsCipherDigestAt = 0x9C;  // SHA-512(ciphertext)
constexpr std::uint64_t kShrsDigest = 64;
// The AES-128 key imgdecrypt derives (AES-128-CBC decryption of a constant with a constant key
// and IV); published by 0xricksanchez/dlink-decrypt and used by unblob and binwalk.
constexpr std::uint8_t kShrsKey[16] = {0xc0, 0x5f, 0xbf, 0x19, 0x36, 0xc9, 0x94, 0x29,
                                       0xce, 0x2a, 0x07, 0x81, 0xf0, 0x8d, 0x6a, 0xd8};

struct ShrsInfo {
  std::uint32_t plain_len = 0;
  std::uint32_t cipher_len = 0;
};

class ShrsHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "shrs",
        "D-Link SHRS encrypted firmware (AES-128-CBC)",
        "Header of 0x6DC bytes at magic \"SHRS\", big endian: the plaintext length (offset 4), "
        "the ciphertext length (offset 8: a whole number of 16-byte blocks, at least the "
        "plaintext length and less than one block more), the IV (offset 0xC), SHA-512 of the "
        "plaintext followed by the key (0x1C), of the plaintext (0x5C) and of the ciphertext "
        "(0x9C), then 512 zero bytes and two 512-byte signatures. The ciphertext must lie inside "
        "the data and match its SHA-512 before the chunk is claimed. It is decrypted with "
        "AES-128-CBC and the published key into a blob the engine scans; both plaintext digests "
        "are checked, a mismatch is a warning naming the digest's offset.",
        {"0xricksanchez/dlink-decrypt (dlink-dec.py: header layout and key derivation)",
         "unblob unblob/handlers/archive/dlink/shrs.py", "binwalk v3 src/structures/shrs.rs"},
        "The RSA signatures are not verified (D-Link's public key is not shipped). An image "
        "encrypted with another key fails the plaintext digest check: the warning says so, and "
        "the decrypted blob, still scanned, holds nothing recognisable."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"SHRS", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto h = Slice(data, offset, kShrsHeader);
    if (!h) return MakeError(Errc::kNotThisFormat, "short header");
    ShrsInfo info;
    info.plain_len = LoadBe<std::uint32_t>(h->data() + 4);
    info.cipher_len = LoadBe<std::uint32_t>(h->data() + 8);
    if (info.plain_len == 0 || info.cipher_len % 16 != 0 || info.cipher_len < info.plain_len ||
        info.cipher_len - info.plain_len > 16) {
      return MakeError(Errc::kNotThisFormat, "lengths");
    }
    auto cipher = Slice(data, offset + kShrsHeader, info.cipher_len);
    if (!cipher) return MakeError(Errc::kNotThisFormat, "ciphertext beyond the data");
    const std::string digest = handlers::DigestOf("SHA512", *cipher);
    if (digest.size() != kShrsDigest ||
        std::memcmp(digest.data(), h->data() + kShrsCipherDigestAt, kShrsDigest) != 0) {
      return MakeError(Errc::kNotThisFormat, "ciphertext SHA-512");
    }
    Chunk c;
    c.offset = offset;
    c.length = kShrsHeader + info.cipher_len;
    c.description = fmt::format("D-Link SHRS, AES-128-CBC, {} bytes of firmware", info.plain_len);
    c.state = info;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& info = std::any_cast<const ShrsInfo&>(chunk.state);
    const ByteView view = ctx.view();
    const ByteView header = view.subspan(chunk.offset, kShrsHeader);
    auto blob = ctx.NewBlob("decrypted");
    if (!blob) return blob.error();
    handlers::EvpDigest plain("SHA512"), keyed("SHA512");
    std::uint64_t left = info.plain_len;  // plaintext bytes that count (padding excluded)
    auto s = handlers::DecryptStream(
        "AES-128-CBC", ByteView(kShrsKey, sizeof kShrsKey), header.subspan(kShrsIvAt, 16),
        view.subspan(chunk.offset + kShrsHeader, info.cipher_len), [&](ByteView piece) {
          const ByteView used = piece.first(std::min<std::uint64_t>(piece.size(), left));
          left -= used.size();
          plain.Update(used);
          keyed.Update(used);
          return (*blob)->Write(used);
        });
    ctx.DoneWith(chunk.offset, chunk.length);
    if (!s) {
      ctx.Warn(chunk.offset + kShrsHeader, "SHRS decryption stopped: " + s.error().what);
      return Ok();
    }
    keyed.Update(ByteView(kShrsKey, sizeof kShrsKey));
    const std::string want_plain(reinterpret_cast<const char*>(header.data()) + kShrsPlainDigestAt,
                                 kShrsDigest);
    const std::string want_keyed(reinterpret_cast<const char*>(header.data()) + kShrsKeyedDigestAt,
                                 kShrsDigest);
    if (plain.Final() != want_plain) {
      ctx.Warn(chunk.offset + kShrsPlainDigestAt,
               "SHRS plaintext does not match the header's SHA-512 (another key?)");
    } else if (keyed.Final() != want_keyed) {
      ctx.Warn(chunk.offset + kShrsKeyedDigestAt,
               "SHRS plaintext and key do not match the header's keyed SHA-512");
    }
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeShrsHandler() { return std::make_unique<ShrsHandler>(); }

}  // namespace iotcop::unpack
