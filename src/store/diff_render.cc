// File: store/diff_render.cc
// A RunDiff as JSON (the schema docs/store.md describes), as terminal text and as one
// self-contained HTML page (the shell of report/page.h: no external resources; all text escaped).
#include <fmt/format.h>

#include "report/page.h"
#include "report/util.h"
#include "store/diff.h"

namespace iotcop::store {
namespace {
using nlohmann::json;

json RunJson(const RunSummary& r) {
  return {{"id", r.id},           {"product", r.product},   {"version", r.version},
          {"started", r.started}, {"finished", r.finished}, {"status", r.status}};
}
json FindingJson(const DiffFinding& f) {
  return {{"fingerprint", f.fingerprint}, {"check", f.check_id},
          {"severity", f.severity},       {"title", f.title},
          {"message", f.message},         {"locator", f.locator},
          {"provisions", f.provisions}};
}
std::string RunLabel(const RunSummary& r) {
  return fmt::format("run {} {}{}{} ({})", r.id, r.product, r.version.empty() ? "" : " ", r.version,
                     r.started);
}

}  // namespace

json DiffJson(const RunDiff& d) {
  json j;
  j["schema"] = "iotcop-diff/1";
  j["a"] = RunJson(d.a);
  j["b"] = RunJson(d.b);
  j["findings"] = {{"new", json::array()},
                   {"fixed", json::array()},
                   {"changed", json::array()},
                   {"unchanged", d.unchanged_findings}};
  for (const auto& f : d.new_findings) j["findings"]["new"].push_back(FindingJson(f));
  for (const auto& f : d.fixed_findings) j["findings"]["fixed"].push_back(FindingJson(f));
  for (const auto& c : d.changed_findings)
    j["findings"]["changed"].push_back(
        {{"before", FindingJson(c.before)}, {"after", FindingJson(c.after)}});
  j["verdicts"] = json::array();
  for (const auto& v : d.verdicts)
    j["verdicts"].push_back({{"standard", v.standard},
                             {"item", v.item},
                             {"title", v.title},
                             {"before", v.before},
                             {"after", v.after}});
  j["components"] = json::array();
  for (const auto& c : d.components)
    j["components"].push_back(
        {{"name", c.name}, {"before", c.before}, {"after", c.after}, {"change", c.change}});
  j["services"] = json::array();
  for (const auto& s : d.services)
    j["services"].push_back({{"name", s.name}, {"detail", s.detail}, {"change", s.change}});
  return j;
}

void DiffText(const RunDiff& d, std::ostream& out) {
  out << "From " << RunLabel(d.a) << "\n  to " << RunLabel(d.b) << "\n\n";
  out << fmt::format("Findings: {} new, {} fixed, {} changed, {} unchanged\n",
                     d.new_findings.size(), d.fixed_findings.size(), d.changed_findings.size(),
                     d.unchanged_findings);
  for (const auto& f : d.new_findings)
    out << fmt::format("  + [{}] {}: {}  ({})\n", f.severity, f.check_id, f.title, f.locator);
  for (const auto& f : d.fixed_findings)
    out << fmt::format("  - [{}] {}: {}  ({})\n", f.severity, f.check_id, f.title, f.locator);
  for (const auto& c : d.changed_findings)
    out << fmt::format("  ~ [{}] {}: {}\n      was: {}\n", c.after.severity, c.after.check_id,
                       c.after.title,
                       c.before.title == c.after.title ? c.before.message : c.before.title);
  out << fmt::format("\nVerdict changes: {}\n", d.verdicts.size());
  for (const auto& v : d.verdicts)
    out << fmt::format("  {} {}: {} -> {}  {}\n", v.standard, v.item, v.before, v.after, v.title);
  out << fmt::format("\nComponents: {} changed\n", d.components.size());
  for (const auto& c : d.components)
    out << fmt::format("  {:<10} {} {}{}{}\n", c.change, c.name, c.before,
                       c.before.empty() || c.after.empty() ? "" : " -> ", c.after);
  out << fmt::format("\nServices: {} changed\n", d.services.size());
  for (const auto& s : d.services)
    out << fmt::format("  {:<10} {} {}\n", s.change, s.name, s.detail);
}

void DiffHtml(const RunDiff& d, std::ostream& out) {
  using report::XmlEscape;
  const auto E = [](const std::string& s) { return XmlEscape(s); };
  const report::Page page{.kind = report::PageKind::kDiff,
                          .title = "iotcop diff: " + d.a.product + " " + d.a.version + " → " +
                                   d.b.product + " " + d.b.version};
  out << report::PageBegin(page);
  out << "<h1>What changed</h1>\n<p>From <strong>" << E(RunLabel(d.a)) << "</strong><br>to <strong>"
      << E(RunLabel(d.b)) << "</strong></p>\n";
  out << fmt::format("<h2>Findings: {} new, {} fixed, {} changed, {} unchanged</h2>\n",
                     d.new_findings.size(), d.fixed_findings.size(), d.changed_findings.size(),
                     d.unchanged_findings);
  out << "<table><tr><th></th><th>Severity</th><th>Check</th><th>Finding</th><th>Where</"
         "th><th>Provisions</th></tr>\n";
  auto row = [&](const DiffFinding& f, const char* cls, const char* word) {
    std::string provs;
    for (const auto& p : f.provisions) provs += (provs.empty() ? "" : ", ") + p;
    out << "<tr class=\"" << cls << "\"><td>" << word << "</td><td>" << E(f.severity)
        << "</td><td><code>" << E(f.check_id) << "</code></td><td>" << E(f.title)
        << "</td><td><code>" << E(f.locator) << "</code></td><td>" << E(provs) << "</td></tr>\n";
  };
  for (const auto& f : d.new_findings) row(f, "diff-new", "new");
  for (const auto& f : d.fixed_findings) row(f, "diff-fixed", "fixed");
  for (const auto& c : d.changed_findings) {
    row(c.after, "diff-changed", "changed");
    out << "<tr class=\"diff-changed\"><td></td><td colspan=\"5\">was: "
        << E(c.before.title == c.after.title ? c.before.message : c.before.title) << "</td></tr>\n";
  }
  out << "</table>\n<h2>Verdict "
         "changes</h2>\n<table><tr><th>Standard</th><th>Item</th><th>Title</th>"
         "<th>Before</th><th>After</th></tr>\n";
  for (const auto& v : d.verdicts)
    out << "<tr><td>" << E(v.standard) << "</td><td>" << E(v.item) << "</td><td>" << E(v.title)
        << "</td><td>" << E(v.before) << "</td><td>" << E(v.after) << "</td></tr>\n";
  out << "</table>\n<h2>Components</h2>\n<table><tr><th>Change</th><th>Component</th><th>Before</"
         "th>"
         "<th>After</th></tr>\n";
  for (const auto& c : d.components)
    out << "<tr><td>" << E(c.change) << "</td><td>" << E(c.name) << "</td><td>" << E(c.before)
        << "</td><td>" << E(c.after) << "</td></tr>\n";
  out << "</table>\n<h2>Services</h2>\n<table><tr><th>Change</th><th>Service</th><th>How it "
         "starts</th></tr>\n";
  for (const auto& s : d.services)
    out << "<tr><td>" << E(s.change) << "</td><td>" << E(s.name) << "</td><td>" << E(s.detail)
        << "</td></tr>\n";
  out << "</table>\n" << report::PageEnd(page);
}

}  // namespace iotcop::store
