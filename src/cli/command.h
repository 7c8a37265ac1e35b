// File: cli/command.h
// Each subcommand is one file in cli/ that adds itself to the CLI11 app; commands.def lists them.
// Exit codes (docs/cli.md): 0 done, nothing at or above --fail-on; 1 findings at or above it;
// 2 usage error; 3 an input could not be read (partial results still written).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace iotcop::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInput = 3;

// A subcommand sets `run` to the action to take once parsing succeeded.
struct CommandContext {
  std::function<int()> run;
};

}  // namespace iotcop::cli
