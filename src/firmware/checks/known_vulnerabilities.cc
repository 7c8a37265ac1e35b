// fw.components.known-vulnerabilities: components whose version a vulnerability feed the user
// imported (`iotcop vulndb import`: NVD CVE JSON 2.0 or OSV) lists as affected. One finding per
// component, listing its vulnerabilities, with the severity of the worst CVSS score.
#include <fmt/format.h>

#include <algorithm>

#include "core/assessment.h"
#include "core/check.h"
#include "core/fact_kinds.h"
#include "firmware/listing.h"
#include "store/vulndb.h"

namespace iotcop {
namespace {

Severity FromMatch(const store::Match& m) {
  if (m.cvss) {
    if (*m.cvss >= 9.0) return Severity::kCritical;
    if (*m.cvss >= 7.0) return Severity::kHigh;
    if (*m.cvss >= 4.0) return Severity::kMedium;
    return *m.cvss > 0 ? Severity::kLow : Severity::kInfo;
  }
  std::string s = m.severity;
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (s == "CRITICAL") return Severity::kCritical;
  if (s == "HIGH") return Severity::kHigh;
  if (s == "LOW") return Severity::kLow;
  return Severity::kMedium;  // MODERATE, MEDIUM or not given
}

class KnownVulnerabilitiesCheck : public Check {
 public:
  const CheckDoc& doc() const override { return doc_; }

  Status Run(CheckContext& ctx) const override {
    const auto components = ctx.facts().OfKind(facts::kComponent);
    if (components.empty()) return Ok();
    const std::filesystem::path path = ctx.config().vulndb.empty()
                                           ? store::DefaultVulnDbPath()
                                           : std::filesystem::path(ctx.config().vulndb);
    auto db = store::VulnDb::Open(path, false);
    if (!db) {
      ctx.Inconclusive("5.3-8",
                       "components were identified but not matched: " + db.error().Describe());
      return Ok();
    }
    std::size_t checked = 0;
    for (const Fact* f : components) {
      const std::string version = f->value.value("version", "");
      if (version.empty()) continue;
      ++checked;
      const std::string name = f->value.value("name", "");
      auto matches =
          db->Find(f->value.value("vendor", ""), f->value.value("product", ""), name, version);
      if (!matches) return matches.error();
      if (matches->empty()) continue;
      Severity worst = Severity::kInfo;
      std::vector<std::string> listed;
      for (const auto& m : *matches) {
        worst = std::max(worst, FromMatch(m));
        listed.push_back(m.id + (m.cvss ? fmt::format(" (CVSS {:.1f})", *m.cvss) : "") + ": " +
                         m.why);
      }
      Finding fd;
      fd.title = fmt::format("{} {} has {} known vulnerabilit{}", name, version, matches->size(),
                             matches->size() == 1 ? "y" : "ies");
      fd.message = fmt::format("{} {} ({}) is affected by {}. First: {}", name, version,
                               f->value.value("cpe", f->value.value("purl", "")),
                               firmware::JoinBounded(listed, 20),
                               BoundExcerpt(matches->front().summary, 300));
      fd.severity = worst;
      fd.evidence.push_back(f->evidence);
      fd.facts.push_back(f->id);
      ctx.Report(std::move(fd), "component:" + name);
    }
    if (checked == 0) {
      ctx.Inconclusive("5.3-8", "no component has a known version to match");
    } else if (ctx.findings().empty()) {
      ctx.Pass("5.3-8", fmt::format("none of {} components with versions is affected by the {} "
                                    "vulnerabilities of {}",
                                    checked, db->Count(), path.string()));
    }
    return Ok();
  }

 private:
  CheckDoc doc_{
      "fw.components.known-vulnerabilities",
      "Components with known vulnerabilities",
      {"5.3-8"},
      {InputKind::kFirmware},
      {facts::kComponent},
      "A component version with published vulnerabilities that the firmware still ships shows "
      "security updates were not provided in a timely manner; attackers scan for exactly these "
      "versions.",
      "Update the component to a fixed version (or backport the fixes and record them), and "
      "track the SBOM against vulnerability feeds for every release.",
      Severity::kMedium};
};

}  // namespace

std::unique_ptr<const Check> MakeKnownVulnerabilitiesCheck() {
  return std::make_unique<KnownVulnerabilitiesCheck>();
}

}  // namespace iotcop
