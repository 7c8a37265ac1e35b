// File: core/hash.h
#pragma once

#include <string>
#include <string_view>

#include "core/bytes.h"

namespace iotcop {

std::string Sha256Hex(ByteView data);
// SHA-256 of a file, streamed; an Error names the file.
Result<std::string> Sha256File(const std::string& path);

// Standard base64 (whitespace and other characters ignored); "" when it is not valid base64.
std::string Base64Decode(std::string_view text);

}  // namespace iotcop
