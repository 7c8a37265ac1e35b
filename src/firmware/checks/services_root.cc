// fw.services.root-daemons: network daemons whose configuration says they run as root (inetd's
// user field, a systemd unit without User=, start-stop-daemon --chuid root). Least privilege
// (5.6-7) asks network-facing code to run as an unprivileged user.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckServicesRoot(CheckContext& ctx) {
  for (const Fact* s : ctx.facts().OfKind(facts::kService)) {
    if (Str(*s, "user") != "root") continue;
    const std::string init = Str(*s, "init");
    ctx.Report(checkutil::FindingOn(
                   {s},
                   fmt::format("{} runs as root ({} {}:{})", Str(*s, "name"), init, Str(*s, "file"),
                               s->value.value("line", 0u)),
                   fmt::format("The {} configuration starts '{}' as root: a bug in it gives the "
                               "attacker the whole device.",
                               init, Str(*s, "command")),
                   Severity::kLow),
               "root:" + Str(*s, "name") + "@" + Str(*s, "started_by"));
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeRootDaemonsCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.services.root-daemons",
       "Daemons configured to run as root",
       {},
       {InputKind::kFirmware},
       {facts::kService},
       "Software should run with the least privilege it needs (5.6-7). Where the boot "
       "configuration names the user, a network daemon running as root is visible. It informs "
       "5.6-7 "
       "without deciding it: some daemons need root for what they do.",
       "Run daemons as dedicated unprivileged users (inetd user field, systemd User=, "
       "start-stop-daemon --chuid) and drop capabilities they do not need.",
       Severity::kLow,
       false,
       {"5.6-7"}},
      CheckServicesRoot);
}

}  // namespace iotcop
