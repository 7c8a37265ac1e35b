// fw.updates.integrity: the update mechanism fetches firmware in cleartext (HTTP, FTP, TFTP) or
// installs it without verifying a signature. One finding per mechanism and problem.
#include <fmt/format.h>

#include <map>
#include <set>

#include "core/check.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

// What the image says about secure boot: signed images (FIT signature nodes, fwtool or AVB
// trailers) can be verified by the boot loader or the updater, unsigned ones cannot; whether
// verification is enforced is never visible in the image alone.
std::string SecureBootReason(const CheckContext& ctx) {
  std::map<std::string, std::size_t> signed_images, unsigned_images;
  for (const Fact* f : ctx.facts().OfKind(facts::kImageSignature)) {
    const std::string format = f->value.value("format", "fit");
    (f->value.value("signed", false) ? signed_images : unsigned_images)[format] += 1;
  }
  std::string reason;
  for (const auto& [format, n] : signed_images) {
    reason += fmt::format(
        "{} {} image(s) or trailer(s) carry a signature that the boot loader or "
        "updater can verify; ",
        n, format);
  }
  for (const auto& [format, n] : unsigned_images) {
    reason += fmt::format(
        "{} {} image(s) or trailer(s) carry no signature, so nothing can verify "
        "them; ",
        n, format);
  }
  return reason +
         "whether secure boot is enforced depends on the boot loader and hardware, which the image "
         "alone does not show";
}

class UpdateIntegrityCheck : public Check {
 public:
  const CheckDoc& doc() const override { return doc_; }

  Status Run(CheckContext& ctx) const override {
    const auto mechanisms = ctx.facts().OfKind(facts::kUpdateMechanism);
    if (mechanisms.empty()) {
      for (const auto& p : doc_.provisions) {
        ctx.Inconclusive(
            p, p == "5.7-1" ? SecureBootReason(ctx)
                            : "no update mechanism found in the image: updates may come another "
                              "way (declaration or live test decides)");
      }
      return Ok();
    }
    std::set<std::string> failed;
    std::size_t network = 0, verifying = 0;
    std::vector<FactId> basis;
    for (const Fact* f : mechanisms) {
      const auto& v = f->value;
      basis.push_back(f->id);
      const std::string path = v.value("path", "");
      const std::string mech = v.value("mechanism", "");
      const std::string transport = v.value("transport", "local");
      const bool verifies =
          v["verifies_signature"].is_boolean() && v["verifies_signature"].get<bool>();
      if (verifies) ++verifying;
      if (transport != "local") ++network;
      if (transport == "http" || transport == "ftp" || transport == "tftp") {
        Finding fd;
        fd.title = fmt::format("{} fetches updates over cleartext {}", path, transport);
        fd.message = fmt::format(
            "The {} update mechanism downloads from {} without TLS: anyone on the path can "
            "read the image and{} replace it.",
            mech, v.value("url", ""),
            verifies ? ", although the signature check would catch it, " : "");
        fd.provisions = {"5.3-7", "5.3-10"};
        fd.severity = verifies ? Severity::kMedium : Severity::kHigh;
        fd.evidence.push_back(f->evidence);
        fd.facts.push_back(f->id);
        ctx.Report(std::move(fd), "cleartext:" + path + ":" + v.value("url", ""));
        failed.insert({"5.3-7", "5.3-10"});
      }
      if (!verifies && v["verifies_signature"].is_boolean()) {
        Finding fd;
        fd.title = fmt::format("{} installs updates without verifying a signature", path);
        fd.message = fmt::format(
            "The {} update mechanism{} does not check the authenticity of "
            "what it installs ({}).",
            mech, v.value("flashes", false) ? " writes flash but" : "",
            v.value("verification", ""));
        fd.provisions = {"5.3-9", "5.3-10"};
        if (transport != "local") fd.provisions.push_back("5.3-2");
        fd.severity = Severity::kHigh;
        fd.evidence.push_back(f->evidence);
        fd.facts.push_back(f->id);
        failed.insert(fd.provisions.begin(), fd.provisions.end());
        ctx.Report(std::move(fd), "unverified:" + path);
      }
    }
    auto say = [&](const std::string& p, bool pass, const std::string& reason) {
      if (failed.count(p)) return;
      if (pass) {
        ctx.Pass(p, reason, basis);
      } else {
        ctx.Inconclusive(p, reason, basis);
      }
    };
    const std::size_t n = mechanisms.size();
    say("5.3-2", verifying > 0,
        verifying ? fmt::format("{} of {} update mechanisms verify signatures", verifying, n)
                  : "no update mechanism is known to verify signatures");
    say("5.3-7", network > 0,
        network ? "every update URL uses TLS" : "no update URL found: the transport is unknown");
    say("5.3-9", verifying == n,
        fmt::format("{} of {} update mechanisms verify signatures", verifying, n));
    say("5.3-10", verifying == n && network > 0,
        fmt::format("{} of {} update mechanisms verify signatures; {} fetch over the network",
                    verifying, n, network));
    say("5.7-1", false, SecureBootReason(ctx));
    return Ok();
  }

 private:
  CheckDoc doc_{
      "fw.updates.integrity",
      "Updates fetched in cleartext or installed without signature verification",
      {"5.3-2", "5.3-7", "5.3-9", "5.3-10", "5.7-1"},
      {InputKind::kFirmware},
      {facts::kUpdateMechanism},
      "An update that is fetched over HTTP, FTP or TFTP, or flashed without checking a "
      "signature, lets anyone on the network path or with access to the update server install "
      "their own firmware on every device.",
      "Fetch updates over HTTPS with certificate verification, sign every image and verify the "
      "signature on the device against a key in read-only storage before flashing (usign, "
      "RAUC, SWUpdate with a public key, Mender ArtifactVerifyKey).",
      Severity::kHigh};
};

}  // namespace

std::unique_ptr<const Check> MakeUpdateIntegrityCheck() {
  return std::make_unique<UpdateIntegrityCheck>();
}

}  // namespace iotcop
