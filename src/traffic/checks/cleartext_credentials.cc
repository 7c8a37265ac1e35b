// traffic.cleartext.credentials: a credential sent without encryption (telnet, FTP, HTTP Basic,
// Digest and forms, MQTT CONNECT, POP3/IMAP/SMTP). One finding per protocol, user and server.
#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "traffic/checks/traffic_check.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckTrafficCleartextCredentials(CheckContext& ctx) {
  bool found = false;
  for (const Fact* c : ctx.facts().OfKind(facts::kCleartextCredential)) {
    const std::string proto = Str(*c, "protocol"), method = Str(*c, "method");
    const std::string where = fmt::format("{}:{}", Str(*c, "server"), c->value.value("port", 0));
    const bool digest = method == "digest" || method == "apop";
    ctx.Report(checkutil::FindingOn(
                   {c},
                   fmt::format("{} {} credentials for user '{}' sent in cleartext to {}", proto,
                               method, Str(*c, "user"), where),
                   fmt::format("{} sent {} credentials for '{}' to {} without encryption (secret "
                               "{}): {}.",
                               Str(*c, "device"), proto, Str(*c, "user"), where, Str(*c, "secret"),
                               digest ? "a digest response can be replayed or cracked offline by "
                                        "anyone on the path"
                                      : "anyone on the network path can read and reuse them"),
                   digest ? Severity::kMedium : Severity::kHigh),
               fmt::format("{}:{}:{}:{}", proto, method, Str(*c, "user"), where));
    found = true;
  }
  if (!found) trafficcheck::JudgeCommunication(ctx, "5.5-1", "credential sent in cleartext");
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeTrafficCleartextCredentialsCheck() {
  return checkutil::MakeFunctionCheck(
      {"traffic.cleartext.credentials",
       "Credentials sent in cleartext",
       {"5.5-1"},
       {InputKind::kTraffic},
       {facts::kTrafficCapture, facts::kCleartextCredential},
       "A password or token on the wire without TLS is readable by anyone on the network path "
       "(shared Wi-Fi, the ISP, a compromised router) and lets them log in as the device or its "
       "user (5.5-1).",
       "Send credentials only inside TLS (HTTPS, MQTT over TLS on 8883, FTPS/SFTP, IMAPS/POP3S, "
       "SMTP with STARTTLS required); disable telnet and plain FTP.",
       Severity::kHigh},
      CheckTrafficCleartextCredentials);
}

}  // namespace iotcop
