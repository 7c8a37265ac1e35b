// TP-Link firmware headers (v1, and v2 with the same layout): a 512-byte big-endian header whose
// payload (kernel, root filesystem) is identified by content.
#include <fmt/format.h>

#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kTplinkHeader = 0x200;

struct Fields {
  std::uint32_t fw_length, kernel_ofs, kernel_len, rootfs_ofs, rootfs_len;
};

class TplinkHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "tplink",
        "TP-Link firmware header (v1/v2)",
        "512-byte header (version 1 or 2, big endian) at the start of a view: vendor and "
        "firmware-version strings must be printable, the firmware length must cover the kernel "
        "(offset >= 0x200) and fit the data. The rootfs offset in these headers is often wrong "
        "(OpenWrt factory images), so the whole payload after the header is scanned and "
        "identified by content.",
        {"OpenWrt tools/firmware-utils/src/mktplinkfw.c"},
        "The MD5 checksum (salted per model) is not verified; only headers at the start of a "
        "view are recognised (the version magic is too short to carve)."};
    return d;
  }
  std::vector<Magic> magics() const override {
    return {{std::string("\x01\x00\x00\x00", 4), 0, false},
            {std::string("\x02\x00\x00\x00", 4), 0, false}};
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto h = Slice(data, offset, kTplinkHeader);
    if (!h) return MakeError(Errc::kNotThisFormat, "short");
    const std::uint8_t* p = h->data();
    auto printable = [](const std::uint8_t* s, std::size_t n) {
      if (s[0] == 0) return false;
      for (std::size_t i = 0; i < n && s[i]; ++i) {
        if (s[i] < 0x20 || s[i] > 0x7e) return false;
      }
      return true;
    };
    if (!printable(p + 4, 24) || !printable(p + 28, 36))
      return MakeError(Errc::kNotThisFormat, "strings");
    Fields f{LoadBe<std::uint32_t>(p + 0x7c), LoadBe<std::uint32_t>(p + 0x80),
             LoadBe<std::uint32_t>(p + 0x84), LoadBe<std::uint32_t>(p + 0x88),
             LoadBe<std::uint32_t>(p + 0x8c)};
    if (f.kernel_ofs < kTplinkHeader || f.fw_length <= kTplinkHeader ||
        std::uint64_t{f.kernel_ofs} + f.kernel_len > f.fw_length || f.kernel_len == 0) {
      return MakeError(Errc::kNotThisFormat, "lengths");
    }
    Chunk c;
    c.offset = offset;
    c.length = std::min<std::uint64_t>(f.fw_length, data.size() - offset);
    c.description = fmt::format("TP-Link header v{}, firmware '{}'", p[0] ? p[0] : p[3],
                                std::string(reinterpret_cast<const char*>(p + 28),
                                            strnlen(reinterpret_cast<const char*>(p + 28), 36)));
    c.state = f;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& f = std::any_cast<const Fields&>(chunk.state);
    if (chunk.length < f.fw_length) {
      ctx.Warn(chunk.offset + chunk.length,
               fmt::format("firmware truncated: header says {} bytes", f.fw_length));
    }
    ctx.ScanRange(chunk.offset + kTplinkHeader, chunk.length - kTplinkHeader, "");
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeTplinkHandler() { return std::make_unique<TplinkHandler>(); }

}  // namespace iotcop::unpack
