// SARIF 2.1.0 report: one run; a rule per check the assessment considered (from its CheckDoc), a
// result per finding with its evidence as locations, the inputs as artifacts and the problems as
// tool execution notifications. Validated in tests by the SARIF Multitool.
#include <algorithm>
#include <cctype>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "report/renderer.h"
#include "report/util.h"

namespace iotcop::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* Level(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh:
      return "error";
    case Severity::kMedium:
      return "warning";
    case Severity::kLow:
    case Severity::kInfo:
      return "note";
  }
  return "warning";
}

// GitHub code scanning ranks security results by this score (0.1-3.9 low ... 9.0+ critical).
const char* SecuritySeverity(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "9.5";
    case Severity::kHigh:
      return "8.0";
    case Severity::kMedium:
      return "5.5";
    case Severity::kLow:
      return "3.0";
    case Severity::kInfo:
      return "0.0";
  }
  return "5.5";
}

// Percent-encodes everything but RFC 3986 unreserved characters and '/'.
std::string UriEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

// The input as a relative reference: as the user gave it when relative, else its file name.
std::string InputReference(std::string_view input) {
  const fs::path p(input);
  std::string s = p.is_absolute() ? p.filename().string() : p.lexically_normal().generic_string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s.empty() ? std::string(input) : s;
}

// "<input>/<root name>/etc/passwd" for the evidence path "<root name>!/etc/passwd".
std::string ArtifactUri(const Evidence& e) {
  std::string path = e.path;
  for (std::size_t at; (at = path.find("!/")) != std::string::npos;) path.replace(at, 2, "/");
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  std::string uri = InputReference(e.input);
  if (!path.empty()) uri += "/" + path;
  return UriEscape(uri);
}

// SARIF messages are sentences.
std::string Sentence(std::string s) {
  if (s.empty()) return s;
  if (s.back() != '.' && s.back() != '!' && s.back() != '?') s += '.';
  return s;
}

json Text(const std::string& s) { return {{"text", Sentence(s)}}; }

// The rule's friendly name: "fw.accounts.default-password" -> "FwAccountsDefaultPassword".
std::string PascalName(std::string_view id) {
  std::string out;
  bool upper = true;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper = false;
  }
  return out;
}

json Rule(const CheckDoc& d) {
  json tags = json::array({"security", "iot"});
  for (const auto& p : d.provisions) tags.push_back("EN 303 645 " + p);
  for (const auto& p : d.informs) tags.push_back("EN 303 645 " + p + " (informs)");
  json rule = {{"id", d.id},
               {"name", PascalName(d.id)},
               {"shortDescription", Text(d.title.empty() ? d.id : d.title)},
               {"defaultConfiguration", {{"level", Level(d.severity)}}},
               {"properties",
                {{"provisions", d.provisions},
                 {"informs", d.informs},
                 {"tags", tags},
                 {"precision", "high"},
                 {"security-severity", SecuritySeverity(d.severity)}}}};
  if (!d.rationale.empty()) rule["fullDescription"] = Text(d.rationale);
  if (!d.remediation.empty()) rule["help"] = Text(d.remediation);
  return rule;
}

json Location(const Evidence& e) {
  json loc = json::object();
  // Files (firmware, captures, declarations) are artifacts; a live endpoint is a logical location.
  if (!e.input.empty() && e.source != InputKind::kNetwork) {
    json phys = {{"artifactLocation", {{"uri", ArtifactUri(e)}}}};
    json region = json::object();
    if (e.line) region["startLine"] = *e.line;
    if (e.offset && !e.line) region["byteOffset"] = *e.offset;
    if (!region.empty()) {
      if (!e.excerpt.empty()) region["snippet"] = {{"text", ValidUtf8(e.excerpt)}};
      phys["region"] = region;
    }
    loc["physicalLocation"] = phys;
  }
  if (!e.endpoint.empty()) {
    loc["logicalLocations"] = json::array({{{"name", e.endpoint}, {"kind", "resource"}}});
  }
  // What a region cannot carry (an excerpt without a line or offset, a packet number) goes in the
  // location's message, so nothing a reader needs to reproduce the finding is lost.
  std::string note = "At " + e.Locator();
  if (!e.excerpt.empty() && !loc.contains("physicalLocation")) note += ": " + e.excerpt;
  if (!e.excerpt.empty() && loc.contains("physicalLocation") &&
      !loc["physicalLocation"].contains("region")) {
    note += ": " + e.excerpt;
  }
  loc["message"] = Text(ValidUtf8(note));
  return loc;
}

