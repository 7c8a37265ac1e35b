#include "core/result.h"

#include <fmt/format.h>

namespace iotcop {

const char* ErrcName(Errc code) {
  switch (code) {
    case Errc::kNotThisFormat:
      return "not-this-format";
    case Errc::kTruncated:
      return "truncated";
    case Errc::kCorrupt:
      return "corrupt";
    case Errc::kUnsupported:
      return "unsupported";
    case Errc::kLimitExceeded:
      return "limit-exceeded";
    case Errc::kIo:
      return "io";
    case Errc::kTimeout:
      return "timeout";
    case Errc::kInvalidArgument:
      return "invalid-argument";
    case Errc::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Error::Describe() const {
  std::string out;
  if (!input.empty()) out += input + ": ";
  if (offset) out += fmt::format("at offset {:#x}: ", *offset);
  out += what;
  return out;
}

}  // namespace iotcop
