// File: unpack/handlers/xiaomi.cc
// Xiaomi router firmware (HDR1, and HDR2 with device and region strings): a little-endian header
// with a CRC-32 over everything after its first 12 bytes, up to eight blobs (each a 48-byte header
// with magic 0xBABE, flash offset, size, type and name, then its content, aligned to 4) and an RSA
// signature block at the end. Each blob's content is scanned in place.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kXiaomiHdr1 = 48;  // magic, sig offset, crc, unused, device, blobs[8]
constexpr std::uint64_t kXiaomiHdr2 = 80;  // magic, sig offset, crc, unused, device[8],
                                           // region[8], unused[16], blobs[8]
constexpr std::uint64_t kXiaomiBlobHeader = 48;
constexpr std::uint64_t kXiaomiSigHeader = 16;  // size, padding[3]
constexpr std::uint32_t kXiaomiSigDefault = 0x100;
constexpr std::uint32_t kXiaomiSigMax = 4096;
constexpr std::uint32_t kXiaomiBlobMagic = 0xbabe;

struct XiaomiBlob {
  std::uint64_t content = 0;  // relative to the chunk
  std::uint32_t size = 0;
  std::string name;
};

struct XiaomiInfo {
  std::vector<XiaomiBlob> blobs;
};

std::string XiaomiText(const std::uint8_t* p, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n && p[i]; ++i)
    s += (p[i] >= 0x20 && p[i] < 0x7f) ? static_cast<char>(p[i]) : '?';
  return s;
}

class XiaomiHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "xiaomi",
        "Xiaomi router firmware (HDR1/HDR2)",
        "Little-endian header at magic \"HDR1\" (48 bytes) or \"HDR2\" (80 bytes, with device "
        "and region strings): the signature block's offset (after the header), a CRC-32 and up "
        "to eight blob offsets. The signature block (16-byte header and its content, 256 bytes "
        "when the size field is 0, at most 4096) must end inside the data, and the CRC-32 (zlib "
        "polynomial, initial value 0xFFFFFFFF, no final inversion) over everything from offset "
        "12 to the signature's end must match before the chunk is claimed. Each blob header "
        "(magic 0xBABE, flash offset, size, type, NUL-terminated name) and its content must lie "
        "between the header and the signature. Each blob's content is scanned in place.",
        {"OpenWrt firmware-utils src/xiaomifw.c (struct xiaomi_header, xiaomi_blob_header)",
         "unblob unblob/handlers/archive/xiaomi/hdr.py"},
        "The RSA signature is not verified (Xiaomi's public key is not shipped); the HDR2 layout "
        "follows unblob, as xiaomifw.c only writes HDR1."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"HDR1", 0, true}, {"HDR2", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto magic = Slice(data, offset, 4);
    if (!magic) return MakeError(Errc::kNotThisFormat, "short");
    const bool v2 = (*magic)[3] == '2';
    const std::uint64_t header_len = v2 ? kXiaomiHdr2 : kXiaomiHdr1;
    auto h = Slice(data, offset, header_len);
    if (!h) return MakeError(Errc::kNotThisFormat, "short header");
    const std::uint32_t sig_off = LoadLe<std::uint32_t>(h->data() + 4);
    const std::uint32_t crc = LoadLe<std::uint32_t>(h->data() + 8);
    if (sig_off < header_len) return MakeError(Errc::kNotThisFormat, "signature offset");
    auto sig = Slice(data, offset + sig_off, kXiaomiSigHeader);
    if (!sig) return MakeError(Errc::kNotThisFormat, "signature beyond the data");
    std::uint32_t sig_len = LoadLe<std::uint32_t>(sig->data());
    if (sig_len == 0) sig_len = kXiaomiSigDefault;
    if (sig_len > kXiaomiSigMax) return MakeError(Errc::kNotThisFormat, "signature size");
    const std::uint64_t end = std::uint64_t{sig_off} + kXiaomiSigHeader + sig_len;
    if (!Fits(data.size(), offset, end)) return MakeError(Errc::kNotThisFormat, "truncated");
    XiaomiInfo info;
    const std::uint8_t* offsets = h->data() + header_len - 32;
    for (int i = 0; i < 8; ++i) {
      const std::uint32_t at = LoadLe<std::uint32_t>(offsets + 4 * i);
      if (at == 0) break;
      if (at < header_len || std::uint64_t{at} + kXiaomiBlobHeader > sig_off) {
        return MakeError(Errc::kNotThisFormat, "blob offset");
      }
      const std::uint8_t* b = data.data() + offset + at;
      XiaomiBlob blob;
      blob.size = LoadLe<std::uint32_t>(b + 8);
      blob.content = at + kXiaomiBlobHeader;
      if (LoadLe<std::uint32_t>(b) != kXiaomiBlobMagic || blob.size == 0 ||
          blob.content + blob.size > sig_off || b[16 + 31] != 0) {
        return MakeError(Errc::kNotThisFormat, "blob header");
      }
      blob.name = XiaomiText(b + 16, 32);
      info.blobs.push_back(std::move(blob));
    }
    if (info.blobs.empty()) return MakeError(Errc::kNotThisFormat, "no blobs");
    if (~handlers::Crc32(data.subspan(offset + 12, end - 12)) != crc) {
      return MakeError(Errc::kNotThisFormat, "CRC");
    }
    Chunk c;
    c.offset = offset;
    c.length = end;
    std::string names;
    for (const auto& b : info.blobs) names += (names.empty() ? "" : ", ") + b.name;
    c.description =
        v2 ? fmt::format("Xiaomi HDR2, device '{}', region '{}', blobs: {}",
                         XiaomiText(h->data() + 16, 8), XiaomiText(h->data() + 24, 8), names)
           : fmt::format("Xiaomi HDR1, device 0x{:04x}, blobs: {}",
                         LoadLe<std::uint16_t>(h->data() + 14), names);
    c.state = std::move(info);
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& info = std::any_cast<const XiaomiInfo&>(chunk.state);
    for (std::size_t i = 0; i < info.blobs.size(); ++i) {
      const auto& b = info.blobs[i];
      ctx.ScanRange(chunk.offset + b.content, b.size,
                    b.name.empty() ? fmt::format("blob{}", i) : b.name);
    }
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeXiaomiHandler() { return std::make_unique<XiaomiHandler>(); }

}  // namespace iotcop::unpack
