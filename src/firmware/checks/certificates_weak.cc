// fw.certificates.weak: the device's own certificates (not trust-store bundles) that are expired,
// use RSA keys shorter than 2048 bits, or are signed with MD5 or SHA-1. Self-signed certificates
// are noted (low): clients cannot authenticate the device through a CA.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckCertificatesWeak(CheckContext& ctx) {
  for (const Fact* c : ctx.facts().OfKind(facts::kCertificate)) {
    if (c->value.value("bundle", false)) continue;
    const std::string where = Str(*c, "path");
    const std::string fp = Str(*c, "fingerprint");
    const std::string subject = Str(*c, "subject");
    const std::string sig = Str(*c, "sig_alg");
    const int bits = c->value.value("key_bits", 0);
    if (Str(*c, "key_type") == "rsa" && bits > 0 && bits < 2048)
      ctx.Report(
          checkutil::FindingOn(
              {c}, fmt::format("certificate {} has a {}-bit RSA key ({})", subject, bits, where),
              "RSA keys under 2048 bits are below current best practice (NIST SP 800-131A).",
              Severity::kMedium),
          "short-key:" + fp);
    std::string lower = sig;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower.find("md5") != std::string::npos || lower.find("sha1") != std::string::npos)
      ctx.Report(checkutil::FindingOn(
                     {c}, fmt::format("certificate {} is signed with {} ({})", subject, sig, where),
                     "MD5 and SHA-1 signatures can be forged with chosen-prefix collisions.",
                     Severity::kMedium),
                 "weak-signature:" + fp);
    if (c->value.value("expired", false))
      ctx.Report(checkutil::FindingOn(
                     {c},
                     fmt::format("certificate {} expired on {} ({})", subject, Str(*c, "not_after"),
                                 where),
                     "Clients that check validity refuse it, and clients that do not were "
                     "taught to ignore certificate errors.",
                     Severity::kMedium),
                 "expired:" + fp);
    if (c->value.value("self_signed", false))
      ctx.Report(checkutil::FindingOn(
                     {c}, fmt::format("certificate {} is self-signed ({})", subject, where),
                     "A self-signed device certificate cannot be authenticated by clients "
                     "through a CA; shipped in the image it is also the same on every unit.",
                     Severity::kLow),
                 "self-signed:" + fp);
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeWeakCertificatesCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.certificates.weak",
       "Weak, expired or self-signed device certificates",
       {"5.5-1"},
       {InputKind::kFirmware},
       {facts::kCertificate},
       "A device certificate with a short key, an MD5/SHA-1 signature or an expired validity is "
       "not "
       "best-practice cryptography for communication (5.5-1).",
       "Issue device certificates with RSA >= 2048 or ECDSA P-256 keys and SHA-256 signatures, "
       "per unit, from a CA clients can verify; renew them before expiry.",
       Severity::kMedium},
      CheckCertificatesWeak);
}

}  // namespace iotcop
