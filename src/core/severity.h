// File: core/severity.h
#pragma once

#include <optional>
#include <string_view>

namespace iotcop {

enum class Severity { kInfo = 0, kLow, kMedium, kHigh, kCritical };

const char* SeverityName(Severity s);
std::optional<Severity> ParseSeverity(std::string_view s);  // "info".."critical", "none"->nullopt

}  // namespace iotcop
