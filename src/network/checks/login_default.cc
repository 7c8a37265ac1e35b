// File: network/checks/login_default.cc
// net.login.default (5.1-1): a live service let us in with a default credential from the
// dictionary, or without any (anonymous MQTT or FTP, a telnet shell with no login prompt).
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckNetLoginDefault(CheckContext& ctx) {
  for (const Fact* f : ctx.facts().OfKind(facts::kLoginAttempt)) {
    if (!f->value.value("success", false)) continue;
    const bool anonymous = f->value.value("anonymous", false);
    const std::string service = Str(*f, "service"), where = Str(*f, "endpoint");
    if (anonymous && Str(*f, "source") == "no credential asked") {
      ctx.Report(
          checkutil::FindingOn(
              {f},
              fmt::format("{} on {} gives a shell without asking for any credential", service,
                          where),
              fmt::format("The {} service offered a shell prompt where a login prompt belongs and "
                          "ran a command iotcop sent: anyone who can reach it controls the device.",
                          service),
              Severity::kCritical),
          "login:" + where);
      continue;
    }
    const std::string title =
        anonymous ? fmt::format("{} on {} accepts anonymous access", service, where)
                  : fmt::format("{} on {} accepts the default credential '{}' / {}", service, where,
                                Str(*f, "user"), Str(*f, "password"));
    const std::string message =
        anonymous ? fmt::format(
                        "The {} service let iotcop in without a password ({}): anyone who can "
                        "reach it can do the same.",
                        service, Str(*f, "method"))
                  : fmt::format(
                        "The {} service accepted user '{}' with a password from the "
                        "default-credential dictionary ({}) after {} attempt(s): a universal "
                        "default password, the way botnets such as Mirai take devices over.",
                        service, Str(*f, "user"), Str(*f, "source"), f->value.value("attempts", 0));
    ctx.Report(checkutil::FindingOn({f}, title, message, Severity::kCritical), "login:" + where);
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeNetLoginDefaultCheck() {
  return checkutil::MakeFunctionCheck(
      {"net.login.default",
       "Live service accepts a default credential or anonymous access",
       {"5.1-1"},
       {InputKind::kNetwork},
       {facts::kLoginAttempt},
       "Passwords in the factory default state must be unique per device or set by the user "
       "(5.1-1). A live service that accepts a credential from the public default-credential "
       "lists, or no credential at all, is open to anyone on the network.",
       "Ship without universal default passwords: a unique per-device password or one the user "
       "sets at first use; disable anonymous access to MQTT brokers and FTP servers.",
       Severity::kCritical},
      CheckNetLoginDefault);
}

}  // namespace iotcop
