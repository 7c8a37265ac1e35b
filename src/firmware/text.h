// File: firmware/text.h
// Small text helpers shared by the firmware collectors: bounded reads of files in the tree, line
// splitting, shell comment stripping and word splitting (with quotes), the tree's files in order.
// Nothing here executes or evaluates anything: it only reads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/strings.h"
#include "unpack/tree.h"

namespace iotcop::firmware {

std::string_view Basename(std::string_view path);
std::string_view Dirname(std::string_view path);

// The code part of a shell line: "" for a comment line, text before an unquoted " #" otherwise.
std::string_view ShellCode(std::string_view line);

// Shell-like word splitting: whitespace separates, quotes group, backslash escapes. Stops at an
// unquoted '#' that starts a word. Never fails (unbalanced quotes end the word at the line end).
std::vector<std::string> ShellWords(std::string_view line);

// Splits a shell line into simple commands at unquoted ; && || | and & (the last one marks the
// command as run in the background).
struct SimpleCommand {
  std::vector<std::string> argv;
  bool background = false;
};
std::vector<SimpleCommand> ShellCommands(std::string_view code);

// True when the bytes look like text (no NUL in the first 4 KiB, mostly printable).
bool LooksLikeText(std::string_view data);

// Reads a file of the tree with a cap; nullopt when it cannot be read (not a file, not extracted).
std::optional<std::string> ReadCapped(const unpack::Tree& tree, const unpack::Entry& e,
                                      std::size_t max_bytes);

// Regular files of every root, in tree order, whose size is at most `max_size`.
std::vector<const unpack::Entry*> RegularFiles(const unpack::Tree& tree,
                                               std::uint64_t max_size = UINT64_MAX);

// The roots to search for a system's configuration: SystemRoots(), or every root when none looks
// like a Unix root filesystem.
std::vector<std::uint32_t> ConfigRoots(const unpack::Tree& tree);

// True for a shell program name ("/bin/sh", "-/bin/ash", "bash").
bool IsShell(std::string_view program);

// Glob match with * ? and [...] (no path semantics).
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace iotcop::firmware
