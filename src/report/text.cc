// Terminal summary: guidelines, failed provisions with their findings, passes that rest on the
// declaration alone while a test could not decide, findings that inform without deciding.
// Colour only on a terminal and never with NO_COLOR.
#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "core/fact_kinds.h"
#include "core/progress.h"
#include "report/renderer.h"

namespace iotcop::report {
namespace {

struct Palette {
  bool on = false;
  std::string Wrap(std::string_view s, const char* code) const {
    return on ? fmt::format("\033[{}m{}\033[0m", code, s) : std::string(s);
  }
  std::string Verdict(iotcop::Verdict v) const {
    const char* name = VerdictName(v);
    switch (v) {
      case iotcop::Verdict::kPass:
        return Wrap(name, "32");
      case iotcop::Verdict::kFail:
        return Wrap(name, "1;31");
      case iotcop::Verdict::kInconclusive:
        return Wrap(name, "33");
      case iotcop::Verdict::kNotApplicable:
        return Wrap(name, "2");
    }
    return name;
  }
};

constexpr std::size_t kTextRegions = 8;  // undecoded regions listed per input

class TextRenderer final : public Renderer {
 public:
  const RendererDoc& doc() const override { return doc_; }
  Status Render(const Assessment& a, const Catalogue&, std::ostream& out) const override {
    // Colour only when this stream is the terminal (stdout); files never get escapes.
    Palette c{&out == &std::cout && UseColour(STDOUT_FILENO)};
    out << fmt::format("iotcop {} — {} against {}\n", a.tool_version,
                       a.product.empty() ? "(no product)" : a.product, a.standard_name);
    for (const auto& i : a.inputs) {
      out << fmt::format("  input {:<11} {} [{}]\n", InputKindName(i.kind), i.name, i.status);
      if (!i.coverage) continue;
      out << fmt::format("        coverage: {}\n", i.coverage->Summary());
      if (!i.coverage->extracted())
        out << fmt::format("        {}: {}\n", c.Wrap("WARNING", "1;31"), i.coverage->Warning());
      std::size_t shown = 0, more = i.coverage->regions_omitted;
      for (const auto& r : i.coverage->regions) {
        if (r.guess == "padding") continue;
        if (shown++ < kTextRegions)
          out << fmt::format("        undecoded: {}\n", r.Describe());
        else
          ++more;
      }
      if (more) out << fmt::format("        undecoded: {} more region(s)\n", more);
    }
    out << "\nGuidelines (UK Code of Practice 2018):\n";
    for (const auto& g : a.guidelines) {
      out << fmt::format("  {:>2}. {:<58} {}  ({} fail, {} pass, {} inconclusive, {} n/a)\n", g.id,
                         g.title.substr(0, 58), c.Verdict(g.verdict), g.fail, g.pass,
                         g.inconclusive, g.not_applicable);
    }
    int counts[4] = {0, 0, 0, 0};
    for (const auto& v : a.verdicts) ++counts[static_cast<int>(v.verdict)];
    out << fmt::format("\n{} items: {} {}, {} {}, {} {}, {} {}\n", a.verdicts.size(), counts[1],
                       c.Verdict(Verdict::kFail), counts[0], c.Verdict(Verdict::kPass), counts[2],
                       c.Verdict(Verdict::kInconclusive), counts[3],
                       c.Verdict(Verdict::kNotApplicable));
    if (const int declared = CountDeclaredOnly(a.verdicts))
      out << fmt::format(
          "  of the {} PASS, {} rest{} on the declaration alone: the functional test ran and could "
          "not decide\n",
          counts[0], declared, declared == 1 ? "s" : "");
    bool header = false;
    for (const auto& v : a.verdicts) {
      if (v.verdict != Verdict::kFail) continue;
      if (!header) out << "\nFailed:\n";
      header = true;
      out << fmt::format("  {} {:<8} {}\n", c.Verdict(v.verdict), v.id, v.title);
      for (std::size_t fi : v.findings) {
        const Finding& f = a.findings.at(fi);
        out << fmt::format("      [{}] {}\n", SeverityName(f.severity), f.title);
        for (const auto& e : f.evidence) out << fmt::format("        at {}\n", e.Locator());
      }
    }
    header = false;
    for (const auto& v : a.verdicts) {
      if (v.caveat.empty()) continue;
      if (!header) out << "\nPassed on the declaration alone:\n";
      header = true;
      out << fmt::format("  {} {:<8} {}\n      {}\n", c.Verdict(v.verdict), v.id, v.title,
                         v.caveat);
    }
    header = false;
    for (const auto& v : a.verdicts) {
      if (v.informing.empty()) continue;
      if (!header) out << "\nInforming findings (shown, never a FAIL by themselves):\n";
      header = true;
      out << fmt::format("  {:<8} {} ({})\n", v.id, v.title, VerdictName(v.verdict));
      for (std::size_t fi : v.informing) {
        const Finding& f = a.findings.at(fi);
        out << fmt::format("      [{}] {}\n", SeverityName(f.severity), f.title);
      }
    }
    Destinations(a, out);
    if (!a.problems.empty()) {
      out << "\nProblems:\n";
      for (const auto& p : a.problems) {
        out << fmt::format("  {} [{}] {}{}{}\n", p.level, p.stage,
                           p.input.empty() ? "" : p.input + ": ",
                           p.offset ? fmt::format("at offset {:#x}: ", *p.offset) : "", p.message);
      }
    }
    return Ok();
  }

