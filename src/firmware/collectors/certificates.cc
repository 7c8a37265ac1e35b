// Certificates collector: X.509 certificates in the image (PEM anywhere, DER files), with validity,
// self-signature, key size and signature algorithm. Trust-store bundles are marked as such: they
// are the device's trust anchors, not its identity. Emits `certificate` facts.
#include <fmt/format.h>

#include "core/evidence.h"
#include "core/fact_kinds.h"
#include "credentials/keys.h"
#include "firmware/collector.h"
#include "firmware/text.h"

namespace iotcop::firmware {
namespace {

constexpr std::uint64_t kMaxCertFile = 16u << 20;

bool BundlePath(std::string_view p) {
  return p.find("ca-certificates") != std::string_view::npos ||
         p.find("ca-bundle") != std::string_view::npos ||
         p.find("cacert") != std::string_view::npos ||
         p.find("/certs/ca-") != std::string_view::npos ||
         p.find("trust") != std::string_view::npos;
}

void CollectCertificates(const FirmwareInput& in, FactStore& facts, std::vector<Problem>&) {
  for (const unpack::Entry* e : RegularFiles(in.tree, kMaxCertFile)) {
    const std::string_view b = Basename(e->path);
    const bool der_name =
        b.ends_with(".der") || b.ends_with(".crt") || b.ends_with(".cer") || b.ends_with(".cert");
    if (e->size == 0) continue;
    const auto data = ReadCapped(in.tree, *e, kMaxCertFile);
    if (!data) continue;
    if (data->find("CERTIFICATE-----") == std::string::npos && !der_name) continue;
    const auto certs = credentials::FindCertificates(*data);
    const bool bundle = certs.size() > 3 || BundlePath(e->path);
    for (const auto& c : certs) {
      nlohmann::json v = credentials::CertificateFields(c);
      v["key_fingerprint"] = c.key_fingerprint;
      v["path"] = in.tree.DisplayPath(*e);
      v["bundle"] = bundle;
      facts.Add(facts::kCertificate, v,
                FileEvidence(in, *e, std::nullopt,
                             fmt::format("subject {} issuer {}", c.subject, c.issuer),
                             c.offset ? std::optional(c.offset) : std::nullopt),
                "certificates");
    }
  }
}

}  // namespace

std::unique_ptr<const Collector> MakeCertificatesCollector() {
  return MakeFunctionCollector(
      {"certificates", "X.509 certificates: validity, signature, key size", {facts::kCertificate}},
      CollectCertificates);
}

}  // namespace iotcop::firmware
