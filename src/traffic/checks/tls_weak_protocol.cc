// traffic.tls.weak-protocol: a TLS session negotiated below TLS 1.2 (SSLv3, TLS 1.0, 1.1) or with
// an insecure cipher suite (NULL, export, anonymous, RC4, DES/3DES, MD5). One finding per server
// and problem.
#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "traffic/checks/traffic_check.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckTrafficTlsWeakProtocol(CheckContext& ctx) {
  const auto sessions = ctx.facts().OfKind(facts::kTlsSession);
  std::size_t negotiated = 0;
  bool found = false;
  std::vector<FactId> basis;
  for (const Fact* s : sessions) {
    basis.push_back(s->id);
    const std::string version = Str(*s, "version");
    if (version.empty()) continue;  // no ServerHello seen
    ++negotiated;
    const auto id = s->value.value("version_id", 0);
    const std::string server = fmt::format("{}:{}", Str(*s, "server"), s->value.value("port", 0));
    const std::string sni = Str(*s, "sni");
    const std::string who = sni.empty() ? server : fmt::format("{} ({})", sni, server);
    if (id < 0x0303) {
      ctx.Report(checkutil::FindingOn(
                     {s}, fmt::format("{} negotiated with {}", version, who),
                     fmt::format("{} and {} agreed on {}, which has known weaknesses (RFC 8996 "
                                 "deprecates TLS 1.0 and 1.1); best practice is TLS 1.2 or 1.3.",
                                 Str(*s, "device"), who, version),
                     Severity::kMedium),
                 "version:" + server + ":" + version);
      found = true;
    }
    if (s->value.value("weak_cipher", false)) {
      ctx.Report(
          checkutil::FindingOn(
              {s},
              fmt::format("insecure cipher suite {} negotiated with {}", Str(*s, "cipher"), who),
              fmt::format("{} and {} agreed on {}: traffic protected by it can be "
                          "decrypted or altered.",
                          Str(*s, "device"), who, Str(*s, "cipher")),
              Severity::kHigh),
          "cipher:" + server + ":" + Str(*s, "cipher"));
      found = true;
    }
  }
  if (found) return Ok();
  if (negotiated) {
    ctx.Pass("5.5-1",
             fmt::format("{} TLS sessions negotiated TLS 1.2 or 1.3 with strong cipher suites",
                         negotiated),
             basis);
  } else {
    ctx.Inconclusive("5.5-1",
                     "no complete TLS handshake in the capture: a capture of the device's cloud "
                     "connection would show the version and cipher it negotiates",
                     basis);
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeTrafficTlsWeakProtocolCheck() {
  return checkutil::MakeFunctionCheck(
      {"traffic.tls.weak-protocol",
       "TLS below 1.2 or an insecure cipher suite negotiated",
       {"5.5-1"},
       {InputKind::kTraffic},
       {facts::kTlsSession},
       "Best practice cryptography (5.5-1) means TLS 1.2 or 1.3 with AEAD cipher suites; SSLv3, "
       "TLS 1.0/1.1 and NULL, export, RC4 or DES suites can be broken.",
       "Disable SSLv3, TLS 1.0 and 1.1 and weak suites on both the device and the service.",
       Severity::kMedium},
      CheckTrafficTlsWeakProtocol);
}

}  // namespace iotcop
