// File: network/checks/robustness.cc
// net.robustness.{crash,hang,injection} (5.13-1): what the robustness campaign (--robustness)
// saw. One check per kind of failure so each has its own verdict basis; all read the campaign's
// facts, so each passes only where a campaign ran against the endpoint and stayed clean.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::Str;

template <int kKind>
Status CheckNetRobustness(CheckContext& ctx) {
  for (const Fact* f : ctx.facts().OfKind(facts::kRobustnessResult)) {
    const std::string kind = Str(*f, "kind");
    const std::string where = fmt::format("{} on {}", Str(*f, "service"), Str(*f, "endpoint"));
    std::string title;
    Severity sev = Severity::kHigh;
    if (kKind == 0 && kind == "crash") {
      title = fmt::format("{} stopped answering after malformed input (batch {})", where,
                          Str(*f, "batch"));
    } else if (kKind == 1 && kind == "hang") {
      title = fmt::format("{} hung after malformed input (batch {})", where, Str(*f, "batch"));
      sev = Severity::kMedium;
    } else if (kKind == 2 && (kind == "executed" || kind == "reflected" || kind == "traversal")) {
      if (kind == "executed") {
        title =
            fmt::format("{} ran a shell command from its input ({})", where, Str(*f, "payload"));
        sev = Severity::kCritical;
      } else if (kind == "traversal") {
        title = fmt::format("{} served a file outside its root ({})", where, Str(*f, "payload"));
        sev = Severity::kCritical;
      } else {
        title = fmt::format("{} echoes input unescaped ({})", where, Str(*f, "payload"));
        sev = Severity::kMedium;
      }
    } else {
      continue;
    }
    ctx.Report(checkutil::FindingOn({f}, title, Str(*f, "detail") + ".", sev),
               fmt::format("{}:{}:{}", kind, Str(*f, "endpoint"), Str(*f, "payload")));
  }
  return Ok();
}

CheckDoc Doc(const char* id, const char* title, const char* rationale, Severity sev) {
  return {id,
          title,
          {"5.13-1"},
          {InputKind::kNetwork},
          {facts::kRobustnessResult},
          rationale,
          "Validate every input on the device's network services: bound lengths, reject "
          "malformed protocol data, never pass input to a shell or file path, escape what is "
          "echoed; fuzz the services before release.",
          sev};
}

}  // namespace

std::vector<std::unique_ptr<const Check>> MakeNetRobustnessChecks() {
  std::vector<std::unique_ptr<const Check>> v;
  v.push_back(checkutil::MakeFunctionCheck(
      Doc("net.robustness.crash", "Live service crashes on malformed input",
          "Software shall validate data input (5.13-1): a service that stops answering after "
          "oversized or malformed requests (found by the --robustness campaign) did not, and "
          "is open to denial of service and likely memory corruption.",
          Severity::kHigh),
      CheckNetRobustness<0>));
  v.push_back(checkutil::MakeFunctionCheck(
      Doc("net.robustness.hang", "Live service hangs on malformed input",
          "Software shall validate data input (5.13-1): a service that still accepts connections "
          "but no longer answers after malformed requests is stuck on input it did not reject.",
          Severity::kMedium),
      CheckNetRobustness<1>));
  v.push_back(checkutil::MakeFunctionCheck(
      Doc("net.robustness.injection", "Live service reflects, executes or traverses on input",
          "Software shall validate data input (5.13-1): harmless markers sent by the --robustness "
          "campaign came back unescaped, computed by a shell, or a path traversal returned a "
          "system file.",
          Severity::kHigh),
      CheckNetRobustness<2>));
  return v;
}

}  // namespace iotcop
