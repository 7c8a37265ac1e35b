// The UK PSTI statement of compliance, drafted from the assessment and the manufacturer's
// declaration, with every item of minimum content (PSTI Act s. 9; Regulations Sch. 4): product
// type and batch; each manufacturer's name and address (and UK representative); the declaration
// that it is prepared by or on behalf of the manufacturer; the declaration of compliance naming the
// standard relied on (Sch. 2 deemed compliance); the defined support period; signature, name and
// function; place and date of issue. Missing content is marked, never invented; evidence against
// a requirement is stated so nobody signs a statement the product contradicts.
#include <fmt/format.h>

#include "report/document.h"
#include "report/renderer.h"
#include "verdict/verdict_engine.h"

namespace iotcop::report {
namespace {

std::string Declared(const Assessment& a, const char* field, const char* what) {
  if (a.extras.contains("declaration")) {
    const auto& d = a.extras["declaration"];
    if (d.contains(field)) {
      const auto& v = d[field];
      return v.is_string() ? v.get<std::string>() : v.dump();
    }
  }
  return fmt::format("[MISSING: {} — add `{}` to the declaration]", what, field);
}

Document BuildStatement(const Assessment& a, const Catalogue& catalogue) {
  Document d;
  d.title = "Statement of compliance (DRAFT)";
  d.Note(
      fmt::format("Draft written by iotcop {} on {} from the assessment of {} input(s). It is not "
                  "a statement until the "
                  "manufacturer has reviewed, completed and signed it. UK Product Security and "
                  "Telecommunications "
                  "Infrastructure (Security Requirements for Relevant Connectable Products) "
                  "Regulations 2023 (SI 2023/1007).",
                  a.tool_version, a.finished_at.substr(0, 10), a.inputs.size()));

  d.Heading(1, "1. Product");
  d.Table({"", ""},
          {{"Product type", Declared(a, "product.type", "product type")},
           {"Product", fmt::format("{} ({})", Declared(a, "product.name", "product name"),
                                   Declared(a, "product.model", "model"))},
           {"Batch", Declared(a, "product.batch", "batch")},
           {"Firmware version", Declared(a, "product.firmware_version", "firmware version")}});

  d.Heading(1, "2. Manufacturer");
  d.Table({"", ""},
          {{"Manufacturer", Declared(a, "product.manufacturer.name", "manufacturer's name")},
           {"Address", Declared(a, "product.manufacturer.address", "manufacturer's address")},
           {"UK authorised representative",
            a.extras.contains("declaration") &&
                    a.extras["declaration"].contains("product.uk_representative.name")
                ? fmt::format(
                      "{}, {}", Declared(a, "product.uk_representative.name", ""),
                      Declared(a, "product.uk_representative.address", "representative's address"))
                : std::string("none declared")}});

  d.Heading(1, "3. Preparation");
  d.Paragraph(
      "This statement of compliance is prepared by or on behalf of the manufacturer named above.");

  d.Heading(1, "4. Declaration of compliance");
  d.Paragraph(
      "In the opinion of the manufacturer, the product complies with the security requirements of "
      "Schedule 1 "
      "to the Regulations. The manufacturer relies on the deemed-compliance conditions of Schedule "
      "2, through "
      "ETSI EN 303 645 V2.1.1 (2020-06) provisions 5.1-1 and 5.1-2 (passwords), 5.2-1 and ISO/IEC "
      "29147:2018 "
      "(information on how to report security issues) and 5.3-13 (information on minimum security "
      "update "
      "periods).");
  const auto psti = ProjectVerdicts(catalogue, a.provision_verdicts, "psti");
  std::vector<std::vector<std::string>> rows;
  bool contradicted = false;
  for (const auto& v : psti) {
    if (v.verdict == Verdict::kFail) contradicted = true;
    std::string evidence;
    for (std::size_t fi : v.findings) {
      if (fi < a.findings.size()) evidence += (evidence.empty() ? "" : "; ") + a.findings[fi].title;
    }
    rows.push_back({v.id, v.title, VerdictName(v.verdict), evidence.empty() ? v.reason : evidence});
  }
  d.Table({"Requirement", "Title", "iotcop verdict", "Evidence"}, rows);
  if (contradicted) {
    d.Note(
        "The assessment found evidence that the product does NOT meet at least one requirement "
        "above. "
        "Do not sign this statement until the findings are resolved and the product reassessed.");
  }

  d.Heading(1, "5. Defined support period");
  d.Paragraph(fmt::format(
      "Security updates will be provided until at least {} (published at {}).",
      Declared(a, "support_period.end_date", "support period end date"),
      Declared(a, "support_period.published_at", "where the support period is published")));

  d.Heading(1, "6. Signed for and on behalf of the manufacturer");
  d.Signature({"Signature",
               fmt::format("Name: {}", Declared(a, "product.signatory.name", "signatory's name")),
               fmt::format("Function: {}",
                           Declared(a, "product.signatory.function", "signatory's function"))});

  d.Heading(1, "7. Place and date of issue");
  d.Paragraph(fmt::format("Place: {}", Declared(a, "product.place_of_issue", "place of issue")));
  d.Signature({"Date"});
  return d;
}

class PstiMarkdown final : public Renderer {
 public:
  const RendererDoc& doc() const override { return doc_; }
  Status Render(const Assessment& a, const Catalogue& c, std::ostream& out) const override {
    out << ToMarkdown(BuildStatement(a, c));
    return Ok();
  }

 private:
  RendererDoc doc_{"psti-md", "psti-statement.md",
                   "UK PSTI statement of compliance draft, Markdown"};
};

class PstiHtml final : public Renderer {
 public:
  const RendererDoc& doc() const override { return doc_; }
  Status Render(const Assessment& a, const Catalogue& c, std::ostream& out) const override {
    out << ToHtml(BuildStatement(a, c));
    return Ok();
  }

 private:
  RendererDoc doc_{"psti-html", "psti-statement.html",
                   "UK PSTI statement of compliance draft, HTML"};
};

}  // namespace

std::unique_ptr<const Renderer> MakePstiMarkdownRenderer() {
  return std::make_unique<PstiMarkdown>();
}
std::unique_ptr<const Renderer> MakePstiHtmlRenderer() { return std::make_unique<PstiHtml>(); }

}  // namespace iotcop::report
