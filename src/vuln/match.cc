// File: vuln/match.cc
// Components matched against the vulnerability database with VEX applied (see match.h).
#include "vuln/match.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "core/fact_kinds.h"
#include "vuln/fetch.h"
#include "vuln/vulndb.h"

namespace iotcop::vuln {

nlohmann::json VexOfMatch(const VexDecision& d) {
  const VexStatement& s = *d.statement;
  nlohmann::json j = {{"status", VexStatusName(s.status)},
                      {"source", s.source},
                      {"pointer", s.pointer},
                      {"matched_by", d.matched_by}};
  if (!s.justification.empty()) j["justification"] = s.justification;
  if (!s.impact.empty()) j["impact"] = BoundExcerpt(s.impact, 500);
  if (!s.action.empty()) j["action"] = BoundExcerpt(s.action, 300);
  for (const VexStatement* o : d.overridden) {
    j["overrides"].push_back(
        fmt::format("{} ({}#{})", VexStatusName(o->status), o->source, o->pointer));
  }
  return j;
}

void MatchIntoFacts(const CheckConfig* config, const std::vector<MatchTarget>& targets,
                    const Evidence& scan, const std::string& label, const std::string& collector,
                    FactStore& facts, std::vector<Problem>& problems) {
  if (targets.empty()) return;
  const std::filesystem::path path = config == nullptr || config->vulndb.empty()
                                         ? DefaultVulnDbPath()
                                         : std::filesystem::path(config->vulndb);
  Evidence scan_ev = scan;
  scan_ev.excerpt = path.string();
  auto db = VulnDb::Open(path, false);
  if (!db) {
    facts.Add(facts::kVulnerabilityScan,
              {{"database", path.string()}, {"matched", label}, {"error", db.error().Describe()}},
              scan_ev, collector);
    return;
  }
  std::vector<VexDocument> vex;
  std::vector<std::string> vex_errors;
  if (config != nullptr) {
    for (const auto& file : config->vex) {
      auto doc = ReadVexFile(file);
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
  nlohmann::json not_affected = nlohmann::json::array();
  nlohmann::json undecided = nlohmann::json::array();
  for (const MatchTarget& t : targets) {
    const VexComponent& c = t.component;
    if (c.version.empty()) continue;
    ++checked;
    FindQuery q{c.vendor, c.product, c.name, c.version, c.ecosystem, {}, c.package_version};
    if (!c.package.empty()) q.packages.push_back(c.package);
    if (!c.source_package.empty() && c.source_package != c.package)
      q.packages.push_back(c.source_package);
    auto found = db->Find(q);
    if (!found) {
      errors.push_back(c.name + ": " + found.error().Describe());
      continue;
    }
    for (const auto& n : found->not_affected) {
      not_affected.push_back({{"id", n.id},
                              {"component", c.name},
                              {"version", c.version},
                              {"component_fact", t.fact},
                              {"rule", n.rule},
                              {"why", n.why}});
    }
    for (const auto& u : found->undecided) {
      undecided.push_back({{"id", u.id},
                           {"component", c.name},
                           {"version", c.version},
                           {"component_fact", t.fact},
                           {"why", u.why}});
    }
    for (const auto& m : found->matches) {
      ++matched;
      nlohmann::json v = {{"id", m.id},
                          {"component", c.name},
                          {"version", c.version},
                          {"component_fact", t.fact},
                          {"summary", BoundExcerpt(m.summary, 300)},
                          {"why", m.why},
                          {"rule", MatchRuleName(m.rule)},
                          {"database", path.string()}};
      if (!m.ecosystem.empty()) v["ecosystem"] = m.ecosystem;
      if (!c.package_version.empty()) v["package_version"] = c.package_version;
      if (!m.aliases.empty()) v["aliases"] = m.aliases;
      if (m.kev) {
        v["kev"] = {{"cve", m.kev->cve},
                    {"date_added", m.kev->date_added},
                    {"due_date", m.kev->due_date},
                    {"known_ransomware_use", m.kev->ransomware},
                    {"name", m.kev->name}};
      }
      if (m.epss) {
        v["epss"] = {{"cve", m.epss->cve},
                     {"score", m.epss->score},
                     {"percentile", m.epss->percentile},
                     {"date", m.epss->date}};
      }
      if (m.cvss) v["cvss"] = *m.cvss;
      if (!m.cvss_vector.empty()) v["vector"] = m.cvss_vector;
      if (!m.severity.empty()) v["severity"] = m.severity;
      if (!vex.empty()) {
        if (auto d = DecideVex(vex, m.id, c)) v["vex"] = VexOfMatch(*d);
      }
      v.update(t.extra);
      Evidence ev = t.evidence;
      ev.excerpt = BoundExcerpt(fmt::format("{} {}: {} ({}: {}){}", c.name, c.version, m.id,
                                            MatchRuleName(m.rule), m.why,
                                            m.kev ? " [known exploited, CISA KEV]" : ""));
      facts.Add(facts::kVulnerability, std::move(v), ev, collector);
    }
  }
  nlohmann::json s = {{"database", path.string()},
                      {"matched", label},
                      {"known", db->Count()},
                      {"components_checked", checked},
                      {"matches", matched}};
  // How current the database is: a database not updated for longer than --vulndb-max-age days
  // is stale, which the scan, a warning and the 5.3-8 reason say.
  const int max_age = config != nullptr ? config->vulndb_max_age_days : 7;
  s["max_age_days"] = max_age;
  if (const std::int64_t updated = db->UpdatedAt(); updated > 0) {
    const std::int64_t age_s = std::max<std::int64_t>(0, std::time(nullptr) - updated);
    s["updated_at"] = NvdTime(updated).substr(0, 19) + "Z";
    s["age_days"] = age_s / 86400;
    s["stale"] = age_s > static_cast<std::int64_t>(max_age) * 86400;
  } else {
    s["stale"] = true;
    s["age_days"] = nullptr;
  }
  if (s["stale"].get<bool>()) {
    Problem p;
    p.stage = "collect";
    p.input = path.string();
    p.message = fmt::format(
        "vulnerability database {}: matches may miss vulnerabilities published since (run "
        "`iotcop vulndb update`)",
        s["age_days"].is_null() ? std::string("has no record of when it was last updated")
                                : fmt::format("last updated {} days ago, more than {} days",
                                              s["age_days"].get<std::int64_t>(), max_age));
    // Said once an assessment, however many inputs were matched against the same database.
    const bool said = std::any_of(problems.begin(), problems.end(), [&](const Problem& q) {
      return q.input == p.input && q.message == p.message;
    });
    if (!said) problems.push_back(std::move(p));
  }
  if (!errors.empty()) s["match_errors"] = errors;
  // What an upstream range matched and a more specific rule ruled out (a distribution's backport,
  // the kernel's stable-branch fix), so that the report can say why it is not counted.
  if (!not_affected.empty()) s["not_affected"] = std::move(not_affected);
  // Records that name the component's package with commit ranges only (OSV GIT): not a match,
  // and not ruled out either.
  if (!undecided.empty()) s["undecided"] = std::move(undecided);
  s["kev_known"] = db->KevCount();
  s["epss_known"] = db->EpssCount();
  if (config != nullptr && !config->vex.empty()) s["vex"] = config->vex;
  if (!vex_errors.empty()) s["vex_errors"] = vex_errors;
  facts.Add(facts::kVulnerabilityScan, std::move(s), scan_ev, collector);
}

}  // namespace iotcop::vuln
