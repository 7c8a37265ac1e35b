// File: core/hash.h
#pragma once

#include <string>

#include "core/bytes.h"

namespace iotcop {

std::string Sha256Hex(ByteView data);
// SHA-256 of a file, streamed; an Error names the file.
Result<std::string> Sha256File(const std::string& path);

}  // namespace iotcop
