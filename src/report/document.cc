#include "report/document.h"

#include <fmt/format.h>

namespace iotcop::report {
namespace {

std::string MdCell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += "<br>";
    else
      out += c;
  }
  return out;
}

std::string Esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string ToMarkdown(const Document& d) {
  std::string md = "# " + d.title + "\n";
  for (const auto& b : d.blocks) {
    switch (b.kind) {
      case Block::Kind::kHeading:
        md += fmt::format("\n{} {}\n", std::string(static_cast<std::size_t>(b.level) + 1, '#'),
                          b.text);
        break;
      case Block::Kind::kParagraph:
        md += "\n" + b.text + "\n";
        break;
      case Block::Kind::kNote:
        md += "\n> **Note:** " + b.text + "\n";
        break;
      case Block::Kind::kList:
        md += "\n";
        for (const auto& i : b.items) md += "- " + i + "\n";
        break;
      case Block::Kind::kTable: {
        md += "\n|";
        for (const auto& h : b.items) md += " " + MdCell(h) + " |";
        md += "\n|";
        for (std::size_t i = 0; i < b.items.size(); ++i) md += "---|";
        md += "\n";
        for (const auto& r : b.rows) {
          md += "|";
          for (const auto& c : r) md += " " + MdCell(c) + " |";
          md += "\n";
        }
        break;
      }
      case Block::Kind::kSignature:
        md += "\n";
        for (const auto& l : b.items) {
          md += l.find(": ") != std::string::npos ? l + "\n\n"
                                                  : l + ": ______________________________\n\n";
        }
        break;
    }
  }
  return md;
}

std::string ToHtml(const Document& d) {
  std::string h = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
      "charset=\"utf-8\"><title>{}</title>\n<style>\n"
      "body{{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60rem;margin:2rem "
      "auto;padding:0 1rem;"
      "color:#1b1f24;line-height:1.45}}\n"
      "h1{{font-size:1.6rem;border-bottom:2px solid "
      "#1b1f24;padding-bottom:.3rem}}h2{{font-size:1.25rem;margin-top:2rem}}"
      "h3{{font-size:1.05rem}}\n"
      "table{{border-collapse:collapse;width:100%;margin:.6rem 0}}th,td{{border:1px solid "
      "#c8ccd1;padding:.3rem .5rem;"
      "text-align:left;vertical-align:top}}th{{background:#eef1f4}}thead{{display:table-header-"
      "group}}\n"
      ".note{{border-left:4px solid #b26b00;background:#fff6e6;padding:.5rem .8rem;margin:.8rem "
      "0}}\n"
      ".sig p{{margin:1.6rem 0 0;border-bottom:1px solid "
      "#1b1f24;max-width:28rem;padding-bottom:.2rem}}"
      ".sig p.filled{{border-bottom:none}}\n"
      "@media print{{body{{margin:0;max-width:none}}.note{{background:none}}h2{{break-after:avoid}}"
      "tr{{break-inside:avoid}}}}\n</style></head><body>\n<h1>{}</h1>\n",
      Esc(d.title), Esc(d.title));
  for (const auto& b : d.blocks) {
    switch (b.kind) {
      case Block::Kind::kHeading:
        h += fmt::format("<h{0}>{1}</h{0}>\n", b.level + 1, Esc(b.text));
        break;
      case Block::Kind::kParagraph:
        h += "<p>" + Esc(b.text) + "</p>\n";
        break;
      case Block::Kind::kNote:
        h += "<div class=\"note\"><strong>Note:</strong> " + Esc(b.text) + "</div>\n";
        break;
      case Block::Kind::kList:
        h += "<ul>\n";
        for (const auto& i : b.items) h += "<li>" + Esc(i) + "</li>\n";
        h += "</ul>\n";
        break;
      case Block::Kind::kTable:
        h += "<table><thead><tr>";
        for (const auto& c : b.items) h += "<th>" + Esc(c) + "</th>";
        h += "</tr></thead><tbody>\n";
        for (const auto& r : b.rows) {
          h += "<tr>";
          for (const auto& c : r) h += "<td>" + Esc(c) + "</td>";
          h += "</tr>\n";
        }
        h += "</tbody></table>\n";
        break;
      case Block::Kind::kSignature:
        h += "<div class=\"sig\">";
        for (const auto& l : b.items) {
          h += l.find(": ") != std::string::npos ? "<p class=\"filled\">" + Esc(l) + "</p>"
                                                 : "<p>" + Esc(l) + ":</p>";
        }
        h += "</div>\n";
        break;
    }
  }
  return h + "</body></html>\n";
}

}  // namespace iotcop::report
