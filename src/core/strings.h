// File: core/strings.h
// The small string helpers every parser needs, once: ASCII lower-casing and trimming of white
// space (the C locale's: space, \t, \r, \n, \v, \f). Byte-oriented; never locale-dependent.
#pragma once

#include <string>
#include <string_view>

namespace iotcop {

std::string Lower(std::string_view s);
std::string_view Trim(std::string_view s);

}  // namespace iotcop
