#include "docs/generate.h"

namespace iotcop::docs {

#define IOTCOP_DOC(file, fn) std::string fn(const Catalogue& catalogue);
#include "docs/docs.def"
#undef IOTCOP_DOC

std::vector<GeneratedPage> GeneratePages(const Catalogue& catalogue) {
  std::vector<GeneratedPage> pages;
#define IOTCOP_DOC(file, fn) pages.push_back({file, fn(catalogue)});
#include "docs/docs.def"
#undef IOTCOP_DOC
  return pages;
}

std::string Cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\r')
      out += ' ';
    else if (c == '|')
      out += "\\|";
    else
      out += c;
  }
  return out;
}

}  // namespace iotcop::docs
