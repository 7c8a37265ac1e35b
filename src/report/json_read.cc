// File: report/json_read.cc
// AssessmentFromJson: the inverse of AssessmentJson (report/json.cc), field by field.
#include "report/json_read.h"

#include <fmt/format.h>

#include "report/renderer.h"

namespace iotcop::report {
namespace {
using nlohmann::json;

std::string S(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
template <class T>
std::optional<T> N(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<T>();
}
const json& A(const json& j, const char* key) {
  static const json kEmpty = json::array();
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}
std::vector<std::string> Strings(const json& j, const char* key) {
  std::vector<std::string> out;
  for (const auto& e : A(j, key))
    if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}
template <class T>
std::vector<T> Numbers(const json& j, const char* key) {
  std::vector<T> out;
  for (const auto& e : A(j, key))
    if (e.is_number_unsigned()) out.push_back(e.get<T>());
  return out;
}

InputKind Kind(const std::string& s) {
  for (InputKind k :
       {InputKind::kFirmware, InputKind::kNetwork, InputKind::kTraffic, InputKind::kDeclaration})
    if (s == InputKindName(k)) return k;
  return InputKind::kFirmware;
}
std::optional<Verdict> ParseVerdict(const json& j, const char* key) {
  const std::string s = S(j, key);
  for (Verdict v :
       {Verdict::kPass, Verdict::kFail, Verdict::kInconclusive, Verdict::kNotApplicable})
    if (s == VerdictName(v)) return v;
  return std::nullopt;
}

Evidence ReadEvidence(const json& j) {
  Evidence e;
  e.source = Kind(S(j, "source"));
  e.input = S(j, "input");
  e.path = S(j, "path");
  e.offset = N<std::uint64_t>(j, "offset");
  e.line = N<std::uint32_t>(j, "line");
  e.endpoint = S(j, "endpoint");
  e.packet = N<std::uint64_t>(j, "packet");
  e.excerpt = S(j, "excerpt");
  e.emulated = S(j, "emulated");
  return e;
}

Finding ReadFinding(const json& j) {
  Finding f;
  f.fingerprint = S(j, "fingerprint");
  f.check_id = S(j, "check");
  f.title = S(j, "title");
  f.message = S(j, "message");
  if (auto s = ParseSeverity(S(j, "severity"))) f.severity = *s;
  f.provisions = Strings(j, "provisions");
  f.informs = Strings(j, "informs");
  f.subject = S(j, "subject");
  for (const auto& e : A(j, "evidence"))
    if (e.is_object()) f.evidence.push_back(ReadEvidence(e));
  f.facts = Numbers<FactId>(j, "facts");
  f.remediation = S(j, "remediation");
  return f;
}

Coverage ReadCoverage(const json& j) {
  Coverage c;
  c.size = N<std::uint64_t>(j, "size").value_or(0);
  c.decoded = N<std::uint64_t>(j, "decoded").value_or(0);
  c.padding = N<std::uint64_t>(j, "padding").value_or(0);
  c.undecoded = N<std::uint64_t>(j, "undecoded").value_or(0);
  c.filesystems = N<std::uint64_t>(j, "filesystems").value_or(0);
  c.files = N<std::uint64_t>(j, "files").value_or(0);
  c.regions_omitted = N<std::uint64_t>(j, "regions_omitted").value_or(0);
  for (const auto& r : A(j, "regions")) {
    if (!r.is_object() || c.regions.size() >= kMaxCoverageRegions) continue;
    c.regions.push_back({S(r, "container"), N<std::uint64_t>(r, "offset").value_or(0),
                         N<std::uint64_t>(r, "size").value_or(0),
                         N<std::uint64_t>(r, "input_offset"), N<double>(r, "entropy").value_or(0),
                         S(r, "guess"), S(r, "note")});
  }
  return c;
}

ItemVerdict ReadVerdict(const json& j) {
  ItemVerdict v;
  v.standard = S(j, "standard");
  v.id = S(j, "id");
  v.title = S(j, "title");
  v.status = S(j, "status");
  v.mandatory = j.value("mandatory", false);
  v.guideline = S(j, "guideline");
  v.verdict = ParseVerdict(j, "verdict").value_or(Verdict::kInconclusive);
  v.reason = S(j, "reason");
  v.functional = ParseVerdict(j, "functional");
  v.conceptual = ParseVerdict(j, "conceptual");
  v.findings = Numbers<std::size_t>(j, "findings");
  v.facts = Numbers<FactId>(j, "facts");
  v.checks = Strings(j, "checks");
  v.derived_from = Strings(j, "derived_from");
  v.rests_on = S(j, "rests_on");
  v.caveat = S(j, "caveat");
  v.informing = Numbers<std::size_t>(j, "informing");
  return v;
}

}  // namespace

Result<Assessment> AssessmentFromJson(const json& doc, const std::string& origin,
                                      const CheckList& known_checks) {
  if (!doc.is_object() || S(doc, "schema") != kJsonSchema)
    return MakeError(Errc::kUnsupported,
                     std::string("not an iotcop JSON report (schema ") + kJsonSchema + ")", origin);
  try {
    Assessment a;
    a.tool_version = S(doc.value("tool", json::object()), "version");
    a.standard = S(doc.value("standard", json::object()), "id");
    a.standard_name = S(doc.value("standard", json::object()), "name");
    a.product = S(doc, "product");
    a.started_at = S(doc, "started_at");
    a.finished_at = S(doc, "finished_at");
    for (const auto& i : A(doc, "inputs")) {
      InputRecord in;
      in.kind = Kind(S(i, "kind"));
      in.name = S(i, "name");
      in.status = S(i, "status");
      in.sha256 = S(i, "sha256");
      in.size = N<std::uint64_t>(i, "size").value_or(0);
      if (auto c = i.find("coverage"); c != i.end() && c->is_object())
        in.coverage = ReadCoverage(*c);
      a.inputs.push_back(in);
    }
    for (const auto& f : A(doc, "facts")) {
      if (!f.is_object()) continue;
      a.facts.Add(S(f, "kind"), f.value("value", json()),
                  ReadEvidence(f.value("evidence", json::object())), S(f, "collector"));
    }
    // Verdicts name findings by index, which the renderers follow: a finding that is not an object
    // or an index past the findings is an error, not a shifted or dangling reference.
    const json& findings = A(doc, "findings");
    for (std::size_t i = 0; i < findings.size(); ++i) {
      if (!findings[i].is_object())
        return MakeError(
            Errc::kCorrupt,
            fmt::format("findings[{}]: expected object, got {}", i, findings[i].type_name()),
            origin);
      a.findings.push_back(ReadFinding(findings[i]));
    }
    for (const auto& v : A(doc, "verdicts"))
      if (v.is_object()) a.verdicts.push_back(ReadVerdict(v));
    for (std::size_t i = 0; i < a.verdicts.size(); ++i) {
      for (std::size_t fi : a.verdicts[i].findings) {
        if (fi >= a.findings.size())
          return MakeError(Errc::kCorrupt,
                           fmt::format("verdict {}: finding {} is not in the report's {} findings",
                                       a.verdicts[i].id, fi, a.findings.size()),
                           origin);
      }
    }
    if (a.standard == "en303645-v2") a.provision_verdicts = a.verdicts;
    for (const auto& g : A(doc, "guidelines")) {
      GuidelineVerdict gv;
      gv.id = S(g, "id");
      gv.title = S(g, "title");
      gv.verdict = ParseVerdict(g, "verdict").value_or(Verdict::kInconclusive);
      const json& c = g.value("counts", json::object());
      gv.pass = N<int>(c, "PASS").value_or(0);
      gv.fail = N<int>(c, "FAIL").value_or(0);
      gv.inconclusive = N<int>(c, "INCONCLUSIVE").value_or(0);
      gv.not_applicable = N<int>(c, "NOT_APPLICABLE").value_or(0);
      a.guidelines.push_back(gv);
    }
    for (const auto& c : A(doc, "checks")) {
      CheckRun run;
      run.check_id = S(c, "id");
      run.ran = c.value("ran", false);
      run.note = S(c, "note");
      for (const auto& check : known_checks)
        if (check->doc().id == run.check_id) run.doc = check->doc();
      if (run.doc.id.empty()) {
        run.doc.id = run.check_id;
        run.doc.title = S(c, "title");
      }
      a.checks.push_back(std::move(run));
    }
    for (const auto& p : A(doc, "problems")) {
      Problem pr;
      pr.level = S(p, "level");
      pr.stage = S(p, "stage");
      pr.input = S(p, "input");
      pr.path = S(p, "path");
      pr.offset = N<std::uint64_t>(p, "offset");
      pr.message = S(p, "message");
      a.problems.push_back(pr);
    }
    if (doc.contains("extras") && doc["extras"].is_object()) a.extras = doc["extras"];
    return a;
  } catch (const json::exception& e) {
    return MakeError(Errc::kCorrupt, std::string("report field of an unexpected type: ") + e.what(),
                     origin);
  }
}

}  // namespace iotcop::report
