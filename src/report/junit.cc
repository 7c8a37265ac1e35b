// JUnit XML report for CI dashboards: a testsuite per CoP 2018 guideline, a testcase per item of
// the chosen standard. FAIL is a <failure> listing the findings, INCONCLUSIVE a <skipped> with the
// reason, NOT_APPLICABLE a <skipped> saying why; PASS is a plain testcase.
#include <fmt/format.h>

#include "report/renderer.h"
#include "report/util.h"

namespace iotcop::report {
namespace {

std::string Attr(std::string_view s) { return XmlEscape(s); }

std::string SuiteName(const GuidelineGroup& g) {
  return g.id.empty() ? g.title : fmt::format("Guideline {}: {}", g.id, g.title);
}

// The body of a <failure>: each finding with severity, check, evidence and remediation.
std::string FailureText(const Assessment& a, const ItemVerdict& v) {
  std::string text = v.reason + "\n";
  for (std::size_t fi : v.findings) {
    if (fi >= a.findings.size()) continue;
    const Finding& f = a.findings[fi];
    text += fmt::format("\n[{}] {} ({}, fingerprint {})\n", SeverityName(f.severity), f.title,
                        f.check_id, f.fingerprint);
    if (!f.message.empty()) text += "  " + f.message + "\n";
    for (const auto& e : f.evidence) {
      text += "  at " + e.Locator();
      if (!e.excerpt.empty()) text += ": " + e.excerpt;
      text += "\n";
    }
    if (!f.remediation.empty()) text += "  remediation: " + f.remediation + "\n";
  }
  return text;
}

class JunitRenderer final : public Renderer {
 public:
  const RendererDoc& doc() const override { return doc_; }

  Status Render(const Assessment& a, const Catalogue& catalogue, std::ostream& out) const override {
    const auto totals = CountByVerdict(a.verdicts);
    const int skipped = totals[static_cast<int>(Verdict::kInconclusive)] +
                        totals[static_cast<int>(Verdict::kNotApplicable)];
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out << fmt::format(
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" "
        "time=\"0\">\n",
        Attr("iotcop: " + a.product + " against " + a.standard_name), a.verdicts.size(),
        totals[static_cast<int>(Verdict::kFail)], skipped);
    int suite_no = 0;
    for (const auto& g : VerdictsByGuideline(a)) {
      std::array<int, 4> n{};
      for (const auto* v : g.verdicts) ++n[static_cast<int>(v->verdict)];
      out << fmt::format(
          "  <testsuite name=\"{}\" id=\"{}\" package=\"{}\" tests=\"{}\" failures=\"{}\" "
          "errors=\"0\" skipped=\"{}\" time=\"0\"{}>\n",
          Attr(SuiteName(g)), suite_no++, Attr(a.standard), g.verdicts.size(),
          n[static_cast<int>(Verdict::kFail)],
          n[static_cast<int>(Verdict::kInconclusive)] +
              n[static_cast<int>(Verdict::kNotApplicable)],
          a.started_at.empty() ? "" : fmt::format(" timestamp=\"{}\"", Attr(a.started_at)));
      out << "    <properties>\n";
      out << fmt::format("      <property name=\"standard\" value=\"{}\"/>\n", Attr(a.standard));
      if (!g.id.empty()) {
        out << fmt::format("      <property name=\"guideline\" value=\"{}\"/>\n", Attr(g.id));
      }
      out << "    </properties>\n";
      for (const auto* v : g.verdicts) {
        std::string name = v->id + " " + v->title;
        if (!v->status.empty()) name += " [" + v->status + "]";
        out << fmt::format("    <testcase name=\"{}\" classname=\"{}\" time=\"0\">\n", Attr(name),
                           Attr(a.standard + (g.id.empty() ? "" : ".guideline-" + g.id)));
        switch (v->verdict) {
          case Verdict::kFail:
            out << fmt::format("      <failure message=\"{}\" type=\"FAIL\">{}</failure>\n",
                               Attr(v->reason), XmlEscape(FailureText(a, *v)));
            break;
          case Verdict::kInconclusive:
            out << fmt::format("      <skipped message=\"{}\"/>\n",
                               Attr("INCONCLUSIVE: " + v->reason));
            break;
          case Verdict::kNotApplicable:
            out << fmt::format("      <skipped message=\"{}\"/>\n",
                               Attr("NOT_APPLICABLE: " + v->reason));
            break;
          case Verdict::kPass:
            break;
        }
        std::string sysout = "verdict: " + std::string(VerdictName(v->verdict)) + "\n";
        for (const auto& [id, text] : ConditionsOf(catalogue, *v)) {
          sysout += "condition (" + id + "): " + text + "\n";
        }
        if (v->verdict != Verdict::kFail) sysout += "reason: " + v->reason + "\n";
        if (!v->rests_on.empty()) sysout += "rests on: " + v->rests_on + "\n";
        if (!v->caveat.empty()) sysout += "caveat: " + v->caveat + "\n";
        if (!v->informing.empty())
          sysout += fmt::format("informing findings (not deciding): {}\n", v->informing.size());
        if (!v->checks.empty()) {
          std::string checks;
          for (const auto& c : v->checks) checks += (checks.empty() ? "" : ", ") + c;
          sysout += "checks: " + checks + "\n";
        }
        out << "      <system-out>" << XmlEscape(sysout) << "</system-out>\n";
        out << "    </testcase>\n";
      }
      out << "  </testsuite>\n";
    }
    out << "</testsuites>\n";
    return Ok();
  }

 private:
  RendererDoc doc_{"junit", "report.junit.xml",
                   "JUnit XML for CI: a testsuite per guideline, a testcase per provision"};
};

}  // namespace

std::unique_ptr<const Renderer> MakeJunitRenderer() { return std::make_unique<JunitRenderer>(); }

}  // namespace iotcop::report
