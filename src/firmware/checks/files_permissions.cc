// fw.files.permissions: setuid/setgid programs and world-writable files in the image (5.6-7).
// World-writable files let any process (or a compromised daemon running as any user) change what
// others execute or read; setuid programs are where privilege escalation happens.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckFilesPermissions(CheckContext& ctx) {
  for (const Fact* p : ctx.facts().OfKind(facts::kFilePermission)) {
    const std::string issue = Str(*p, "issue");
    const std::string path = Str(*p, "path");
    const bool ww = issue == "world-writable";
    const bool root_owned = p->value.value("owner", 1u) == 0u;
    Severity sev = ww ? Severity::kMedium
                      : (root_owned && issue == "setuid" ? Severity::kMedium : Severity::kLow);
    ctx.Report(
        checkutil::FindingOn(
            {p},
            fmt::format("{} {} is {} (mode {})", Str(*p, "type"), path, issue, Str(*p, "mode")),
            ww ? "Any user or process on the device can change it."
               : fmt::format(
                     "It runs with the privileges of its {} ({}) whoever starts it.",
                     issue == "setuid" ? "owner" : "group",
                     issue == "setuid" ? p->value.value("owner", 0u) : p->value.value("group", 0u)),
            sev),
        issue + ":" + path);
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeFilePermissionsCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.files.permissions",
       "setuid/setgid and world-writable files",
       {},
       {InputKind::kFirmware},
       {facts::kFilePermission, facts::kService},
       "Least privilege (5.6-7): setuid programs and world-writable files are the usual steps from "
       "a "
       "compromised service to full control. They inform 5.6-7 without deciding it: whether a "
       "program needs its privilege is a question of its function.",
       "Remove setuid/setgid bits from programs that do not need them (a setuid BusyBox makes "
       "every "
       "applet privileged) and make files writable only by their owner.",
       Severity::kLow,
       false,
       {"5.6-7"}},
      CheckFilesPermissions);
}

}  // namespace iotcop
