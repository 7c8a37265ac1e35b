// File: network/checks/tls.cc
// net.tls.*: TLS listeners of the live device — old protocol versions (SSLv3, TLS 1.0, 1.1)
// accepted, weak cipher suites accepted, and certificates that are expired or use weak keys or
// signatures (these decide 5.5-1). A certificate whose chain does not verify against the system
// trust store (self-signed, unknown CA) or that does not name the host asked for only informs
// 5.5-1: it is the norm for a device on a home network, and clients may pin it.
#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "network/checks/net_check.h"
#include "network/socket.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status RunVersions(CheckContext& ctx) {
  for (const Fact* t : ctx.facts().OfKind(facts::kTlsEndpoint)) {
    std::vector<std::string> old;
    for (const char* v : {"SSLv3", "TLSv1.0", "TLSv1.1"})
      if (t->value["versions"].value(v, nlohmann::json(false)) == true) old.emplace_back(v);
    if (old.empty()) continue;
    ctx.Report(
        checkutil::FindingOn(
            {t}, fmt::format("{} accepts {}", network::AddressPort(*t), fmt::join(old, ", ")),
            fmt::format("The TLS listener completes handshakes with {}: "
                        "deprecated protocol versions (RFC 8996) that "
                        "allow downgrade and known attacks.",
                        fmt::join(old, ", ")),
            old.front() == "SSLv3" ? Severity::kHigh : Severity::kMedium),
        "tls-versions:" + network::AddressPort(*t));
  }
  return Ok();
}

Status RunCiphers(CheckContext& ctx) {
  for (const Fact* t : ctx.facts().OfKind(facts::kTlsEndpoint)) {
    const auto& weak = t->value["weak_ciphers"];
    if (!weak.is_array() || weak.empty()) continue;
    std::vector<std::string> names;
    for (const auto& w : weak) names.push_back(w.value("version", "") + " " + w.value("name", ""));
    ctx.Report(checkutil::FindingOn(
                   {t},
                   fmt::format("{} accepts {} weak cipher suite(s): {}", network::AddressPort(*t),
                               weak.size(), fmt::join(names, ", ")),
                   fmt::format("The server agrees to suites that are not "
                               "best-practice cryptography ({}).",
                               weak[0].value("why", "")),
                   Severity::kMedium),
               "tls-ciphers:" + network::AddressPort(*t));
  }
  return Ok();
}

Status RunCertificate(CheckContext& ctx) {
  for (const Fact* t : ctx.facts().OfKind(facts::kTlsEndpoint)) {
    const auto& c = t->value.value("certificate", nlohmann::json());
    if (!c.is_object() || c.empty()) continue;
    std::vector<std::string> why;
    if (c.value("expired", false)) why.push_back("expired " + c.value("not_after", ""));
    const std::string kt = c.value("key_type", "");
    const int bits = c.value("key_bits", 0);
    if ((kt == "rsa" || kt == "dsa") && bits > 0 && bits < 2048)
      why.push_back(fmt::format("{}-bit {} key", bits, kt));
    if (kt == "ec" && bits > 0 && bits < 224) why.push_back(fmt::format("{}-bit EC key", bits));
    const std::string sig = c.value("sig_alg", "");
    if (sig.find("md5") != std::string::npos || sig.find("MD5") != std::string::npos ||
        sig.find("sha1") != std::string::npos || sig.find("SHA1") != std::string::npos)
      why.push_back("signed with " + sig);
    if (c.contains("verified") && c["verified"] == false) {
      const std::string reason = c.value("verify_reason", "");
      Finding f = checkutil::FindingOn(
          {t},
          fmt::format("the certificate of {} does not verify: {}", network::AddressPort(*t),
                      reason),
          fmt::format(
              "Certificate '{}' issued by '{}': {} against the system trust store ({}); "
              "the name asked, {}, {}. A client that validates certificates refuses it; "
              "one that pins it is not harmed.",
              c.value("subject", ""), c.value("issuer", ""),
              c.value("chain_verified", false) ? "the chain verifies" : "the chain does not verify",
              c.value("verify_error", ""), c.value("name_checked", ""),
              c.value("name_match", false) ? "matches" : "does not match"),
          Severity::kLow);
      f.informs = {"5.5-1"};
      ctx.Report(std::move(f), "tls-chain:" + network::AddressPort(*t));
    }
    if (why.empty()) continue;
    ctx.Report(checkutil::FindingOn({t},
                                    fmt::format("the certificate of {} is weak: {}",
                                                network::AddressPort(*t), fmt::join(why, "; ")),
                                    fmt::format("Certificate '{}' ({}): clients cannot rely on it.",
                                                c.value("subject", ""), fmt::join(why, "; ")),
                                    Severity::kMedium),
               "tls-cert:" + network::AddressPort(*t));
  }
  return Ok();
}

CheckDoc Doc(std::string id, std::string title, std::string rationale, std::string remediation,
             std::vector<std::string> informs = {}) {
  return {std::move(id),          std::move(title),      {"5.5-1"},
          {InputKind::kNetwork},  {facts::kTlsEndpoint}, std::move(rationale),
          std::move(remediation), Severity::kMedium,     false,
          std::move(informs)};
}

}  // namespace

std::unique_ptr<const Check> MakeNetTlsVersionsCheck() {
  return checkutil::MakeFunctionCheck(
      Doc("net.tls.versions", "Deprecated TLS versions accepted",
          "SSLv3, TLS 1.0 and 1.1 are deprecated (RFC 7568, RFC 8996); accepting them is not "
          "best-practice cryptography (5.5-1). Each version is tried on its own.",
          "Accept TLS 1.2 and 1.3 only."),
      RunVersions);
}

std::unique_ptr<const Check> MakeNetTlsCiphersCheck() {
  return checkutil::MakeFunctionCheck(
      Doc("net.tls.ciphers", "Weak TLS cipher suites accepted",
          "NULL, anonymous, export, RC4, DES/3DES and MD5 suites are broken or deprecated (5.5-1).",
          "Offer only AEAD suites with forward secrecy (ECDHE with AES-GCM or ChaCha20-Poly1305)."),
      RunCiphers);
}

std::unique_ptr<const Check> MakeNetTlsCertificateCheck() {
  return checkutil::MakeFunctionCheck(
      Doc("net.tls.certificate", "Weak, expired or unverifiable TLS certificate",
          "An expired certificate, an RSA key under 2048 bits or an MD5/SHA-1 signature is not "
          "best-practice cryptography (5.5-1). The chain is also verified against the system "
          "trust store and the certificate must name the host asked for (OpenSSL "
          "X509_verify_cert, X509_check_host/X509_check_ip_asc); a failure (self-signed, unknown "
          "CA, name mismatch) only informs 5.5-1, with the reason: a device certificate is "
          "usually self-signed and clients may pin it.",
          "Use a certificate with a 2048-bit (or larger) RSA or a P-256 key, signed with SHA-256, "
          "valid for the device's life or renewed; where clients validate it, one issued by a CA "
          "they trust for the name they use.",
          {"5.5-1"}),
      RunCertificate);
}

}  // namespace iotcop
