// File: store/fleet.cc
#include "store/fleet.h"

#include <fmt/format.h>

#include <array>
#include <map>

#include "report/page.h"
#include "report/util.h"

namespace iotcop::store {
namespace {

std::string Csv(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Per guideline id ("1".."13"): how many products got PASS, FAIL, INCONCLUSIVE, NOT_APPLICABLE.
std::map<int, std::array<int, 4>> GuidelineCounts(const std::vector<FleetRow>& rows,
                                                  std::map<int, std::string>& titles) {
  std::map<int, std::array<int, 4>> out;
  static const std::array<std::string, 4> kNames = {"PASS", "FAIL", "INCONCLUSIVE",
                                                    "NOT_APPLICABLE"};
  for (const auto& r : rows) {
    if (!r.guidelines.is_array()) continue;
    for (const auto& g : r.guidelines) {
      if (!g.is_object() || !g.contains("id") || !g["id"].is_string()) continue;
      int id = 0;
      try {
        id = std::stoi(g["id"].get<std::string>());
      } catch (const std::exception&) {
        continue;
      }
      if (g.contains("title") && g["title"].is_string()) titles[id] = g["title"].get<std::string>();
      auto& c = out[id];
      auto verdict = g.find("verdict");  // a stored report: any type may be found here
      const std::string v =
          verdict != g.end() && verdict->is_string() ? verdict->get<std::string>() : std::string();
      for (std::size_t k = 0; k < kNames.size(); ++k)
        if (v == kNames[k]) ++c[k];
    }
  }
  return out;
}

int NoFileSystem(const std::vector<FleetRow>& rows) {
  int n = 0;
  for (const auto& r : rows) n += !r.coverage_warning.empty();
  return n;
}

}  // namespace

void ReadCoverage(const nlohmann::json& report, FleetRow& row) {
  if (!report.is_object() || !report.contains("inputs") || !report["inputs"].is_array()) return;
  for (const auto& in : report["inputs"]) {
    if (!in.is_object() || !in.contains("coverage") || !in["coverage"].is_object()) continue;
    const auto& c = in["coverage"];
    auto number = [&](const char* key) -> std::uint64_t {
      auto it = c.find(key);
      return it != c.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
    };
    std::string figure = fmt::format("{} files", number("files"));
    if (const std::uint64_t size = number("size"); size > 0)
      figure =
          fmt::format("{:.1f}% decoded, ", 100.0 * static_cast<double>(number("decoded")) / size) +
          figure;
    row.coverage += (row.coverage.empty() ? "" : "; ") + figure;
    auto warning = c.find("warning");
    if (warning != c.end() && warning->is_string())
      row.coverage_warning +=
          (row.coverage_warning.empty() ? "" : "; ") + warning->get<std::string>();
  }
}

void FleetText(const std::vector<FleetRow>& rows, std::ostream& out) {
  out << fmt::format("{:<32} {:<9} {:<8} {:>6} {:>8} {:>5} {:>5} {:>5} {:>5}  {}\n", "PRODUCT",
                     "OUTCOME", "STATUS", "RUN", "FINDINGS", "FAIL", "PASS", "INC", "N/A",
                     "COVERAGE");
  int assessed = 0, skipped = 0, errors = 0;
  for (const auto& r : rows) {
    out << fmt::format("{:<32} {:<9} {:<8} {:>6} {:>8} {:>5} {:>5} {:>5} {:>5}  {}\n", r.product,
                       r.outcome, r.status, r.run_id ? std::to_string(r.run_id) : "-", r.findings,
                       r.fail, r.pass, r.inconclusive, r.not_applicable,
                       r.coverage.empty() ? "-" : r.coverage);
    if (!r.coverage_warning.empty()) out << "    WARNING: " << r.coverage_warning << "\n";
    if (!r.error.empty()) out << "    " << r.error << "\n";
    assessed += r.outcome == "assessed";
    skipped += r.outcome == "skipped";
    errors += r.outcome == "error" || r.status == "failed";
  }
  out << fmt::format("{} items: {} assessed, {} already stored, {} failed", rows.size(), assessed,
                     skipped, errors);
  if (const int n = NoFileSystem(rows)) out << fmt::format(", {} with no file system extracted", n);
  out << "\n";
}

void FleetCsv(const std::vector<FleetRow>& rows, std::ostream& out) {
  out << "input,product,outcome,status,run,findings,fail,pass,inconclusive,not_applicable,"
         "error,coverage,coverage_warning\r\n";
  for (const auto& r : rows)
    out << Csv(r.input) << ',' << Csv(r.product) << ',' << r.outcome << ',' << r.status << ','
        << (r.run_id ? std::to_string(r.run_id) : "") << ',' << r.findings << ',' << r.fail << ','
        << r.pass << ',' << r.inconclusive << ',' << r.not_applicable << ',' << Csv(r.error) << ','
        << Csv(r.coverage) << ',' << Csv(r.coverage_warning) << "\r\n";
}

void FleetHtml(const std::vector<FleetRow>& rows, std::ostream& out) {
  using report::XmlEscape;
  std::map<int, std::string> titles;
  const auto counts = GuidelineCounts(rows, titles);
  const report::Page page{.kind = report::PageKind::kFleet, .title = "iotcop fleet summary"};
  out << report::PageBegin(page) << "<h1>Fleet summary</h1>\n";
  out << fmt::format("<p>{} products.</p>\n", rows.size());
  if (const int n = NoFileSystem(rows))
    out << fmt::format(
        "<p class=\"coverage-warn\" role=\"alert\">{} image{} yielded no file system: their "
        "firmware verdicts rest on no files (see Coverage below).</p>\n",
        n, n == 1 ? "" : "s");
  // The chart: one horizontal stacked bar per guideline, the share of products per verdict.
  static const std::array<const char*, 4> kColours = {"#12b76a", "#f04438", "#f79009", "#98a2b3"};
  static const std::array<const char*, 4> kWords = {"Pass", "Fail", "Inconclusive",
                                                    "Not applicable"};
  const int bar_w = 560, label_w = 300, row_h = 26;
  const int height = static_cast<int>(counts.size()) * row_h + 10;
  out << "<h2>Verdicts per guideline across products</h2>\n<p class=\"fleet-legend\">";
  for (std::size_t k = 0; k < 4; ++k)
    out << "<span style=\"background:" << kColours[k] << "\"></span>" << kWords[k];
  out << "</p>\n"
      << fmt::format(
             "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" "
             "aria-label=\"verdicts per guideline\" font-family=\"sans-serif\" font-size=\"12\">\n",
             label_w + bar_w + 20, height);
  int y = 5;
  for (const auto& [id, c] : counts) {
    const int total = c[0] + c[1] + c[2] + c[3];
    out << fmt::format("<text x=\"0\" y=\"{}\">{}. {}</text>\n", y + 16, id,
                       XmlEscape(titles[id].substr(0, 44)));
    double x = label_w;
    for (std::size_t k = 0; k < 4; ++k) {
      if (!total || !c[k]) continue;
      const double w = static_cast<double>(bar_w) * c[k] / total;
      out << fmt::format(
          "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"><title>{}: {} "
          "product(s)</title></rect>\n",
          x, y, w, row_h - 6, kColours[k], kWords[k], c[k]);
      if (w > 18)
        out << fmt::format("<text x=\"{:.1f}\" y=\"{}\" fill=\"#fff\">{}</text>\n", x + 4, y + 15,
                           c[k]);
      x += w;
    }
    y += row_h;
  }
  out << "</svg>\n<h2>Products</h2>\n<table><tr><th>Product</th><th>Outcome</th><th>Status</"
         "th><th>Run</th>"
         "<th>Findings</th><th>Fail</th><th>Pass</th><th>Inconclusive</th><th>N/A</th><th>Error</"
         "th><th>Coverage</th></tr>\n";
  for (const auto& r : rows)
    out << "<tr><td>" << XmlEscape(r.product) << "</td><td>" << r.outcome << "</td><td>"
        << XmlEscape(r.status) << "</td><td class=\"num\">"
        << (r.run_id ? std::to_string(r.run_id) : "") << "</td><td class=\"num\">" << r.findings
        << "</td><td class=\"num\">" << r.fail << "</td><td class=\"num\">" << r.pass
        << "</td><td class=\"num\">" << r.inconclusive << "</td><td class=\"num\">"
        << r.not_applicable << "</td><td>" << XmlEscape(r.error) << "</td><td>"
        << XmlEscape(r.coverage)
        << (r.coverage_warning.empty()
                ? std::string()
                : "<span class=\"coverage-warn\">" + XmlEscape(r.coverage_warning) + "</span>")
        << "</td></tr>\n";
  out << "</table>\n" << report::PageEnd(page);
}

}  // namespace iotcop::store
