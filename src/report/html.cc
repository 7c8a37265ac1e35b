// HTML report: one self-contained page (inline CSS and SVG, no external resource of any kind, a
// Content-Security-Policy that forbids loading anything) for people: header with the inputs, the
// 13 guidelines, findings by severity, every provision with its verdict and reason, the findings
// with their evidence, the problems and the checks. Every piece of text is escaped: file names,
// excerpts and banners come from the product. A tiny inline script (allowed by its hash only)
// adds a verdict filter; the page is complete without it. Prints cleanly (@media print).
#include <fmt/format.h>
#include <openssl/evp.h>

#include <map>
#include <sstream>

#include "core/fact_kinds.h"
#include "core/hash.h"
#include "report/html_network.h"
#include "report/renderer.h"
#include "report/util.h"

namespace iotcop::report {
namespace {

std::string E(std::string_view s) { return XmlEscape(s); }

const char* VerdictClass(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kFail:
      return "fail";
    case Verdict::kInconclusive:
      return "inconclusive";
    case Verdict::kNotApplicable:
      return "na";
  }
  return "inconclusive";
}

// A glyph next to the word, so a verdict never depends on colour alone.
const char* VerdictGlyph(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return "\u2713";  // check mark
    case Verdict::kFail:
      return "\u2717";  // ballot x
    case Verdict::kInconclusive:
      return "?";
    case Verdict::kNotApplicable:
      return "\u2013";  // en dash
  }
  return "?";
}

// Fill colours of the charts (the badges use the CSS classes).
const char* VerdictFill(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return "#12b76a";
    case Verdict::kFail:
      return "#d92d20";
    case Verdict::kInconclusive:
      return "#f79009";
    case Verdict::kNotApplicable:
      return "#98a2b3";
  }
  return "#98a2b3";
}

const char* SeverityFill(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "#912018";
    case Severity::kHigh:
      return "#d92d20";
    case Severity::kMedium:
      return "#dc6803";
    case Severity::kLow:
      return "#1570ef";
    case Severity::kInfo:
      return "#667085";
  }
  return "#667085";
}

