// Vulnerabilities collector: matches every component of this image that has a version against the
// vulnerability database the user imported (`iotcop vulndb import`, NVD CVE JSON 2.0 or OSV; the
// path is --vulndb or the default). Emits one `vulnerability` fact per match, citing the
// component's own evidence, and one `vulnerability_scan` fact saying what was matched against, so
// that a check can tell "no known vulnerability" from "nothing to match with".
#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "firmware/collector.h"
#include "vuln/vulndb.h"

namespace iotcop::firmware {
namespace {

void CollectVulnerabilities(const FirmwareInput& in, FactStore& facts, std::vector<Problem>&) {
  std::vector<const Fact*> components;
  for (const Fact* f : facts.OfKind(facts::kComponent)) {
    if (f->evidence.input == in.input) components.push_back(f);
  }
  if (components.empty()) return;
  const std::filesystem::path path = in.config == nullptr || in.config->vulndb.empty()
                                         ? vuln::DefaultVulnDbPath()
                                         : std::filesystem::path(in.config->vulndb);
  Evidence scan_ev;
  scan_ev.source = InputKind::kFirmware;
  scan_ev.input = in.input;
  scan_ev.excerpt = path.string();
  auto db = vuln::VulnDb::Open(path, false);
  if (!db) {
    facts.Add(facts::kVulnerabilityScan,
              {{"database", path.string()}, {"error", db.error().Describe()}}, scan_ev,
              "vulnerabilities");
    return;
  }
  std::size_t checked = 0, matched = 0;
  std::vector<std::string> errors;
  for (const Fact* f : components) {
    const std::string version = f->value.value("version", "");
    if (version.empty()) continue;
    ++checked;
    const std::string name = f->value.value("name", "");
    auto matches =
        db->Find(f->value.value("vendor", ""), f->value.value("product", ""), name, version);
    if (!matches) {
      errors.push_back(name + ": " + matches.error().Describe());
      continue;
    }
    for (const auto& m : *matches) {
      ++matched;
      nlohmann::json v = {{"id", m.id},
                          {"component", name},
                          {"version", version},
                          {"component_fact", f->id},
                          {"summary", BoundExcerpt(m.summary, 300)},
                          {"why", m.why},
                          {"database", path.string()}};
      if (m.cvss) v["cvss"] = *m.cvss;
      if (!m.cvss_vector.empty()) v["vector"] = m.cvss_vector;
      if (!m.severity.empty()) v["severity"] = m.severity;
      Evidence ev = f->evidence;
      ev.excerpt = BoundExcerpt(fmt::format("{} {}: {} ({})", name, version, m.id, m.why));
      facts.Add(facts::kVulnerability, std::move(v), ev, "vulnerabilities");
    }
  }
  nlohmann::json scan = {{"database", path.string()},
                         {"known", db->Count()},
                         {"components_checked", checked},
                         {"matches", matched}};
  if (!errors.empty()) scan["match_errors"] = errors;
  facts.Add(facts::kVulnerabilityScan, std::move(scan), scan_ev, "vulnerabilities");
}

}  // namespace

std::unique_ptr<const Collector> MakeVulnerabilitiesCollector() {
  return MakeFunctionCollector(
      {"vulnerabilities",
       "components with versions matched against the imported vulnerability database",
       {facts::kVulnerability, facts::kVulnerabilityScan}},
      CollectVulnerabilities);
}

}  // namespace iotcop::firmware
