// File: core/strings.h
// The small string helpers every parser needs, once: ASCII lower-casing and trimming of white
// space (the C locale's: space, \t, \r, \n, \v, \f), splitting text into numbered lines.
// Byte-oriented; never locale-dependent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace iotcop {

std::string Lower(std::string_view s);
std::string_view Trim(std::string_view s);

struct TextLine {
  std::uint32_t number = 0;  // 1-based
  std::string_view text;     // without the line break
};

// "512 B", "3.4 KiB", "3.4 MiB", "1.25 GiB".
std::string HumanSize(std::uint64_t bytes);

// Splits text into lines ("\n" or "\r\n"); at most `max_lines`.
std::vector<TextLine> SplitLines(std::string_view text, std::size_t max_lines = 200000);

}  // namespace iotcop
