#include "core/progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace iotcop {

Progress::Progress() {
  const char* ci = std::getenv("CI");
  enabled_ = ::isatty(STDERR_FILENO) && !(ci && *ci);
}

Progress::~Progress() { Done(); }

void Progress::Set(std::string_view stage, std::string_view detail) {
  if (!enabled_) return;
  std::string line = "\r\033[K" + std::string(stage);
  if (!detail.empty()) line += ": " + std::string(detail.substr(0, 100));
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  dirty_ = true;
}

void Progress::Done() {
  if (!enabled_ || !dirty_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  dirty_ = false;
}

bool UseColour(int fd) {
  if (std::getenv("NO_COLOR") && *std::getenv("NO_COLOR")) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string(term) == "dumb") return false;
  return ::isatty(fd);
}

}  // namespace iotcop
