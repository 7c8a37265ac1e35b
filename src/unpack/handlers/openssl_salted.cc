// File: unpack/handlers/openssl_salted.cc
// Firmware encrypted with the openssl tool ("openssl enc -aes-128-cbc -md md5 -k PASSWORD", as
// Foscam ships its camera images): "Salted__", an 8-byte salt, then AES-128-CBC ciphertext with
// PKCS#7 padding, key and IV derived from the password and salt by EVP_BytesToKey. The passwords
// Foscam firmware is known to use (published by mcw0's decrypt-foscam.py and EMBA) are tried; the
// one whose first plaintext bytes hold a known format's magic and whose padding is valid wins,
// and the plaintext goes into a blob the engine scans. Unknown passwords: not claimed, so the
// coverage report names the region as encrypted with this scheme.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/handlers/vendor_crypto.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kSaltedHeader = 16;  // "Salted__" and the salt
constexpr std::uint64_t kSaltedBlock = 16;
constexpr std::uint64_t kSaltedProbe = 32;
// Foscam firmware passwords (decrypt-foscam.py, EMBA config/foscam_enc_keys.txt: the firmware
// ones, not the configuration and web passwords of the same list).
constexpr const char* kSaltedPasswords[] = {
    "Wxift*", "Wxift*v2", "WWxift*", "WWxift*v2", "Wyift*",    "Wyift*v2", "WWyift*", "WWyift*v2",
    "Wzift*", "Wzift*v2", "WWzift*", "WWzift*v2", "Weift*",    "Weift*v2", "WWeift*", "WWeift*v2",
    "Pxift*", "Pxift*v2", "PPxift*", "PPxift*v2", "Xti1f*",    "Xti1f*v2", "XXti1f*", "XXti1f*v2",
    "Ktf1g*", "Ktf1g*v2", "KKtf1g*", "KKtf1g*v2", "WT8Nk*",    "WT8Nk*v2", "WWT8Nk*", "WWT8Nk*v2",
    "XT8Nk*", "XT8Nk*v2", "XXT8Nk*", "XXT8Nk*v2", "WWzift*v4", "WWjift*v2"};

struct SaltedInfo {
  std::string key;  // 16 bytes
  std::string iv;   // 16 bytes
  const char* password = nullptr;
  std::uint64_t cipher_len = 0;
  std::uint8_t pad = 0;
};

class OpensslSaltedHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "openssl_salted",
        "OpenSSL enc salted firmware (Foscam; AES-128-CBC, MD5 key derivation)",
        "Magic \"Salted__\" and an 8-byte salt, then ciphertext to the end of the view (a whole "
        "number of 16-byte blocks, at least two). For each published Foscam firmware password, "
        "key and IV come from EVP_BytesToKey (MD5, one iteration) as `openssl enc -md md5` "
        "derives them; the password is taken when the first 32 plaintext bytes start with a "
        "magic some handler knows and the last block ends in valid PKCS#7 padding. The "
        "plaintext, padding removed, goes into a blob the engine scans. With no password "
        "matching, the chunk is not claimed and the coverage report names the region as "
        "encrypted with the OpenSSL salted scheme.",
        {"openssl enc(1) and EVP_BytesToKey(3)",
         "mcw0 PoC decrypt-foscam.py; EMBA config/foscam_enc_keys.txt and P20 Foscam extractor"},
        "Only AES-128-CBC with MD5 key derivation and the published Foscam firmware passwords "
        "are tried (no published password for Instar's salted images was found, so those stay "
        "named as encrypted); the ciphertext must run to the end of the view (trailing bytes "
        "after it break the padding check)."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"Salted__", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto h = Slice(data, offset, kSaltedHeader + kSaltedProbe);
    if (!h) return MakeError(Errc::kNotThisFormat, "short");
    const std::uint64_t cipher_len = data.size() - offset - kSaltedHeader;
    if (cipher_len % kSaltedBlock != 0) return MakeError(Errc::kNotThisFormat, "not whole blocks");
    const ByteView salt = h->subspan(8, 8);
    const ByteView first = h->subspan(kSaltedHeader, kSaltedProbe);
    const ByteView last = data.subspan(data.size() - kSaltedBlock, kSaltedBlock);
    const ByteView before_last = data.subspan(data.size() - 2 * kSaltedBlock, kSaltedBlock);
    for (const char* password : kSaltedPasswords) {
      const std::string kiv = handlers::BytesToKey("MD5", password, salt, 32);
      if (kiv.size() != 32) return MakeError(Errc::kInternal, "MD5 refused");
      SaltedInfo info{kiv.substr(0, 16), kiv.substr(16), password, cipher_len, 0};
      std::uint8_t probe[kSaltedProbe];
      if (!handlers::DecryptBlocks("AES-128-CBC", AsBytes(info.key), AsBytes(info.iv), first,
                                   probe) ||
          !StartsWithKnownMagic(ByteView(probe, kSaltedProbe))) {
        continue;
      }
      // The last block, chained to the one before it: PKCS#7 padding of 1 to 16 equal bytes.
      std::uint8_t tail[kSaltedBlock];
      if (!handlers::DecryptBlocks("AES-128-CBC", AsBytes(info.key), before_last, last, tail))
        continue;
      const std::uint8_t pad = tail[kSaltedBlock - 1];
      if (pad == 0 || pad > kSaltedBlock ||
          !std::all_of(tail + kSaltedBlock - pad, tail + kSaltedBlock,
                       [&](std::uint8_t b) { return b == pad; })) {
        continue;
      }
      info.pad = pad;
      Chunk c;
      c.offset = offset;
      c.length = kSaltedHeader + cipher_len;
      c.description = fmt::format("OpenSSL salted AES-128-CBC (Foscam password '{}'), {} bytes",
                                  password, cipher_len - pad);
      c.state = std::move(info);
      return c;
    }
    return MakeError(Errc::kNotThisFormat, "no published password fits");
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& info = std::any_cast<const SaltedInfo&>(chunk.state);
    auto blob = ctx.NewBlob("decrypted");
    if (!blob) return blob.error();
    std::uint64_t left = info.cipher_len - info.pad;
    auto s = handlers::DecryptStream(
        "AES-128-CBC", AsBytes(info.key), AsBytes(info.iv),
        ctx.view().subspan(chunk.offset + kSaltedHeader, info.cipher_len), [&](ByteView piece) {
          const ByteView used = piece.first(std::min<std::uint64_t>(piece.size(), left));
          left -= used.size();
          return (*blob)->Write(used);
        });
    ctx.DoneWith(chunk.offset, chunk.length);
    if (!s) ctx.Warn(chunk.offset + kSaltedHeader, "decryption stopped: " + s.error().what);
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeOpensslSaltedHandler() {
  return std::make_unique<OpensslSaltedHandler>();
}

}  // namespace iotcop::unpack
