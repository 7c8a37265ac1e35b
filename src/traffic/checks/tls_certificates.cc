// traffic.tls.certificates: a server certificate seen in a TLS handshake that is expired or
// self-signed. A device that goes on talking to such a server is not validating certificates; a
// private CA is possible, so the finding says what to verify.
#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "traffic/checks/traffic_check.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckTrafficTlsCertificates(CheckContext& ctx) {
  std::size_t certs = 0;
  std::vector<FactId> basis;
  bool found = false;
  for (const Fact* s : ctx.facts().OfKind(facts::kTlsSession)) {
    const auto& chain = s->value.value("certificates", nlohmann::json::array());
    if (chain.empty()) continue;
    basis.push_back(s->id);
    certs += chain.size();
    const auto& leaf = chain.front();
    const bool expired = leaf.value("expired", false);
    const bool self_signed = leaf.value("self_signed", false);
    if (!expired && !self_signed) continue;
    const std::string server = fmt::format("{}:{}", Str(*s, "server"), s->value.value("port", 0));
    const std::string what = expired && self_signed ? "an expired, self-signed"
                             : expired              ? "an expired"
                                                    : "a self-signed";
    ctx.Report(checkutil::FindingOn(
                   {s},
                   fmt::format("{} presented {} certificate ({})", server, what,
                               leaf.value("subject", "")),
                   fmt::format("The server {} (SNI '{}') sent {} certificate: subject {}, issuer "
                               "{}, valid until {}. If the device accepted it, it does not "
                               "validate certificates and anyone on the path can impersonate "
                               "the service.",
                               server, Str(*s, "sni"), what, leaf.value("subject", ""),
                               leaf.value("issuer", ""), leaf.value("not_after", "")),
                   expired ? Severity::kHigh : Severity::kMedium),
               "cert:" + server + ":" + leaf.value("fingerprint", ""));
    found = true;
  }
  if (found) return Ok();
  if (certs) {
    ctx.Pass("5.5-1",
             fmt::format("{} server certificates seen, none expired or self-signed", certs), basis);
  } else {
    ctx.Inconclusive("5.5-1",
                     "no server certificate visible in the capture (TLS 1.3 encrypts it): the "
                     "device's certificate validation needs a live test with a forged certificate",
                     basis);
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeTrafficTlsCertificatesCheck() {
  return checkutil::MakeFunctionCheck(
      {"traffic.tls.certificates",
       "Expired or self-signed server certificates in TLS handshakes",
       {"5.5-1"},
       {InputKind::kTraffic},
       {facts::kTlsSession},
       "A device that completes a handshake with an expired or self-signed certificate likely "
       "accepts any certificate, which makes its TLS worthless against an attacker on the path.",
       "Validate the server certificate chain and expiry against a pinned CA or the system "
       "trust store; renew server certificates before they expire.",
       Severity::kMedium},
      CheckTrafficTlsCertificates);
}

}  // namespace iotcop
