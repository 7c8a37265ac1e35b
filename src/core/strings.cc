#include "core/strings.h"

#include <fmt/format.h>

namespace iotcop {
namespace {

bool Space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

}  // namespace

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string HumanSize(std::uint64_t n) {
  if (n < 1024) return fmt::format("{} B", n);
  if (n < 1024 * 1024) return fmt::format("{:.1f} KiB", static_cast<double>(n) / 1024);
  if (n < 1024ull * 1024 * 1024) return fmt::format("{:.1f} MiB", static_cast<double>(n) / 1048576);
  return fmt::format("{:.2f} GiB", static_cast<double>(n) / 1073741824.0);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && Space(s.front())) s.remove_prefix(1);
  while (!s.empty() && Space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<TextLine> SplitLines(std::string_view text, std::size_t max_lines) {
  std::vector<TextLine> out;
  std::size_t pos = 0;
  std::uint32_t number = 0;
  while (pos < text.size() && out.size() < max_lines) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back({++number, line});
    pos = end + 1;
  }
  return out;
}

}  // namespace iotcop
