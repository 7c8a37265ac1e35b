// fw.components.known-vulnerabilities: components whose version the vulnerability database
// (`iotcop vulndb update` or `import`: NVD CVE JSON 2.0 or OSV) lists as affected, as the
// vulnerabilities collector matched them, and live services whose announced version is (network/
// vulnerabilities.cc: the same matcher, vuln/match.h). One finding per component or live service,
// listing its vulnerabilities, with the severity of the worst CVSS score; a live one names the
// endpoint and the banner, and says the evidence is live. A match that a VEX statement (--vex)
// says is not_affected or fixed is suppressed: it makes no finding, and is named, with the
// statement's justification and source, in the finding of its component or in the PASS reason;
// under_investigation and affected keep the finding and say so. No match on a stale database
// (older than --vulndb-max-age days, docs/vulndb.md) is INCONCLUSIVE, not PASS. A vulnerability in
// CISA's KEV catalog raises its severity one level, to at least High, and its component's finding
// comes first (then the more severe, then the higher EPSS score); each match names the rule that
// decided it, and what a distribution's backport or a stable-branch fix ruled out is listed.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/assessment.h"
#include "core/check.h"
#include "core/fact_kinds.h"
#include "firmware/listing.h"

namespace iotcop {
namespace {

Severity FromScore(const nlohmann::json& v) {
  if (v.contains("cvss") && v["cvss"].is_number()) {
    const double cvss = v["cvss"].get<double>();
    if (cvss >= 9.0) return Severity::kCritical;
    if (cvss >= 7.0) return Severity::kHigh;
    if (cvss >= 4.0) return Severity::kMedium;
    return cvss > 0 ? Severity::kLow : Severity::kInfo;
  }
  std::string s = v.value("severity", "");
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (s == "CRITICAL") return Severity::kCritical;
  if (s == "HIGH") return Severity::kHigh;
  if (s == "LOW") return Severity::kLow;
  return Severity::kMedium;  // MODERATE, MEDIUM or not given
}

bool KnownExploited(const nlohmann::json& v) { return v.contains("kev") && v["kev"].is_object(); }

// A vulnerability in CISA's KEV catalog is exploited in the wild now: one level above its score's
// rating, and at least High (a Low one becomes High, a High one Critical).
Severity FromVulnerability(const nlohmann::json& v) {
  const Severity base = FromScore(v);
  if (!KnownExploited(v)) return base;
  const Severity raised = base >= Severity::kCritical
                              ? Severity::kCritical
                              : static_cast<Severity>(static_cast<int>(base) + 1);
  return std::max(raised, Severity::kHigh);
}

double EpssOf(const nlohmann::json& v) {
  if (!v.contains("epss") || !v["epss"].is_object()) return -1;
  const auto& s = v["epss"];
  return s.contains("score") && s["score"].is_number() ? s["score"].get<double>() : -1;
}

// " [known exploited: CISA KEV since 2023-05-12, ransomware: Known] [EPSS 0.943, 99.9th
// percentile]": what says to fix it first.
std::string PriorityNote(const nlohmann::json& v) {
  std::string note;
  if (KnownExploited(v)) {
    const auto& k = v["kev"];
    note += fmt::format(
        " [known exploited: CISA KEV since {}{}]", k.value("date_added", "?"),
        k.value("known_ransomware_use", "") == "Known" ? ", used in ransomware campaigns" : "");
  }
  if (const double e = EpssOf(v); e >= 0) {
    const auto& p = v["epss"];
    note += fmt::format(" [EPSS {:.3f}, percentile {:.3f}]", e,
                        p.contains("percentile") && p["percentile"].is_number()
                            ? p["percentile"].get<double>()
                            : 0.0);
  }
  return note;
}

// KEV first, then the more severe, then the likelier to be exploited (EPSS).
bool KnownVulnBefore(const nlohmann::json& a, const nlohmann::json& b) {
  if (KnownExploited(a) != KnownExploited(b)) return KnownExploited(a);
  if (FromVulnerability(a) != FromVulnerability(b))
    return FromVulnerability(a) > FromVulnerability(b);
  return EpssOf(a) > EpssOf(b);
}

// " [VEX under_investigation: vex.json#/statements/0]", with the statements a later file overrode.
std::string VexNote(const nlohmann::json& v) {
  if (!v.contains("vex") || !v["vex"].is_object()) return {};
  const auto& x = v["vex"];
  std::string note = fmt::format(
      " [VEX {}{}: {}#{}", x.value("status", ""),
      x.contains("justification") ? " (" + x.value("justification", "") + ")" : std::string(),
      x.value("source", ""), x.value("pointer", ""));
  if (x.contains("overrides") && x["overrides"].is_array()) {
    std::vector<std::string> o;
    for (const auto& e : x["overrides"])
      if (e.is_string()) o.push_back(e.get<std::string>());
    note += "; overrides " + firmware::JoinBounded(o, 5);
  }
  return note + "]";
}

// "busybox 1.19.4", or for a live service "live service dropbear 2022.83 on 127.0.0.2:22/tcp".
std::string KnownVulnSubject(const nlohmann::json& v) {
  const std::string s = v.value("component", "") + " " + v.value("version", "");
  return v.value("live", false) ? "live service " + s + " on " + v.value("endpoint", "") : s;
}

bool SuppressedByVex(const nlohmann::json& v) {
  if (!v.contains("vex") || !v["vex"].is_object()) return false;
  const std::string status = v["vex"].value("status", "");
  return status == "not_affected" || status == "fixed";
}

class KnownVulnerabilitiesCheck : public Check {
 public:
  const CheckDoc& doc() const override { return doc_; }

