// File: core/progress.h
// Progress for long work: a single updating line on stderr, only when stderr is a terminal and
// not under CI; silent in pipes and logs.
#pragma once

#include <string_view>

namespace iotcop {

class Progress {
 public:
  Progress();
  ~Progress();
  bool enabled() const { return enabled_; }
  void Set(std::string_view stage, std::string_view detail = {});
  void Done();

 private:
  bool enabled_ = false;
  bool dirty_ = false;
};

// True when colour may be used on `fd` (a terminal, NO_COLOR unset, TERM not "dumb").
bool UseColour(int fd);

}  // namespace iotcop
