#include "firmware/checks/services_named.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop::checkutil {

std::size_t ReportServicesNamed(CheckContext& ctx, const ServiceRule& rule) {
  std::size_t n = 0;
  for (const Fact* s : ctx.facts().OfKind(facts::kService)) {
    std::string name = Str(*s, "name");
    const auto known = [&](std::string_view v) {
      return std::find(rule.names.begin(), rule.names.end(), v) != rule.names.end();
    };
    if (!known(name)) {
      // "busybox tftpd ..." / "udpsvd 0 69 tftpd": the applet or the served program.
      bool found = false;
      for (const auto& a : s->value["argv"]) {
        if (!a.is_string()) continue;
        std::string w = a.get<std::string>();
        w = w.substr(w.rfind('/') == std::string::npos ? 0 : w.rfind('/') + 1);
        if (known(w)) {
          name = w;
          found = true;
          break;
        }
      }
      if (!found) continue;
    }
    ctx.Report(
        FindingOn({s},
                  fmt::format("{} ({}) is started at boot by {} ({}:{})", rule.what, name,
                              Str(*s, "started_by"), Str(*s, "file"), s->value.value("line", 0u)),
                  fmt::format("{} Command line: {}", rule.why, Str(*s, "command")), rule.severity),
        name + "@" + Str(*s, "started_by"));
    ++n;
  }
  return n;
}

}  // namespace iotcop::checkutil