std::string Capitalised(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z')
    out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

std::string VerdictBadge(Verdict v) {
  return fmt::format("<span class=\"badge v-{}\">{} {}</span>", VerdictClass(v), VerdictGlyph(v),
                     VerdictLabel(v));
}

std::string SeverityBadge(Severity s) {
  return fmt::format("<span class=\"sev sev-{}\">{}</span>", SeverityName(s),
                     Capitalised(SeverityName(s)));
}

// Anchor ids: provision ids contain dots and dashes only, but escape anyway.
std::string VerdictAnchor(const ItemVerdict& v) { return E("item-" + v.standard + "-" + v.id); }
std::string FindingAnchor(std::size_t i) { return fmt::format("finding-{}", i + 1); }

std::string HumanSize(std::uint64_t n) {
  if (n < 1024) return fmt::format("{} B", n);
  if (n < 1024 * 1024) return fmt::format("{:.1f} KiB", static_cast<double>(n) / 1024);
  if (n < 1024ull * 1024 * 1024) return fmt::format("{:.1f} MiB", static_cast<double>(n) / 1048576);
  return fmt::format("{:.2f} GiB", static_cast<double>(n) / 1073741824.0);
}

// Base64 of the SHA-256 of `text`, for the CSP hash source of the inline script.
std::string Sha256Base64(std::string_view text) {
  const std::string hex = Sha256Hex(AsBytes(text));
  unsigned char raw[32];
  for (std::size_t i = 0; i < 32; ++i)
    raw[i] = static_cast<unsigned char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  unsigned char b64[48] = {};
  const int n = EVP_EncodeBlock(b64, raw, 32);
  return std::string(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
}

// Only hides and shows rows; everything is in the page already.
constexpr std::string_view kScript = R"JS(
(function () {
  var box = document.getElementById('verdict-filter');
  if (!box) return;
  box.hidden = false;
  function apply() {
    var on = {};
    box.querySelectorAll('input').forEach(function (c) { on[c.value] = c.checked; });
    document.querySelectorAll('#provisions tr[data-verdict]').forEach(function (r) {
      r.hidden = !on[r.getAttribute('data-verdict')];
    });
  }
  box.addEventListener('change', apply);
})();
)JS";

constexpr std::string_view kStyle = R"CSS(
:root{--ink:#101828;--muted:#475467;--line:#d0d5dd;--soft:#f9fafb;--accent:#1d2939;
--pass-bg:#dcfae6;--pass-ink:#05603a;--fail-bg:#fee4e2;--fail-ink:#912018;
--inc-bg:#fef0c7;--inc-ink:#93370d;--na-bg:#f2f4f7;--na-ink:#344054}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",
Arial,sans-serif;color:var(--ink);background:#eef1f5}
code,pre,.mono{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono","Liberation Mono",
Menlo,Consolas,monospace;font-size:.86em}
a{color:#175cd3}
a:focus-visible{outline:2px solid #175cd3;outline-offset:2px}
.masthead{background:var(--accent);color:#fff;padding:28px 40px 24px}
.masthead .brand{font-size:.8rem;letter-spacing:.12em;text-transform:uppercase;color:#d0d5dd}
.masthead h1{margin:6px 0 2px;font-size:1.9rem;line-height:1.2;overflow-wrap:anywhere}
.masthead .standard{margin:0 0 16px;font-size:1.05rem;color:#eaecf0}
.meta{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:8px 28px;margin:0}
.meta div{min-width:0}
.meta dt{font-size:.72rem;text-transform:uppercase;letter-spacing:.08em;color:#98a2b3}
.meta dd{margin:0;font-size:.92rem;overflow-wrap:anywhere}
nav.toc{background:#fff;border-bottom:1px solid var(--line);padding:10px 40px;position:sticky;top:0;z-index:2}
nav.toc ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px 20px}
nav.toc a{text-decoration:none;color:var(--muted);font-weight:600;font-size:.9rem}
nav.toc a:hover{color:var(--ink)}
main{max-width:1240px;margin:0 auto;padding:24px 40px 40px}
main>section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:22px 26px;
margin:0 0 22px}
h2{margin:0 0 14px;font-size:1.3rem}
h3{margin:0;font-size:1.05rem}
p.lead{margin:-6px 0 14px;color:var(--muted)}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:0 0 18px;padding:0;list-style:none}
.tile{border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:var(--soft)}
.tile .n{display:block;font-size:1.9rem;font-weight:700;line-height:1.1}
.tile .l{color:var(--muted);font-size:.88rem}
.tile.v-fail{border-left:6px solid #d92d20}.tile.v-pass{border-left:6px solid #12b76a}
.tile.v-inconclusive{border-left:6px solid #f79009}.tile.v-na{border-left:6px solid #98a2b3}
.tile.neutral{border-left:6px solid #475467}
table{border-collapse:collapse;width:100%;font-size:.9rem}
caption{text-align:left;font-weight:600;padding:0 0 6px;color:var(--muted)}
th,td{border-bottom:1px solid #eaecf0;padding:7px 8px;text-align:left;vertical-align:top}
thead th{background:#f2f4f7;border-bottom:2px solid var(--line);font-size:.78rem;
text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
tbody tr.group th{background:#f9fafb;font-size:.88rem;color:var(--accent);border-top:2px solid var(--line)}
th.id{white-space:nowrap;font-weight:600;border-bottom:1px solid #eaecf0}
table.provisions{table-layout:fixed}
col.c-id{width:76px}col.c-status{width:150px}col.c-title{width:24%}col.c-verdict{width:170px}
td.reason{color:#344054;overflow-wrap:anywhere}
.part{display:block;margin-top:4px;font-size:.78rem;color:var(--muted)}
.part .badge{font-size:.72rem;padding:0 6px}
ul.flinks{margin:6px 0 0;padding-left:1.1em}
ul.flinks li{margin:2px 0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.hash{word-break:break-all}
.badge{display:inline-block;white-space:nowrap;border-radius:999px;padding:1px 9px;font-size:.8rem;
font-weight:700;border:1px solid transparent}
.v-pass{background:var(--pass-bg);color:var(--pass-ink);border-color:#abefc6}
.v-fail{background:var(--fail-bg);color:var(--fail-ink);border-color:#fecdca}
.v-inconclusive{background:var(--inc-bg);color:var(--inc-ink);border-color:#fedf89}
.v-na{background:var(--na-bg);color:var(--na-ink);border-color:#d0d5dd}
.tile.v-fail,.tile.v-pass,.tile.v-inconclusive,.tile.v-na{background:var(--soft);color:var(--ink)}
.sev{display:inline-block;border-radius:4px;padding:0 7px;font-size:.78rem;font-weight:700;color:#fff;white-space:nowrap}
.sev-critical{background:#912018}.sev-high{background:#d92d20}.sev-medium{background:#b54708}
.sev-low{background:#1570ef}.sev-info{background:#667085}
.status{white-space:nowrap;font-weight:600}
.cond{display:block;color:var(--muted);font-size:.8rem;font-weight:400;white-space:normal}
.sub{display:block;color:var(--muted);font-size:.8rem}
.grid{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(270px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 14px 10px;display:flex;flex-direction:column;gap:6px;border-top:5px solid #98a2b3}
.card.v-fail{border-top-color:#d92d20}.card.v-pass{border-top-color:#12b76a}
.card.v-inconclusive{border-top-color:#f79009}.card.v-na{border-top-color:#98a2b3}
.card.v-fail,.card.v-pass,.card.v-inconclusive,.card.v-na{background:#fff;color:var(--ink)}
.card .num{font-size:.75rem;font-weight:700;color:var(--muted);letter-spacing:.06em;text-transform:uppercase}
.card h3{font-size:.98rem;line-height:1.3;min-height:2.6em}
.card .counts{font-size:.8rem;color:var(--muted)}
.card svg{display:block;width:100%;height:8px}
.chart svg{max-width:720px;width:100%;height:auto}
.chart text{font:13px system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",Arial,sans-serif;fill:#344054}
.finding{border:1px solid var(--line);border-left:6px solid #667085;border-radius:8px;padding:14px 18px;margin:0 0 14px}
.finding.s-critical{border-left-color:#912018}.finding.s-high{border-left-color:#d92d20}
.finding.s-medium{border-left-color:#dc6803}.finding.s-low{border-left-color:#1570ef}
.finding header{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.finding h3{flex:1 1 300px;overflow-wrap:anywhere}
.finding .fid{color:var(--muted);font-size:.82rem}
.finding dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:10px 0 0;font-size:.9rem}
.finding dt{color:var(--muted);font-weight:600}
.finding dd{margin:0;min-width:0;overflow-wrap:anywhere}
.evidence{margin:0;padding-left:1.2em}
.evidence li{margin:0 0 6px}
pre.excerpt{margin:4px 0 0;padding:8px 10px;background:#f2f4f7;border:1px solid #eaecf0;border-radius:6px;
white-space:pre-wrap;word-break:break-all;max-height:14em;overflow:auto}
.none{color:var(--muted);font-style:italic}
#verdict-filter{border:1px solid var(--line);border-radius:8px;padding:6px 12px;margin:0 0 12px;font-size:.9rem}
#verdict-filter label{margin-right:14px;white-space:nowrap}
footer{max-width:1240px;margin:0 auto;padding:0 40px 40px;color:var(--muted);font-size:.82rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:700px){.masthead,main,nav.toc,footer{padding-left:14px;padding-right:14px}
main>section{padding:16px}}
@media print{
@page{margin:14mm 12mm}
body{background:#fff;color:#000;font-size:10pt}
.masthead{background:#fff;color:#000;padding:0 0 10px;border-bottom:2px solid #000}
.masthead .brand,.masthead .standard,.meta dt{color:#333}
nav.toc,#verdict-filter{display:none}
main{max-width:none;padding:0}
main>section{border:0;border-radius:0;padding:0;margin:0;break-before:page}
main>section:first-child{break-before:auto;margin-top:12px}
thead{display:table-header-group}
tr,.finding,.card,.tile,figure{break-inside:avoid}
h2,h3{break-after:avoid}
a{color:inherit;text-decoration:none}
.tile,.card,.finding,pre.excerpt,thead th,tbody tr.group th{background:#fff}
.badge,.sev,.card,.tile,.finding,svg{-webkit-print-color-adjust:exact;print-color-adjust:exact}
pre.excerpt{max-height:none;overflow:visible}
footer{padding:12px 0 0}
}
)CSS";

class HtmlWriter {
 public:
  HtmlWriter(const Assessment& a, const Catalogue& catalogue) : a_(a), cat_(catalogue) {
    // Findings cite V2.1.1 provisions: link them when the chosen standard is V2.1.1.
    for (const auto& v : a.verdicts)
      if (v.standard == "en303645-v2") by_provision_[v.id] = &v;
  }

  std::string Page() {
    Head();
    Masthead();
    Nav();
    out_ += "<main>\n";
    Summary();
    Guidelines();
    SeverityChart();
    Provisions();
    Findings();
    Destinations();
    out_ += HtmlNetworkSection(a_);
    Problems();
    Checks();
    Facts();
    Extras();
    out_ += "</main>\n";
    out_ += fmt::format(
        "<footer><p>Generated by iotcop {} on {}. This page is self-contained: it loads nothing "
        "from anywhere. Evidence excerpts are shortened and secrets in them are redacted; "
        "report.json holds the complete assessment.</p></footer>\n",
        E(a_.tool_version), E(a_.finished_at.empty() ? a_.started_at : a_.finished_at));
    out_ += "<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
    return std::move(out_);
  }

 private:
  void Head() {
    const std::string product = a_.product.empty() ? "(unnamed product)" : a_.product;
    out_ += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out_ += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out_ += fmt::format(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{}'; base-uri 'none'; "
        "form-action 'none'\">\n",
        Sha256Base64(kScript));
    out_ += "<meta name=\"referrer\" content=\"no-referrer\">\n";
    out_ += fmt::format("<meta name=\"generator\" content=\"iotcop {}\">\n", E(a_.tool_version));
    out_ += fmt::format("<title>{} \u2014 iotcop assessment against {}</title>\n", E(product),
                        E(a_.standard_name));
    out_ += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  }

  void Masthead() {
    out_ += "<header class=\"masthead\">\n<div class=\"brand\">iotcop assessment report</div>\n";
    out_ += fmt::format("<h1>{}</h1>\n", E(a_.product.empty() ? "(unnamed product)" : a_.product));
    out_ += fmt::format(
        "<p class=\"standard\">assessed against {} <span class=\"mono\">({})</span></p>\n",
        E(a_.standard_name), E(a_.standard));
    out_ += "<dl class=\"meta\">\n";
    auto item = [&](const char* k, const std::string& v) {
      out_ += fmt::format("<div><dt>{}</dt><dd>{}</dd></div>\n", k, v);
    };
    item("Tool", "iotcop " + E(a_.tool_version));
    item("Started", E(a_.started_at));
    item("Finished", E(a_.finished_at));
    std::string inputs;
    for (const auto& in : a_.inputs) {
      inputs += fmt::format("{}{} <span class=\"mono\">{}</span>", inputs.empty() ? "" : "<br>",
                            E(InputKindName(in.kind)), E(in.name));
    }
    item("Inputs", inputs.empty() ? "none" : inputs);
    out_ += "</dl>\n</header>\n";
  }

  void Nav() {
    out_ +=
        "<nav class=\"toc\" aria-label=\"Sections\"><ul>"
        "<li><a href=\"#summary\">Summary</a></li>"
        "<li><a href=\"#guidelines\">Guidelines</a></li>"
        "<li><a href=\"#severity\">Severity</a></li>"
        "<li><a href=\"#provisions\">Provisions</a></li>"
        "<li><a href=\"#findings\">Findings</a></li>"
        "<li><a href=\"#problems\">Problems</a></li>"
        "<li><a href=\"#checks\">Checks</a></li>"
        "<li><a href=\"#facts\">Facts</a></li>";
    if (a_.facts.Has(facts::kDestination))
      out_ += "<li><a href=\"#destinations\">Destinations</a></li>";
    if (HasNetworkSection(a_)) out_ += "<li><a href=\"#live-device\">Live device</a></li>";
    out_ += "</ul></nav>\n";
  }

  void Summary() {
    const auto n = CountByVerdict(a_.verdicts);
    out_ +=
        "<section id=\"summary\" aria-labelledby=\"h-summary\">\n<h2 "
        "id=\"h-summary\">Summary</h2>\n";
    out_ += fmt::format("<p class=\"lead\">{} items of {} judged from {} facts by {} checks.</p>\n",
                        a_.verdicts.size(), E(a_.standard_name), a_.facts.size(), RanChecks());
    out_ += "<ul class=\"tiles\">\n";
    for (Verdict v : kVerdictOrder) {
      out_ += fmt::format(
          "<li class=\"tile v-{}\"><span class=\"n\">{}</span><span class=\"l\">{} "
          "{}</span></li>\n",
          VerdictClass(v), n[static_cast<int>(v)], VerdictGlyph(v), VerdictLabel(v));
    }
    out_ += fmt::format(
        "<li class=\"tile neutral\"><span class=\"n\">{}</span><span "
        "class=\"l\">findings</span></li>\n",
        a_.findings.size());
    out_ += fmt::format(
        "<li class=\"tile neutral\"><span class=\"n\">{}</span><span "
        "class=\"l\">problems</span></li>\n",
        a_.problems.size());
    out_ += "</ul>\n";
    out_ +=
        "<table class=\"inputs\">\n<caption>Inputs</caption>\n<thead><tr><th "
        "scope=\"col\">Kind</th>"
        "<th scope=\"col\">Input</th><th scope=\"col\">SHA-256</th><th scope=\"col\">Size</th>"
        "<th scope=\"col\">Status</th></tr></thead>\n<tbody>\n";
    for (const auto& in : a_.inputs) {
      out_ += fmt::format(
          "<tr><td>{}</td><td class=\"mono\">{}</td><td class=\"mono hash\">{}</td><td "
          "class=\"num\">{}</td><td>{}</td></tr>\n",
          E(InputKindName(in.kind)), E(in.name), in.sha256.empty() ? "\u2014" : E(in.sha256),
          in.size ? HumanSize(in.size) : "\u2014", E(in.status));
    }
    if (a_.inputs.empty()) out_ += "<tr><td colspan=\"5\" class=\"none\">No inputs.</td></tr>\n";
    out_ += "</tbody>\n</table>\n</section>\n";
  }

  // A stacked bar of fail/inconclusive/pass/n.a. counts.
  static std::string StackedBar(const std::array<int, 4>& n) {
    const int total = n[0] + n[1] + n[2] + n[3];
    std::string svg =
        "<svg viewBox=\"0 0 100 8\" preserveAspectRatio=\"none\" aria-hidden=\"true\" "
        "focusable=\"false\">";
    if (total == 0) {
      svg += "<rect x=\"0\" y=\"0\" width=\"100\" height=\"8\" fill=\"#eaecf0\"/>";
    }
    double x = 0;
    for (Verdict v : kVerdictOrder) {
      const int c = n[static_cast<int>(v)];
      if (!c) continue;
      const double w = 100.0 * c / total;
      svg += fmt::format("<rect x=\"{:.2f}\" y=\"0\" width=\"{:.2f}\" height=\"8\" fill=\"{}\"/>",
                         x, w, VerdictFill(v));
      x += w;
    }
    return svg + "</svg>";
  }

  void Guidelines() {
    out_ +=
        "<section id=\"guidelines\" aria-labelledby=\"h-guidelines\">\n<h2 id=\"h-guidelines\">"
        "UK Code of Practice: the 13 guidelines</h2>\n"
        "<p class=\"lead\">Each guideline combines the verdicts of the EN 303 645 V2.1.1 "
        "provisions "
        "under it: any failure fails it; otherwise anything undecided leaves it "
        "inconclusive.</p>\n";
    if (a_.guidelines.empty()) {
      out_ +=
          "<p class=\"none\">No guideline verdicts (the catalogue has no "
          "cop2018).</p>\n</section>\n";
      return;
    }
    out_ += "<ol class=\"grid\">\n";
    for (const auto& g : a_.guidelines) {
      std::array<int, 4> n{};
      n[static_cast<int>(Verdict::kPass)] = g.pass;
      n[static_cast<int>(Verdict::kFail)] = g.fail;
      n[static_cast<int>(Verdict::kInconclusive)] = g.inconclusive;
      n[static_cast<int>(Verdict::kNotApplicable)] = g.not_applicable;
      out_ += fmt::format(
          "<li class=\"card v-{}\" data-guideline=\"{}\"><span class=\"num\">Guideline {}</span>"
          "<h3>{}</h3><div>{}</div>{}<span class=\"counts\">{} fail \u00b7 {} inconclusive \u00b7 "
          "{} pass \u00b7 {} n/a</span></li>\n",
          VerdictClass(g.verdict), E(g.id), E(g.id), E(g.title), VerdictBadge(g.verdict),
          StackedBar(n), g.fail, g.inconclusive, g.pass, g.not_applicable);
    }
    out_ += "</ol>\n</section>\n";
  }

  void SeverityChart() {
    const auto n = CountBySeverity(a_);
    int max = 0;
    for (int c : n) max = std::max(max, c);
    std::string label = "Findings by severity:";
    for (Severity s : kSeveritiesDescending) {
      label += fmt::format(" {} {}{}", SeverityName(s), n[static_cast<int>(s)],
                           s == Severity::kInfo ? "." : ",");
    }
    out_ +=
        "<section id=\"severity\" aria-labelledby=\"h-severity\">\n<h2 id=\"h-severity\">Findings "
        "by severity</h2>\n";
    constexpr int kRow = 34, kLabel = 96, kBarMax = 520, kTop = 6;
    const int height = kTop * 2 + kRow * static_cast<int>(kSeveritiesDescending.size());
    out_ += fmt::format(
        "<figure class=\"chart\" style=\"margin:0\"><svg role=\"img\" viewBox=\"0 0 680 {}\" "
        "aria-labelledby=\"sev-title\"><title id=\"sev-title\">{}</title>\n",
        height, E(label));
    int row = 0;
    for (Severity s : kSeveritiesDescending) {
      const int c = n[static_cast<int>(s)];
      const int y = kTop + row++ * kRow;
      const int w = max ? std::max(c ? 3 : 0, kBarMax * c / max) : 0;
      out_ += fmt::format(
          "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>"
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#f2f4f7\"/>"
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"{}\"/>"
          "<text x=\"{}\" y=\"{}\" font-weight=\"700\">{}</text>\n",
          kLabel - 10, y + 21, Capitalised(SeverityName(s)), kLabel, y + 5, kBarMax, kRow - 10,
          kLabel, y + 5, w, kRow - 10, SeverityFill(s), kLabel + w + 8, y + 21, c);
    }
    out_ += fmt::format(
        "</svg><figcaption class=\"sub\">{} findings in all.</figcaption></figure>\n</section>\n",
        a_.findings.size());
  }

  std::string StatusCell(const ItemVerdict& v) {
    if (v.status.empty()) return v.mandatory ? "<span class=\"status\">M</span>" : "\u2014";
    std::string cell = fmt::format("<span class=\"status\" title=\"{}\">{}</span>",
                                   v.mandatory ? "mandatory" : "recommendation", E(v.status));
    for (const auto& [id, text] : ConditionsOf(cat_, v)) {
      cell += fmt::format("<span class=\"cond\">({}) {}</span>", E(id), E(text));
    }
    return cell;
  }

  std::string FindingLinks(const ItemVerdict& v) {
    if (v.findings.empty()) return "";
    std::string out = "<ul class=\"flinks\">";
    for (std::size_t fi : v.findings) {
      if (fi >= a_.findings.size()) continue;
      const Finding& f = a_.findings[fi];
      out += fmt::format("<li><a href=\"#{}\">#{} {}</a> {}", FindingAnchor(fi), fi + 1, E(f.title),
                         SeverityBadge(f.severity));
      if (!f.evidence.empty()) {
        out += fmt::format(" <a class=\"sub\" href=\"#{}-evidence\">{} evidence item{}</a>",
                           FindingAnchor(fi), f.evidence.size(), f.evidence.size() == 1 ? "" : "s");
      }
      out += "</li>";
    }
    return out + "</ul>";
  }

  void Provisions() {
    out_ += fmt::format(
        "<section id=\"provisions\" aria-labelledby=\"h-provisions\">\n<h2 id=\"h-provisions\">{} "
        "({} items)</h2>\n",
        E(a_.standard_name), a_.verdicts.size());
    out_ +=
        "<p class=\"lead\">Status: M mandatory, R recommendation; C (n) applies only when "
        "condition n holds. Every verdict gives its reason; an inconclusive one says what evidence "
        "would decide it.</p>\n";
    out_ += "<fieldset id=\"verdict-filter\" hidden><legend>Show</legend>";
    for (Verdict v : kVerdictOrder) {
      out_ += fmt::format("<label><input type=\"checkbox\" value=\"{}\" checked> {}</label>",
                          VerdictName(v), VerdictLabel(v));
    }
    out_ += "</fieldset>\n";
    out_ +=
        "<table class=\"provisions\">\n<colgroup><col class=\"c-id\"><col class=\"c-status\">"
        "<col class=\"c-title\"><col class=\"c-verdict\"><col></colgroup>\n"
        "<thead><tr><th scope=\"col\">Id</th><th scope=\"col\">Status</th>"
        "<th scope=\"col\">Title</th><th scope=\"col\">Verdict</th>"
        "<th scope=\"col\">Reason and findings</th></tr></thead>\n";
    for (const auto& g : VerdictsByGuideline(a_)) {
      out_ += "<tbody>\n";
      out_ += fmt::format("<tr class=\"group\"><th colspan=\"5\" scope=\"rowgroup\">{}</th></tr>\n",
                          g.id.empty() ? E(g.title) : E("Guideline " + g.id + ": " + g.title));
      for (const ItemVerdict* v : g.verdicts) {
        out_ += fmt::format(
            "<tr id=\"{}\" data-verdict=\"{}\"><th scope=\"row\" "
            "class=\"id\">{}</th><td>{}</td><td>{}",
            VerdictAnchor(*v), VerdictName(v->verdict), E(v->id), StatusCell(*v), E(v->title));
        if (!v->derived_from.empty()) {
          std::string from;
          for (const auto& d : v->derived_from) from += (from.empty() ? "" : ", ") + d;
          out_ += fmt::format("<span class=\"sub\">from {}</span>", E(from));
        }
        out_ += fmt::format("</td><td>{}", VerdictBadge(v->verdict));
        // Functional (from tests) and conceptual (from the declaration) parts, when known.
        if (v->functional) {
          out_ += fmt::format("<span class=\"part\">functional: {}</span>",
                              VerdictBadge(*v->functional));
        }
        if (v->conceptual) {
          out_ += fmt::format("<span class=\"part\">conceptual: {}</span>",
                              VerdictBadge(*v->conceptual));
        }
        out_ += fmt::format("</td><td class=\"reason\">{}{}</td></tr>\n", E(v->reason),
                            FindingLinks(*v));
      }
      out_ += "</tbody>\n";
    }
    out_ += "</table>\n</section>\n";
  }

  std::string ProvisionLink(const std::string& id) {
    auto it = by_provision_.find(id);
    if (it == by_provision_.end()) return "<span class=\"mono\">" + E(id) + "</span>";
    return fmt::format("<a href=\"#{}\">{}</a>", VerdictAnchor(*it->second), E(id));
  }

  void Findings() {
    out_ += fmt::format(
        "<section id=\"findings\" aria-labelledby=\"h-findings\">\n<h2 id=\"h-findings\">Findings "
        "({})</h2>\n",
        a_.findings.size());
    if (a_.findings.empty()) {
      out_ +=
          "<p class=\"none\">No findings. A provision without findings is not a pass by itself: "
          "see each verdict's reason.</p>\n</section>\n";
      return;
    }
    for (std::size_t fi : FindingsBySeverity(a_)) {
      const Finding& f = a_.findings[fi];
      out_ += fmt::format(
          "<article class=\"finding s-{}\" id=\"{}\">\n<header>{}<h3>#{} {}</h3>"
          "<span class=\"fid mono\">{}</span></header>\n",
          SeverityName(f.severity), FindingAnchor(fi), SeverityBadge(f.severity), fi + 1,
          E(f.title), E(f.fingerprint));
      out_ += "<dl>\n";
      if (!f.message.empty())
        out_ += fmt::format("<dt>What it means</dt><dd>{}</dd>\n", E(f.message));
      std::string provs;
      for (const auto& p : f.provisions) provs += (provs.empty() ? "" : ", ") + ProvisionLink(p);
      out_ += fmt::format("<dt>Provisions</dt><dd>{}</dd>\n", provs.empty() ? "\u2014" : provs);
      const CheckDoc* d = CheckDocOf(a_, f.check_id);
      out_ += fmt::format("<dt>Check</dt><dd><span class=\"mono\">{}</span>{}</dd>\n",
                          E(f.check_id), d && !d->title.empty() ? " \u2014 " + E(d->title) : "");
      out_ += fmt::format("<dt id=\"{}-evidence\">Evidence</dt><dd>", FindingAnchor(fi));
      if (f.evidence.empty()) {
        out_ += "<span class=\"none\">none recorded</span>";
      } else {
        out_ += "<ol class=\"evidence\">";
        for (const auto& e : f.evidence) {
          out_ += fmt::format("<li><code>{}</code>", E(e.Locator()));
          if (!e.excerpt.empty())
            out_ += fmt::format("<pre class=\"excerpt\">{}</pre>", E(e.excerpt));
          out_ += "</li>";
        }
        out_ += "</ol>";
      }
      out_ += "</dd>\n";
      if (!f.remediation.empty())
        out_ += fmt::format("<dt>Remediation</dt><dd>{}</dd>\n", E(f.remediation));
      out_ += "</dl>\n</article>\n";
    }
    out_ += "</section>\n";
  }

  // Traffic captures: every destination of the device (name, address, port, protocol, encrypted,
  // bytes) and an inline-SVG bar chart of the bytes exchanged with the busiest ones.
  void Destinations() {
    const auto dests = a_.facts.OfKind(facts::kDestination);
    if (dests.empty()) return;
    auto total = [](const Fact* f) {
      return f->value.value("bytes_out", 0ull) + f->value.value("bytes_in", 0ull);
    };
    std::vector<const Fact*> sorted(dests.begin(), dests.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [&](const Fact* x, const Fact* y) { return total(x) > total(y); });
    out_ += fmt::format(
        "<section id=\"destinations\" aria-labelledby=\"h-destinations\">\n<h2 "
        "id=\"h-destinations\">Destinations ({})</h2>\n",
        dests.size());
    constexpr std::size_t kBars = 12;
    constexpr int kRow = 26, kLabel = 250, kBarMax = 380;
    const std::size_t bars = std::min(kBars, sorted.size());
    const std::uint64_t max = std::max<std::uint64_t>(1, total(sorted.front()));
    out_ += fmt::format(
        "<figure class=\"chart\" style=\"margin:0\"><svg role=\"img\" viewBox=\"0 0 760 {}\" "
        "aria-labelledby=\"dest-title\"><title id=\"dest-title\">Bytes exchanged with the {} "
        "busiest destinations</title>\n",
        bars * kRow + 8, bars);
    for (std::size_t i = 0; i < bars; ++i) {
      const Fact& d = *sorted[i];
      const std::string name = d.value.value("name", "");
      const std::string label = fmt::format(
          "{}:{}", name.empty() ? d.value.value("address", "") : name, d.value.value("port", 0));
      const int y = 4 + static_cast<int>(i) * kRow;
      const int w = static_cast<int>(kBarMax * total(&d) / max);
      out_ += fmt::format(
          "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{}\" y=\"{}\" "
          "width=\"{}\" height=\"{}\" rx=\"3\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{} "
          "B</text>\n",
          kLabel - 8, y + 17, E(label.substr(0, 40)), kLabel, y + 4, std::max(w, 2), kRow - 8,
          d.value.value("encrypted", false) ? "#12b76a" : "#d92d20", kLabel + std::max(w, 2) + 6,
          y + 17, total(&d));
    }
    out_ +=
        "</svg><figcaption class=\"sub\">Green: encrypted; red: at least one cleartext "
        "flow.</figcaption></figure>\n";
    out_ +=
        "<table><thead><tr><th>Device</th><th>Name</th><th>Address</th><th>Port</th>"
        "<th>Protocol</th><th>Encrypted</th><th>Bytes out</th><th>Bytes in</th></tr></thead>"
        "<tbody>\n";
    for (const Fact* d : sorted) {
      const auto& v = d->value;
      out_ += fmt::format(
          "<tr><td class=\"mono\">{}</td><td>{}</td><td class=\"mono\">{}</td><td>{}/{}</td>"
          "<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
          E(v.value("device", "")), E(v.value("name", "")), E(v.value("address", "")),
          v.value("port", 0), E(v.value("transport", "")), E(v.value("protocol", "")),
          v.value("encrypted", false) ? "yes" : "<strong>no</strong>", v.value("bytes_out", 0ull),
          v.value("bytes_in", 0ull));
    }
    out_ += "</tbody></table>\n</section>\n";
  }

  void Problems() {
    out_ += fmt::format(
        "<section id=\"problems\" aria-labelledby=\"h-problems\">\n<h2 id=\"h-problems\">Problems "
        "({})</h2>\n",
        a_.problems.size());
    if (a_.problems.empty()) {
      out_ += "<p class=\"none\">Nothing went wrong or was limited.</p>\n</section>\n";
      return;
    }
    out_ +=
        "<p class=\"lead\">What could not be read or was cut short; verdicts that depend on it "
        "stay inconclusive.</p>\n";
    out_ +=
        "<table>\n<thead><tr><th scope=\"col\">Level</th><th scope=\"col\">Stage</th>"
        "<th scope=\"col\">Where</th><th scope=\"col\">Message</th></tr></thead>\n<tbody>\n";
    for (const auto& p : a_.problems) {
      std::string where = p.input;
      if (!p.path.empty()) where += "!" + p.path;
      if (p.offset) where += fmt::format(" at offset {:#x}", *p.offset);
      out_ += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"mono\">{}</td><td>{}</td></tr>\n",
                          p.level == "error" ? "<strong>error</strong>" : E(p.level), E(p.stage),
                          where.empty() ? "\u2014" : E(where), E(p.message));
    }
    out_ += "</tbody>\n</table>\n</section>\n";
  }

  int RanChecks() const {
    int n = 0;
    for (const auto& c : a_.checks) n += c.ran ? 1 : 0;
    return n;
  }

  void Checks() {
    out_ += fmt::format(
        "<section id=\"checks\" aria-labelledby=\"h-checks\">\n<h2 id=\"h-checks\">Checks ({} ran, "
        "{} "
        "skipped)</h2>\n",
        RanChecks(), a_.checks.size() - static_cast<std::size_t>(RanChecks()));
    if (a_.checks.empty()) {
      out_ += "<p class=\"none\">No checks were available.</p>\n</section>\n";
      return;
    }
    out_ +=
        "<table>\n<thead><tr><th scope=\"col\">Check</th><th scope=\"col\">Title</th>"
        "<th scope=\"col\">Provisions</th><th scope=\"col\">Ran</th><th scope=\"col\">Note</th>"
        "</tr></thead>\n<tbody>\n";
    for (const auto& c : a_.checks) {
      std::string provs;
      for (const auto& p : c.doc.provisions)
        provs += (provs.empty() ? "" : ", ") + ProvisionLink(p);
      out_ += fmt::format(
          "<tr><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
          E(c.check_id), E(c.doc.title), provs, c.ran ? "ran" : "<strong>skipped</strong>",
          E(c.note));
    }
    out_ += "</tbody>\n</table>\n</section>\n";
  }

  void Facts() {
    std::map<std::string, std::pair<int, std::string>> kinds;  // kind -> count, collectors
    for (const auto& f : a_.facts.all()) {
      auto& [count, collectors] = kinds[f.kind];
      ++count;
      if (("," + collectors + ",").find("," + f.collector + ",") == std::string::npos) {
        collectors += (collectors.empty() ? "" : ",") + f.collector;
      }
    }
    out_ += fmt::format(
        "<section id=\"facts\" aria-labelledby=\"h-facts\">\n<h2 id=\"h-facts\">Facts ({})</h2>\n",
        a_.facts.size());
    if (kinds.empty()) {
      out_ +=
          "<p class=\"none\">No facts were collected, so no provision could "
          "pass.</p>\n</section>\n";
      return;
    }
    out_ +=
        "<p class=\"lead\">What iotcop learned about the product, by kind; report.json lists each "
        "fact with its evidence.</p>\n";
    out_ +=
        "<table>\n<thead><tr><th scope=\"col\">Kind</th><th scope=\"col\">Count</th>"
        "<th scope=\"col\">Collected by</th></tr></thead>\n<tbody>\n";
    for (const auto& [kind, v] : kinds) {
      std::string collectors = v.second;
      for (auto& ch : collectors) ch = ch == ',' ? ' ' : ch;
      out_ += fmt::format(
          "<tr><td class=\"mono\">{}</td><td class=\"num\">{}</td><td "
          "class=\"mono\">{}</td></tr>\n",
          E(kind), v.first, E(collectors));
    }
    out_ += "</tbody>\n</table>\n</section>\n";
  }

  // Sections contributed by capabilities, shown as JSON (bounded: report.json has all of it).
  void Extras() {
    if (a_.extras.empty()) return;
    constexpr std::size_t kMax = 16384;
    out_ +=
        "<section id=\"extras\" aria-labelledby=\"h-extras\">\n<h2 id=\"h-extras\">More "
        "data</h2>\n";
    for (const auto& [key, value] : a_.extras.items()) {
      std::string text = value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
      const bool cut = text.size() > kMax;
      if (cut) text = ValidUtf8(text.substr(0, kMax)) + "\n…";
      out_ += fmt::format("<h3>{}</h3><pre class=\"excerpt\">{}</pre>{}\n", E(key), E(text),
                          cut ? "<p class=\"sub\">Shortened; report.json has all of it.</p>" : "");
    }
    out_ += "</section>\n";
  }

  const Assessment& a_;
  const Catalogue& cat_;
  std::map<std::string, const ItemVerdict*> by_provision_;
  std::string out_;
};

class HtmlRenderer final : public Renderer {
 public:
  const RendererDoc& doc() const override { return doc_; }
  Status Render(const Assessment& a, const Catalogue& catalogue, std::ostream& out) const override {
    out << HtmlWriter(a, catalogue).Page();
    return Ok();
  }

 private:
  RendererDoc doc_{
      "html", "report.html",
      "one self-contained page for people: guidelines, severity chart, every provision, "
      "findings with evidence"};
};

}  // namespace

std::unique_ptr<const Renderer> MakeHtmlRenderer() { return std::make_unique<HtmlRenderer>(); }

}  // namespace iotcop::report