  Status Run(CheckContext& ctx) const override {
    const auto scans = ctx.facts().OfKind(facts::kVulnerabilityScan);
    if (scans.empty()) return Ok();
    std::size_t checked = 0, known = 0;
    std::string database, match_error, stale;
    std::map<std::string, std::size_t> checked_by;  // "components", "live services"
    for (const Fact* s : scans) {
      if (s->value.contains("error")) {
        ctx.Inconclusive(
            "5.3-8", "components were identified but not matched: " + s->value.value("error", ""));
        return Ok();
      }
      checked += s->value.value("components_checked", std::size_t{0});
      checked_by[s->value.value("matched", "components")] +=
          s->value.value("components_checked", std::size_t{0});
      known = std::max(known, s->value.value("known", std::size_t{0}));
      database = s->value.value("database", "");
      if (s->value.value("stale", false) && stale.empty()) {
        const auto& age = s->value.contains("age_days") ? s->value["age_days"] : nullptr;
        stale = fmt::format(
            "the vulnerability database {} {} (--vulndb-max-age {}; `iotcop vulndb update`): "
            "vulnerabilities published since are not known to it",
            database,
            age.is_number_integer()
                ? fmt::format("was last updated {} days ago", age.get<std::int64_t>())
                : std::string("has no record of its last update"),
            s->value.value("max_age_days", 7));
      }
      for (const auto& e : s->value.value("match_errors", nlohmann::json::array()))
        if (match_error.empty() && e.is_string()) match_error = e.get<std::string>();
    }
    // One finding per component, listing its vulnerabilities.
    std::map<FactId, std::vector<const Fact*>> by_component;
    std::map<FactId, std::vector<std::string>> suppressed;  // by VEX, per component
    std::vector<std::string> suppressed_all;
    for (const Fact* v : ctx.facts().OfKind(facts::kVulnerability)) {
      const FactId component_id = v->value.value("component_fact", FactId{0});
      if (SuppressedByVex(v->value)) {
        std::string line = v->value.value("id", "") + VexNote(v->value);
        if (const std::string impact = v->value["vex"].value("impact", ""); !impact.empty())
          line += " \"" + impact + "\"";
        suppressed_all.push_back(KnownVulnSubject(v->value) + ": " + line);
        suppressed[component_id].push_back(std::move(line));
      } else {
        by_component[component_id].push_back(v);
      }
    }
    // What a more specific rule ruled out (a distribution's backport, a stable-branch fix).
    std::map<FactId, std::vector<std::string>> ruled_out;
    std::vector<std::string> ruled_out_all;
    for (const Fact* s : scans) {
      for (const auto& n : s->value.value("not_affected", nlohmann::json::array())) {
        if (!n.is_object()) continue;
        const std::string line =
            fmt::format("{} ({}: {})", n.value("id", ""), n.value("rule", ""), n.value("why", ""));
        ruled_out[n.value("component_fact", FactId{0})].push_back(line);
        ruled_out_all.push_back(n.value("component", "") + " " + n.value("version", "") + ": " +
                                line);
      }
    }
    // Components with a known exploited vulnerability first, then by their worst severity.
    std::vector<std::pair<FactId, std::vector<const Fact*>>> ordered(by_component.begin(),
                                                                     by_component.end());
    for (auto& [id, vulns] : ordered) {
      std::stable_sort(vulns.begin(), vulns.end(), [](const Fact* a, const Fact* b) {
        return KnownVulnBefore(a->value, b->value);
      });
    }
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
      return KnownVulnBefore(a.second.front()->value, b.second.front()->value);
    });
    for (const auto& [component_id, vulns] : ordered) {
      const Fact& component = ctx.facts().at(component_id);
      const nlohmann::json& first = vulns.front()->value;
      const std::string name = first.value("component", "");
      const std::string version = first.value("version", "");
      const bool live = first.value("live", false);
      std::string id = first.value("cpe", component.value.value("cpe", ""));
      if (id.empty()) id = component.value.value("purl", "");
      Severity worst = Severity::kInfo;
      std::vector<std::string> listed;
      for (const Fact* v : vulns) {
        worst = std::max(worst, FromVulnerability(v->value));
        const auto& j = v->value;
        listed.push_back(
            j.value("id", "") +
            (j.contains("cvss") ? fmt::format(" (CVSS {:.1f})", j["cvss"].get<double>()) : "") +
            ": " + j.value("why", "") +
            (j.contains("rule") ? " [" + j.value("rule", "") + "]" : std::string()) +
            PriorityNote(j) + VexNote(j));
      }
      const std::size_t exploited = std::count_if(
          vulns.begin(), vulns.end(), [](const Fact* v) { return KnownExploited(v->value); });
      Finding fd;
      fd.title = fmt::format(
          "{} has {} known vulnerabilit{}{}", KnownVulnSubject(first), vulns.size(),
          vulns.size() == 1 ? "y" : "ies",
          exploited ? fmt::format(", {} known exploited (CISA KEV)", exploited) : std::string());
      fd.message = fmt::format(
          "{}{} {} ({}) is affected by {}. First: {}",
          live ? fmt::format("Live evidence: the service on {} announces \"{}\"; ",
                             first.value("endpoint", ""), first.value("banner", ""))
               : std::string(),
          name, version, id, firmware::JoinBounded(listed, 20), first.value("summary", ""));
      if (auto out = ruled_out.find(component_id); out != ruled_out.end()) {
        fd.message += ". Ruled out: " + firmware::JoinBounded(out->second, 20);
      }
      if (auto sup = suppressed.find(component_id); sup != suppressed.end()) {
        fd.message += ". Not counted, by VEX statement: " + firmware::JoinBounded(sup->second, 20);
      }
      fd.severity = worst;
      fd.evidence.push_back(component.evidence);
      fd.facts.push_back(component.id);
      for (const Fact* v : vulns) fd.facts.push_back(v->id);
      ctx.Report(std::move(fd), live ? "service:" + name + "@" + first.value("endpoint", "")
                                     : "component:" + name);
    }
    std::vector<std::string> what;
    for (const auto& [label, n] : checked_by) what.push_back(fmt::format("{} {}", n, label));
    const std::string counted = firmware::JoinBounded(what, 4);
    if (checked == 0) {
      ctx.Inconclusive("5.3-8", "no component has a known version to match");
    } else if (ctx.findings().empty() && !stale.empty()) {
      // No match on a stale database shows nothing about vulnerabilities published since.
      ctx.Inconclusive("5.3-8", fmt::format("none of {} components with versions is affected by "
                                            "the {} vulnerabilities known, but {}",
                                            checked, known, stale));
    } else if (ctx.findings().empty() && !match_error.empty()) {
      ctx.Inconclusive("5.3-8", "some components could not be matched: " + match_error);
    } else if (ctx.findings().empty() && !suppressed_all.empty()) {
      ctx.Pass("5.3-8",
               fmt::format("none of the {} with versions is affected by the {} "
                           "vulnerabilities of {} once VEX statements are applied; {} match{} "
                           "not counted: {}",
                           counted, known, database, suppressed_all.size(),
                           suppressed_all.size() == 1 ? "" : "es",
                           firmware::JoinBounded(suppressed_all, 20)));
    } else if (ctx.findings().empty()) {
      ctx.Pass("5.3-8",
               fmt::format("none of the {} with versions is affected by the {} "
                           "vulnerabilities of {}{}",
                           counted, known, database,
                           ruled_out_all.empty() ? std::string()
                                                 : "; ruled out by a more specific rule: " +
                                                       firmware::JoinBounded(ruled_out_all, 20)));
    }
    return Ok();
  }

 private:
  CheckDoc doc_{
      "fw.components.known-vulnerabilities",
      "Components with known vulnerabilities",
      {"5.3-8"},
      {InputKind::kFirmware, InputKind::kNetwork},
      {facts::kVulnerabilityScan},
      "A component version with published vulnerabilities that the firmware still ships, or that "
      "a live service announces (SSH identification, HTTP/RTSP Server header, FTP greeting, SSDP "
      "SERVER), shows security updates were not provided in a timely manner; attackers scan for "
      "exactly these versions.",
      "Update the component to a fixed version (or backport the fixes and record them), and "
      "track the SBOM against vulnerability feeds for every release.",
      Severity::kMedium};
};

}  // namespace

std::unique_ptr<const Check> MakeKnownVulnerabilitiesCheck() {
  return std::make_unique<KnownVulnerabilitiesCheck>();
}

}  // namespace iotcop