json Result(const Finding& f, std::size_t rule_index) {
  std::string text = f.title;
  if (!f.message.empty()) text = Sentence(text) + " " + f.message;
  json locations = json::array();
  for (const auto& e : f.evidence) locations.push_back(Location(e));
  // A finding that decides no provision only informs: SARIF's "informational" kind, whose level
  // must be "none" (SARIF 2.1.0 §3.27.9, §3.27.10).
  const bool informs_only = f.provisions.empty() && !f.informs.empty();
  json r = {{"ruleId", f.check_id},
            {"ruleIndex", rule_index},
            {"kind", informs_only ? "informational" : "fail"},
            {"level", informs_only ? "none" : Level(f.severity)},
            {"message", Text(text)},
            {"partialFingerprints", {{"iotcopFingerprint/v1", f.fingerprint}}},
            {"properties",
             {{"provisions", f.provisions},
              {"severity", SeverityName(f.severity)},
              {"remediation", f.remediation}}}};
  if (!f.informs.empty()) r["properties"]["informs"] = f.informs;
  if (!locations.empty()) r["locations"] = locations;
  return r;
}

class SarifRenderer final : public Renderer {
 public:
  const RendererDoc& doc() const override { return doc_; }

  Status Render(const Assessment& a, const Catalogue&, std::ostream& out) const override {
    // Rules: every check the assessment considered, then any check a finding names that is not
    // among them (a finding must always resolve to a rule).
    json rules = json::array();
    std::vector<std::string> rule_ids;
    for (const auto& c : a.checks) {
      rules.push_back(Rule(c.doc.id.empty() ? CheckDoc{c.check_id} : c.doc));
      rule_ids.push_back(c.check_id);
    }
    for (const auto& f : a.findings) {
      if (std::find(rule_ids.begin(), rule_ids.end(), f.check_id) != rule_ids.end()) continue;
      CheckDoc d{f.check_id, f.check_id, f.provisions};
      d.severity = f.severity;
      rules.push_back(Rule(d));
      rule_ids.push_back(f.check_id);
    }
    json results = json::array();
    for (const auto& f : a.findings) {
      const auto idx = static_cast<std::size_t>(
          std::find(rule_ids.begin(), rule_ids.end(), f.check_id) - rule_ids.begin());
      results.push_back(Result(f, idx));
    }
    json artifacts = json::array();
    for (const auto& in : a.inputs) {
      json art = {{"location", {{"uri", UriEscape(InputReference(in.name))}}},
                  {"roles", json::array({"analysisTarget"})},
                  {"properties", {{"kind", InputKindName(in.kind)}, {"status", in.status}}}};
      if (in.size) art["length"] = in.size;
      if (!in.sha256.empty()) art["hashes"] = {{"sha-256", in.sha256}};
      artifacts.push_back(art);
    }
    bool failed_input = false;
    for (const auto& in : a.inputs) failed_input = failed_input || in.status == "failed";
    json notifications = json::array();
    for (const auto& p : a.problems) {
      json n = {{"level", p.level == "error" ? "error" : "warning"},
                {"message", Text(ValidUtf8(p.message))},
                {"descriptor", {{"id", "iotcop." + (p.stage.empty() ? "problem" : p.stage)}}}};
      if (!p.input.empty()) {
        Evidence where;
        where.input = p.input;
        where.path = p.path;
        where.offset = p.offset;
        json loc = Location(where);
        loc.erase("message");
        n["locations"] = json::array({loc});
      }
      notifications.push_back(n);
    }
    json invocation = {{"executionSuccessful", !failed_input},
                       {"toolExecutionNotifications", notifications}};
    if (!a.started_at.empty()) invocation["startTimeUtc"] = a.started_at;
    if (!a.finished_at.empty()) invocation["endTimeUtc"] = a.finished_at;

    const auto verdicts = CountByVerdict(a.verdicts);
    json summary = json::object();
    for (Verdict v : kVerdictOrder) summary[VerdictName(v)] = verdicts[static_cast<int>(v)];
    json run = {{"tool",
                 {{"driver",
                   {{"name", "iotcop"},
                    {"version", a.tool_version},
                    {"semanticVersion", a.tool_version},
                    {"informationUri", kProjectUri},
                    {"rules", rules}}}}},
                {"invocations", json::array({invocation})},
                {"artifacts", artifacts},
                {"results", results},
                {"automationDetails", {{"id", "iotcop/" + a.standard + "/"}}},
                {"properties",
                 {{"product", a.product},
                  {"standard", {{"id", a.standard}, {"name", a.standard_name}}},
                  {"verdicts", summary}}}};
    if (a.tool_version.empty()) {
      run["tool"]["driver"].erase("version");
      run["tool"]["driver"].erase("semanticVersion");
    }
    json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                {"version", "2.1.0"},
                {"runs", json::array({run})}};
    out << log.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return Ok();
  }

 private:
  RendererDoc doc_{"sarif", "report.sarif",
                   "SARIF 2.1.0 for code-scanning tools: a rule per check, a result per finding"};
};

}  // namespace

std::unique_ptr<const Renderer> MakeSarifRenderer() { return std::make_unique<SarifRenderer>(); }

}  // namespace iotcop::report
