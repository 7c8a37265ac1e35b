// File: unpack/handlers/rtos.cc
// The version banners real-time operating systems compile into their images (Zephyr's boot
// banner, FreeRTOS's kernel version, VxWorks' version string, eCos RedBoot's banner). An RTOS
// image is one flat binary with no file system, so the banner is what names it: the handler claims
// the banner string and records it as a tree note (kind "rtos") that the components collector
// turns into the operating system and its version (rules/components.yaml), the way the Linux
// kernel's banner is.
#include <regex>

#include <fmt/format.h>

#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

constexpr std::size_t kRtosMaxBanner = 200;

struct RtosBanner {
  const char* magic;
  const char* os;
  const char* version;  // ECMAScript regex over the banner; group 1 is the version
};

// Each as the RTOS's own source writes it (see the FormatDoc's references).
const RtosBanner kRtosBanners[] = {
    {"Booting Zephyr OS build ", "Zephyr",
     R"(^Booting Zephyr OS build (?:zephyr-)?v?(\d+\.\d+\.\d+))"},
    {"BOOTING ZEPHYR OS v", "Zephyr", R"(^BOOTING ZEPHYR OS v(\d+\.\d+\.\d+))"},
    {"FreeRTOS Kernel V", "FreeRTOS", R"(^FreeRTOS Kernel V(\d+\.\d+\.\d+))"},
    {"FreeRTOS V", "FreeRTOS", R"(^FreeRTOS V(\d+\.\d+\.\d+))"},
    {"VxWorks", "VxWorks", R"(^VxWorks[ -]?(\d+(?:\.\d+){0,2})(?:$|[^0-9.]))"},
    {"RedBoot(tm) bootstrap and debug environment", "eCos RedBoot",
     R"(^RedBoot\(tm\) bootstrap and debug environment \[[A-Z]+\] [A-Za-z -]*release, version v?(\d+[._]\d+(?:[._]\d+)?))"},
};

// The compiled version pattern of banner `b` (compiled once, for all banners).
const std::regex& RtosRegex(const RtosBanner& b) {
  static const std::vector<std::regex> compiled = [] {
    std::vector<std::regex> v;
    for (const auto& x : kRtosBanners) v.emplace_back(x.version);
    return v;
  }();
  return compiled[static_cast<std::size_t>(&b - kRtosBanners)];
}

struct RtosFound {
  std::string banner;  // printable, line ends as spaces
  std::string os, version;
};

class RtosHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "rtos",
        "RTOS version banners (Zephyr, FreeRTOS, VxWorks, eCos RedBoot)",
        "A banner string compiled into a real-time OS image: Zephyr's boot banner (\"Booting "
        "Zephyr OS build v3.5.0\", older \"BOOTING ZEPHYR OS v1.9.0\"), FreeRTOS's \"FreeRTOS "
        "Kernel V10.4.3\" / \"FreeRTOS V9.0.0\", VxWorks' version string (\"VxWorks 6.9\", "
        "\"VxWorks5.5.1\") and eCos RedBoot's \"RedBoot(tm) bootstrap and debug environment "
        "[ROMRAM] ... release, version v3_0\". The banner (printable, up to 200 bytes, line ends "
        "allowed) must carry a version; a bare name or a format string (\"%s\") is not claimed. "
        "The banner is recorded as a tree note (kind \"rtos\") from which the components "
        "collector makes the operating system component and operating_system fact; only the "
        "banner's bytes are claimed, the rest of the image stays to the other handlers and the "
        "coverage report.",
        {"Zephyr kernel/banner.c (boot_banner)",
         "FreeRTOS include/task.h (tskKERNEL_VERSION_NUMBER)",
         "VxWorks target/config/all/usrConfig.c (vxWorksVersion, runtimeName/runtimeVersion)",
         "eCos packages/redboot/current/src/main.c (RedBoot_version)"},
        "Only images that embed one of these banners with a version are recognised: FreeRTOS "
        "builds that never print their version, Zephyr builds printing the banner through "
        "\"%s\", and VxWorks images carrying only \"WIND version\" are not. Symbol tables are "
        "not read."};
    return d;
  }
  std::vector<Magic> magics() const override {
    std::vector<Magic> m;
    for (const auto& b : kRtosBanners) m.push_back({b.magic, 0, true});
    return m;
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    const std::string_view d = AsString(data.subspan(offset));
    std::size_t end = 0;
    while (end < d.size() && end < kRtosMaxBanner &&
           ((d[end] >= 0x20 && d[end] < 0x7f) || d[end] == '\n' || d[end] == '\r')) {
      ++end;
    }
    RtosFound f;
    f.banner.assign(d.substr(0, end));
    for (char& c : f.banner) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    while (!f.banner.empty() && f.banner.back() == ' ') f.banner.pop_back();
    for (const auto& b : kRtosBanners) {
      if (!f.banner.starts_with(b.magic)) continue;
      std::smatch m;
      if (!std::regex_search(f.banner, m, RtosRegex(b))) continue;
      f.os = b.os;
      f.version = m[1].str();
      break;
    }
    if (f.os.empty()) return MakeError(Errc::kNotThisFormat, "no version in the banner");
    Chunk c;
    c.offset = offset;
    c.length = end;
    c.description = fmt::format("{} {} banner", f.os, f.version);
    c.state = std::move(f);
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& f = std::any_cast<const RtosFound&>(chunk.state);
    ctx.AddNote("rtos", f.banner, chunk.offset);
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeRtosHandler() { return std::make_unique<RtosHandler>(); }

}  // namespace iotcop::unpack
