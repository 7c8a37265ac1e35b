#include "report/document.h"

#include <fmt/format.h>

#include "report/page.h"
#include "report/util.h"

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
  const Page page{.kind = PageKind::kDocument, .title = d.title};
  std::string h = PageBegin(page) + "<h1>" + XmlEscape(d.title) + "</h1>\n";
  for (const auto& b : d.blocks) {
    switch (b.kind) {
      case Block::Kind::kHeading:
        h += fmt::format("<h{0}>{1}</h{0}>\n", b.level + 1, XmlEscape(b.text));
        break;
      case Block::Kind::kParagraph:
        h += "<p>" + XmlEscape(b.text) + "</p>\n";
        break;
      case Block::Kind::kNote:
        h += "<div class=\"doc-note\"><strong>Note:</strong> " + XmlEscape(b.text) + "</div>\n";
        break;
      case Block::Kind::kList:
        h += "<ul>\n";
        for (const auto& i : b.items) h += "<li>" + XmlEscape(i) + "</li>\n";
        h += "</ul>\n";
        break;
      case Block::Kind::kTable:
        h += "<table><thead><tr>";
        for (const auto& c : b.items) h += "<th>" + XmlEscape(c) + "</th>";
        h += "</tr></thead><tbody>\n";
        for (const auto& r : b.rows) {
          h += "<tr>";
          for (const auto& c : r) h += "<td>" + XmlEscape(c) + "</td>";
          h += "</tr>\n";
        }
        h += "</tbody></table>\n";
        break;
      case Block::Kind::kSignature:
        h += "<div class=\"doc-sig\">";
        for (const auto& l : b.items) {
          h += l.find(": ") != std::string::npos
                   ? "<p class=\"doc-sig-filled\">" + XmlEscape(l) + "</p>"
                   : "<p>" + XmlEscape(l) + ":</p>";
        }
        h += "</div>\n";
        break;
    }
  }
  return h + PageEnd(page);
}

}  // namespace iotcop::report
