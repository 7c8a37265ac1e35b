// fw.credentials.hard-coded: credentials written into service configuration (web server user
// files, httpd.conf, nvram defaults), passed on boot command lines, or compiled into programs
// (YARA rules/credentials). Like a baked account hash, each is the same on every unit.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::Str;

std::string Where(const std::string& kind) {
  if (kind == "web") return "a web server's user file";
  if (kind == "nvram") return "the nvram defaults";
  if (kind == "command") return "a boot command line";
  return "a program";
}

Status CheckCredentialsHardcoded(CheckContext& ctx) {
  for (const Fact* c : ctx.facts().OfKind(facts::kCredential)) {
    const std::string kind = Str(*c, "kind");
    if (kind != "web" && kind != "nvram" && kind != "command" && kind != "binary") continue;
    const bool cracked = c->value.value("cracked", false);
    const std::string state = Str(*c, "password_state");
    const std::string user = Str(*c, "user");
    const std::string who = user.empty() ? Str(*c, "service") : user;
    std::string title;
    if (state == "empty") {
      title =
          fmt::format("'{}' has an empty password in {} ({})", who, Where(kind), Str(*c, "where"));
    } else if (cracked) {
      title = fmt::format("default credential for '{}' in {} ({}; {})", who, Where(kind),
                          Str(*c, "where"), Str(*c, "source"));
    } else {
      title = fmt::format("hard-coded {} for '{}' in {} ({})",
                          state == "hash" ? "password hash" : "password", who, Where(kind),
                          Str(*c, "where"));
    }
    std::string message =
        fmt::format("The {} ({}) is shipped in the image, so every unit has it{}.",
                    state == "hash" ? "password hash" : "password", Str(*c, "password"),
                    cracked ? " and it is a well-known default" : "");
    if (kind == "binary") message += fmt::format(" Matched by rule {}.", Str(*c, "rule"));
    ctx.Report(
        checkutil::FindingOn({c}, title, message, cracked ? Severity::kCritical : Severity::kHigh),
        kind + ":" + who + "@" + Str(*c, "where") + ":" + Str(*c, "rule"));
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeHardcodedCredentialsCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.credentials.hard-coded",
       "Credentials in service configuration, command lines and programs",
       {"5.1-1", "5.4-3"},
       {InputKind::kFirmware},
       {facts::kCredential},
       "Web interfaces, nvram defaults and daemons' command lines often carry their own passwords "
       "(http_passwd=admin, telnetd -u user:pass, a backdoor password compiled into a binary). "
       "They "
       "are universal default credentials (5.1-1) and hard-coded critical security parameters "
       "(5.4-3).",
       "Remove built-in credentials; have the user set the password at first use or provision a "
       "unique one per unit, stored outside the firmware image.",
       Severity::kHigh},
      CheckCredentialsHardcoded);
}

}  // namespace iotcop
