// File: docs/generate.h
// Pages of docs/ that are written from the code's own metadata (`iotcop docs --out docs`); a test
// fails when a committed page differs from what the binary writes. docs.def lists them.
#pragma once

#include <string>
#include <vector>

#include "core/catalogue.h"

namespace iotcop::docs {

struct GeneratedPage {
  std::string file;  // "checks.md"
  std::string text;
};

std::vector<GeneratedPage> GeneratePages(const Catalogue& catalogue);

// Markdown table cell: no newlines, pipes escaped.
std::string Cell(std::string_view s);

}  // namespace iotcop::docs
