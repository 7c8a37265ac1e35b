// JSON report: the whole assessment, versioned by "schema" (docs/report-json.md).
#include <nlohmann/json.hpp>

#include "core/check.h"
#include "report/renderer.h"

namespace iotcop::report {

nlohmann::json AssessmentJson(const Assessment& a, const Catalogue& catalogue) {
  nlohmann::json j;
  j["schema"] = kJsonSchema;
  j["tool"] = {{"name", "iotcop"}, {"version", a.tool_version}};
  j["product"] = a.product;
  j["standard"] = {{"id", a.standard}, {"name", a.standard_name}};
  j["started_at"] = a.started_at;
  j["finished_at"] = a.finished_at;
  nlohmann::json inputs = nlohmann::json::array();
  for (const auto& i : a.inputs) {
    nlohmann::json in = {{"kind", InputKindName(i.kind)}, {"name", i.name}, {"status", i.status}};
    if (!i.sha256.empty()) in["sha256"] = i.sha256;
    if (i.size) in["size"] = i.size;
    if (i.coverage) in["coverage"] = *i.coverage;
    inputs.push_back(in);
  }
  j["inputs"] = inputs;
  nlohmann::json summary = {{"PASS", 0}, {"FAIL", 0}, {"INCONCLUSIVE", 0}, {"NOT_APPLICABLE", 0}};
  for (const auto& v : a.verdicts)
    summary[VerdictName(v.verdict)] = summary[VerdictName(v.verdict)].get<int>() + 1;
  nlohmann::json sev = nlohmann::json::object();
  for (const auto& f : a.findings)
    sev[SeverityName(f.severity)] = sev.value(SeverityName(f.severity), 0) + 1;
  j["summary"] = {
      {"verdicts", summary},           {"pass_on_declaration_alone", CountDeclaredOnly(a.verdicts)},
      {"findings", a.findings.size()}, {"findings_by_severity", sev},
      {"facts", a.facts.size()},       {"problems", a.problems.size()}};
  j["guidelines"] = a.guidelines;
  j["verdicts"] = a.verdicts;
  j["findings"] = a.findings;
  nlohmann::json facts = nlohmann::json::array();
  for (const auto& f : a.facts.all()) facts.push_back(f);
  j["facts"] = facts;
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& c : a.checks) {
    nlohmann::json cj = {{"id", c.check_id}, {"title", c.doc.title}, {"ran", c.ran}};
    if (!c.note.empty()) cj["note"] = c.note;
    checks.push_back(cj);
  }
  j["checks"] = checks;
  j["problems"] = a.problems;
  if (!a.extras.empty()) j["extras"] = a.extras;
  (void)catalogue;
  return j;
}

namespace {

class JsonRenderer final : public Renderer {
 public:
  const RendererDoc& doc() const override { return doc_; }
  Status Render(const Assessment& a, const Catalogue& catalogue, std::ostream& out) const override {
    // Firmware file names and excerpts need not be UTF-8: invalid bytes become U+FFFD.
    out << AssessmentJson(a, catalogue)
               .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
        << "\n";
    return Ok();
  }

 private:
  RendererDoc doc_{"json", "report.json",
                   "the whole assessment as JSON (schema iotcop-assessment/1)"};
};

}  // namespace

std::unique_ptr<const Renderer> MakeJsonRenderer() { return std::make_unique<JsonRenderer>(); }

}  // namespace iotcop::report
