// fw.certificates.weak: the device's own certificates (not trust-store bundles) that use RSA keys
// shorter than 2048 bits or are signed by a CA with MD5 or SHA-1 decide 5.5-1. Self-signed and
// expired certificates only inform it: a client that trusts a device certificate pins it rather
// than validating it, so neither shows the communication itself is weak.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::Str;

// A finding that informs 5.5-1 without deciding it.
Finding InformingCertificateFinding(Finding f) {
  f.informs = {"5.5-1"};
  return f;
}

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
    const bool self_signed = c->value.value("self_signed", false);
    if (lower.find("md5") != std::string::npos || lower.find("sha1") != std::string::npos) {
      // A self-signature is never checked by a client: its hash cannot be forged usefully.
      Finding f = checkutil::FindingOn(
          {c}, fmt::format("certificate {} is signed with {} ({})", subject, sig, where),
          self_signed ? "A self-signed certificate's own MD5 or SHA-1 signature is not what a "
                        "client relies on; it says the certificate was made with outdated tools."
                      : "MD5 and SHA-1 signatures can be forged with chosen-prefix collisions.",
          self_signed ? Severity::kLow : Severity::kMedium);
      ctx.Report(self_signed ? InformingCertificateFinding(std::move(f)) : std::move(f),
                 "weak-signature:" + fp);
    }
    if (c->value.value("expired", false))
      ctx.Report(InformingCertificateFinding(checkutil::FindingOn(
                     {c},
                     fmt::format("certificate {} expired on {} ({})", subject, Str(*c, "not_after"),
                                 where),
                     "Clients that check validity refuse it, and clients that do not were "
                     "taught to ignore certificate errors.",
                     Severity::kMedium)),
                 "expired:" + fp);
    if (self_signed)
      ctx.Report(InformingCertificateFinding(checkutil::FindingOn(
                     {c}, fmt::format("certificate {} is self-signed ({})", subject, where),
                     "A self-signed device certificate cannot be authenticated by clients "
                     "through a CA; shipped in the image it is also the same on every unit.",
                     Severity::kLow)),
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
       "A device certificate with an RSA key under 2048 bits, or a CA's MD5/SHA-1 signature, is "
       "not best-practice cryptography for communication (5.5-1). Self-signed and expired "
       "certificates, and the hash of a self-signature, only inform 5.5-1: clients of a device "
       "certificate pin it rather than validate it, so they do not show weak communication.",
       "Issue device certificates with RSA >= 2048 or ECDSA P-256 keys and SHA-256 signatures, "
       "per unit, from a CA clients can verify; renew them before expiry.",
       Severity::kMedium,
       false,
       {"5.5-1"}},
      CheckCertificatesWeak);
}

}  // namespace iotcop
