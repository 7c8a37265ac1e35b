// File: report/document.h
// A small document model (headings, paragraphs, lists, tables, notes) for the reports that are
// prose rather than data: the PSTI statement of compliance and the ETSI TS 103 701-style report.
// Each is built once and written as Markdown or HTML by the same two functions, so the two
// forms of one report cannot drift apart.
#pragma once

#include <string>
#include <vector>

namespace iotcop::report {

struct Block {
  enum class Kind {
    kHeading,
    kParagraph,
    kList,
    kTable,
    kNote,
    kSignature
  } kind = Kind::kParagraph;
  int level = 1;                               // headings
  std::string text;                            // heading, paragraph, note
  std::vector<std::string> items;              // list items; table header
  std::vector<std::vector<std::string>> rows;  // table rows
};

struct Document {
  std::string title;
  std::vector<Block> blocks;

  void Heading(int level, std::string text) {
    blocks.push_back({Block::Kind::kHeading, level, std::move(text)});
  }
  void Paragraph(std::string text) {
    blocks.push_back({Block::Kind::kParagraph, 0, std::move(text)});
  }
  void Note(std::string text) { blocks.push_back({Block::Kind::kNote, 0, std::move(text)}); }
  void List(std::vector<std::string> items) {
    blocks.push_back({Block::Kind::kList, 0, {}, std::move(items)});
  }
  void Table(std::vector<std::string> header, std::vector<std::vector<std::string>> rows) {
    blocks.push_back({Block::Kind::kTable, 0, {}, std::move(header), std::move(rows)});
  }
  // Lines to sign on: "Signature", "Name: ...", ...
  void Signature(std::vector<std::string> lines) {
    blocks.push_back({Block::Kind::kSignature, 0, {}, std::move(lines)});
  }
};

std::string ToMarkdown(const Document& d);
// A complete self-contained HTML page in the shell of report/page.h (prints well).
std::string ToHtml(const Document& d);

}  // namespace iotcop::report
