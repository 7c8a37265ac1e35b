// An ETSI TS 103 701-style report: one test group per provision of EN 303 645 V2.1.1, each with its
// conceptual test case (judged from the manufacturer's declaration) and its functional test cases
// (the checks that ran on the firmware, device and traffic), their verdicts and the evidence.
#include <fmt/format.h>

#include <map>

#include "core/check.h"
#include "report/document.h"
#include "report/renderer.h"

namespace iotcop::report {
namespace {

const char* Label(const std::optional<Verdict>& v) { return v ? VerdictName(*v) : "not run"; }

Document Build(const Assessment& a, const Catalogue& catalogue) {
  Document d;
  d.title = "ETSI TS 103 701-style assessment report";
  std::string inputs;
  for (const auto& i : a.inputs)
    inputs += fmt::format("{}{} {}", inputs.empty() ? "" : "; ", InputKindName(i.kind), i.name);
  d.Paragraph(fmt::format(
      "Product: {}. Inputs: {}. Assessed against ETSI EN 303 645 V2.1.1 by iotcop {} ({}).",
      a.product.empty() ? "unnamed" : a.product, inputs.empty() ? "none" : inputs, a.tool_version,
      a.finished_at));
  d.Paragraph(
      "Each test group has a conceptual test case (the declaration judged against the provision) "
      "and functional "
      "test cases (tests of the product). The assignment of verdict combines both: a FAIL in "
      "either fails the "
      "provision.");
  std::map<std::string, std::vector<const Outcome*>> by_provision;
  for (const auto& o : a.outcomes) by_provision[o.provision].push_back(&o);
  const Standard* v2 = catalogue.Find("en303645-v2");
  std::vector<std::vector<std::string>> summary;
  for (const auto& v : a.provision_verdicts) {
    summary.push_back(
        {v.id, v.status, Label(v.conceptual), Label(v.functional), VerdictName(v.verdict)});
  }
  d.Heading(1, "Summary");
  d.Table({"Provision", "Status", "Conceptual", "Functional", "Verdict"}, summary);
  for (const auto& v : a.provision_verdicts) {
    const CatalogueItem* item = v2 ? v2->Item(v.id) : nullptr;
    d.Heading(1, fmt::format("Test group {} — {}", v.id, v.title));
    if (item) d.Paragraph(fmt::format("Provision ({}): {}", item->status, item->text));
    std::vector<std::vector<std::string>> cases;
    for (const Outcome* o : by_provision[v.id]) {
      const bool conceptual = o->check_id.rfind("decl.", 0) == 0;
      cases.push_back({conceptual ? "conceptual" : "functional", o->check_id,
                       VerdictName(o->verdict), o->reason});
    }
    if (cases.empty()) cases.push_back({"-", "-", "INCONCLUSIVE", "no test case ran"});
    d.Table({"Test case", "Check", "Verdict", "Reason"}, cases);
    std::vector<std::string> evidence;
    for (std::size_t fi : v.findings) {
      if (fi >= a.findings.size()) continue;
      const Finding& f = a.findings[fi];
      for (const auto& e : f.evidence) {
        evidence.push_back(fmt::format("{} — {}{}", f.title, e.Locator(),
                                       e.excerpt.empty() ? "" : ": " + e.excerpt));
      }
    }
    if (!evidence.empty()) d.List(evidence);
    d.Paragraph(fmt::format("Assignment of verdict: {} — {}", VerdictName(v.verdict), v.reason));
  }
  return d;
}

class Ts103701Markdown final : public Renderer {
 public:
  const RendererDoc& doc() const override { return doc_; }
  Status Render(const Assessment& a, const Catalogue& c, std::ostream& out) const override {
    out << ToMarkdown(Build(a, c));
    return Ok();
  }

 private:
  RendererDoc doc_{"ts103701", "ts103701.md",
                   "ETSI TS 103 701-style report: a test group per provision with conceptual and "
                   "functional cases"};
};

class Ts103701Html final : public Renderer {
 public:
  const RendererDoc& doc() const override { return doc_; }
  Status Render(const Assessment& a, const Catalogue& c, std::ostream& out) const override {
    out << ToHtml(Build(a, c));
    return Ok();
  }

 private:
  RendererDoc doc_{"ts103701-html", "ts103701.html", "the ETSI TS 103 701-style report as HTML"};
};

}  // namespace

std::unique_ptr<const Renderer> MakeTs103701Renderer() {
  return std::make_unique<Ts103701Markdown>();
}
std::unique_ptr<const Renderer> MakeTs103701HtmlRenderer() {
  return std::make_unique<Ts103701Html>();
}

}  // namespace iotcop::report