 private:
  // Captures: the device's outbound destinations (busiest first), the HTTP requests sent to
  // each and the names looked up; at most kRows of each.
  static void Destinations(const Assessment& a, std::ostream& out) {
    constexpr std::size_t kRows = 20;
    std::vector<const Fact*> dests;
    for (const Fact* d : a.facts.OfKind(facts::kDestination))
      if (d->value.value("direction", "") == "outbound") dests.push_back(d);
    if (dests.empty()) return;
    const auto total = [](const Fact* f) {
      return f->value.value("bytes_out", 0ull) + f->value.value("bytes_in", 0ull);
    };
    std::stable_sort(dests.begin(), dests.end(),
                     [&](const Fact* x, const Fact* y) { return total(x) > total(y); });
    const auto requests = a.facts.OfKind(facts::kHttpRequest);
    out << fmt::format("\nDestinations ({}):\n", dests.size());
    for (std::size_t i = 0; i < dests.size() && i < kRows; ++i) {
      const auto& v = dests[i]->value;
      const std::string name = v.value("name", ""), address = v.value("address", "");
      out << fmt::format("  {} -> {}{}:{}/{} {} {}, {} B out, {} B in\n", v.value("device", ""),
                         name.empty() ? "" : name + " ", address, v.value("port", 0),
                         v.value("transport", ""), v.value("protocol", ""),
                         v.value("encrypted", false) ? "encrypted" : "CLEARTEXT",
                         v.value("bytes_out", 0ull), v.value("bytes_in", 0ull));
      std::size_t shown = 0;
      for (const Fact* r : requests) {
        const auto& q = r->value;
        if (q.value("server", "") != address || q.value("port", 0) != v.value("port", 0) ||
            q.value("device", "") != v.value("device", ""))
          continue;
        if (++shown > 5) continue;
        out << fmt::format("      {} {}{} -> {}\n", q.value("method", ""), q.value("host", ""),
                           q.value("path", "").substr(0, 160), q.value("status", 0));
      }
      if (shown > 5) out << fmt::format("      and {} more requests\n", shown - 5);
    }
    if (dests.size() > kRows) out << fmt::format("  and {} more\n", dests.size() - kRows);
    const auto lookups = a.facts.OfKind(facts::kDnsLookup);
    if (lookups.empty()) return;
    out << fmt::format("Names looked up ({}):\n", lookups.size());
    for (std::size_t i = 0; i < lookups.size() && i < kRows; ++i) {
      const auto& v = lookups[i]->value;
      std::string answers;
      for (const auto& x : v.value("answers", nlohmann::json::array()))
        if (x.is_string()) answers += " " + x.get<std::string>();
      out << fmt::format("  {} {}{}\n", v.value("name", ""),
                         v.value("answered", false) ? v.value("rcode", "") : "(no answer)",
                         answers.substr(0, 200));
    }
    if (lookups.size() > kRows) out << fmt::format("  and {} more\n", lookups.size() - kRows);
  }

  RendererDoc doc_{"text", "report.txt",
                   "a summary for people: guidelines, failures with evidence, problems"};
};

}  // namespace

std::unique_ptr<const Renderer> MakeTextRenderer() { return std::make_unique<TextRenderer>(); }

}  // namespace iotcop::report
