// Vulnerabilities collector: matches every component of this image that has a version against the
// vulnerability database the user imported (`iotcop vulndb import`, NVD CVE JSON 2.0 or OSV; the
// path is --vulndb or the default). Emits one `vulnerability` fact per match, citing the
// component's own evidence, and one `vulnerability_scan` fact saying what was matched against, so
// that a check can tell "no known vulnerability" from "nothing to match with". The VEX documents
// of --vex are applied to every match (vuln::DecideVex): the statement that decides it is recorded
// in the match's `vex` field (status, justification, impact, source, pointer, conflicts).
#include <fmt/format.h>

#include <ctime>

#include "core/fact_kinds.h"
#include "firmware/collector.h"
#include "vuln/fetch.h"
#include "vuln/vex.h"
#include "vuln/vulndb.h"

namespace iotcop::firmware {
namespace {

nlohmann::json VexOfMatch(const vuln::VexDecision& d) {
  const vuln::VexStatement& s = *d.statement;
  nlohmann::json j = {{"status", vuln::VexStatusName(s.status)},
                      {"source", s.source},
                      {"pointer", s.pointer},
                      {"matched_by", d.matched_by}};
  if (!s.justification.empty()) j["justification"] = s.justification;
  if (!s.impact.empty()) j["impact"] = BoundExcerpt(s.impact, 500);
  if (!s.action.empty()) j["action"] = BoundExcerpt(s.action, 300);
  for (const vuln::VexStatement* o : d.overridden) {
    j["overrides"].push_back(
        fmt::format("{} ({}#{})", vuln::VexStatusName(o->status), o->source, o->pointer));
  }
  return j;
}

void CollectVulnerabilities(const FirmwareInput& in, FactStore& facts,
                            std::vector<Problem>& problems) {
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
  std::vector<vuln::VexDocument> vex;
  std::vector<std::string> vex_errors;
  if (in.config != nullptr) {
    for (const auto& file : in.config->vex) {
      auto doc = vuln::ReadVexFile(file);
      if (doc) {
        vex.push_back(std::move(*doc));
      } else {
        vex_errors.push_back(doc.error().Describe());
        Problem p;
        p.stage = "collect";
        p.input = file;
        p.message = "VEX not applied: " + doc.error().Describe();
        problems.push_back(std::move(p));
      }
    }
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
      if (!vex.empty()) {
        const vuln::VexComponent c{name,
                                   version,
                                   f->value.value("purl", ""),
                                   f->value.value("cpe", ""),
                                   f->value.value("vendor", ""),
                                   f->value.value("product", ""),
                                   f->value.value("package", ""),
                                   f->value.value("package_version", "")};
        if (auto d = vuln::DecideVex(vex, m.id, c)) v["vex"] = VexOfMatch(*d);
      }
      Evidence ev = f->evidence;
      ev.excerpt = BoundExcerpt(fmt::format("{} {}: {} ({})", name, version, m.id, m.why));
      facts.Add(facts::kVulnerability, std::move(v), ev, "vulnerabilities");
    }
  }
  nlohmann::json scan = {{"database", path.string()},
                         {"known", db->Count()},
                         {"components_checked", checked},
                         {"matches", matched}};
  // How current the database is: a database not updated for longer than --vulndb-max-age days
  // is stale, which the scan, a warning and the 5.3-8 reason say.
  const int max_age = in.config != nullptr ? in.config->vulndb_max_age_days : 7;
  scan["max_age_days"] = max_age;
  if (const std::int64_t updated = db->UpdatedAt(); updated > 0) {
    const std::int64_t age_s = std::max<std::int64_t>(0, std::time(nullptr) - updated);
    scan["updated_at"] = vuln::NvdTime(updated).substr(0, 19) + "Z";
    scan["age_days"] = age_s / 86400;
    scan["stale"] = age_s > static_cast<std::int64_t>(max_age) * 86400;
  } else {
    scan["stale"] = true;
    scan["age_days"] = nullptr;
  }
  if (scan["stale"].get<bool>()) {
    Problem p;
    p.stage = "collect";
    p.input = path.string();
    p.message = fmt::format(
        "vulnerability database {}: matches may miss vulnerabilities published since (run "
        "`iotcop vulndb update`)",
        scan["age_days"].is_null() ? std::string("has no record of when it was last updated")
                                   : fmt::format("last updated {} days ago, more than {} days",
                                                 scan["age_days"].get<std::int64_t>(), max_age));
    problems.push_back(std::move(p));
  }
  if (!errors.empty()) scan["match_errors"] = errors;
  if (in.config != nullptr && !in.config->vex.empty()) scan["vex"] = in.config->vex;
  if (!vex_errors.empty()) scan["vex_errors"] = vex_errors;
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
