// File: unpack/handlers/linksys.cc
// Linksys/Cybertan "code pattern" headers (WRT54G and kin, written by addpattern): 32 bytes in
// front of a TRX image, with a 4-character model pattern ("W54G", "W54S", "W54U", "WR54"...), the
// build date, the firmware version and the fixed id "U2ND". The payload is scanned in place.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kLinksysHeader = 32;
constexpr std::uint64_t kIdAt = 14;  // "U2ND" after magic[4], res1[4], fwdate[3], fwvern[3]

struct LinksysInfo {
  std::string pattern;
  std::uint64_t payload = 0;  // bytes after the header that belong to the chunk
};

bool PatternChar(std::uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

class LinksysHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "linksys",
        "Linksys/Cybertan code pattern header (W54G-style)",
        "32-byte header carved at its fixed id \"U2ND\" (offset 14): the model pattern (4 "
        "letters or digits, e.g. W54G, W54S, W54U, WR54), a second 4-byte field that is zero "
        "or the \"PBOT\" marker, the build date (year % 100, month 1-12, day 1-31) and the "
        "version must be plausible. The header has no length: when a TRX header (\"HDR0\") "
        "follows, the chunk ends where the TRX's length says (bounded by the data), otherwise "
        "it runs to the end of the data. The payload is scanned in place.",
        {"OpenWrt tools/firmware-utils/src/addpattern.c (struct code_header, from Cybertan's "
         "cyutils.h)"},
        "The header carries no checksum of its own (the TRX's CRC is checked by the TRX "
        "handler); hardware flags and version fields are reported, not interpreted."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"U2ND", kIdAt, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto h = Slice(data, offset, kLinksysHeader);
    if (!h) return MakeError(Errc::kNotThisFormat, "short header");
    const std::uint8_t* p = h->data();
    for (int i = 0; i < 4; ++i) {
      if (!PatternChar(p[i])) return MakeError(Errc::kNotThisFormat, "pattern");
    }
    const bool res_zero = p[4] == 0 && p[5] == 0 && p[6] == 0 && p[7] == 0;
    if (!res_zero && std::memcmp(p + 4, "PBOT", 4) != 0) {
      return MakeError(Errc::kNotThisFormat, "reserved field");
    }
    const unsigned year = p[8], month = p[9], day = p[10];
    if (year > 99 || month < 1 || month > 12 || day < 1 || day > 31) {
      return MakeError(Errc::kNotThisFormat, "date");
    }
    LinksysInfo info;
    info.pattern.assign(reinterpret_cast<const char*>(p), 4);
    const std::uint64_t rest = data.size() - offset - kLinksysHeader;
    info.payload = rest;
    if (auto trx = Slice(data, offset + kLinksysHeader, 8);
        trx && std::memcmp(trx->data(), "HDR0", 4) == 0) {
      info.payload = std::min<std::uint64_t>(rest, LoadLe<std::uint32_t>(trx->data() + 4));
    }
    if (info.payload == 0) return MakeError(Errc::kNotThisFormat, "no payload");
    Chunk c;
    c.offset = offset;
    c.length = kLinksysHeader + info.payload;
    c.description = fmt::format("Linksys code pattern '{}', v{}.{}.{}, built 20{:02}-{:02}-{:02}",
                                info.pattern, p[11], p[12], p[13], year, month, day);
    c.state = std::move(info);
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& info = std::any_cast<const LinksysInfo&>(chunk.state);
    ctx.ScanRange(chunk.offset + kLinksysHeader, info.payload, "payload");
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeLinksysHandler() { return std::make_unique<LinksysHandler>(); }

}  // namespace iotcop::unpack
