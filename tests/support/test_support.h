// File: tests/support/test_support.h
// Helpers shared by the tests: run the iotcop binary, make temp folders, find the corpus.
#pragma once

#include <filesystem>
#include <string>

namespace iotcop::test {

// A path or URL in single quotes, for the shell command lines of RunIotcop/RunShell.
inline std::string Q(const std::string& s) { return "'" + s + "'"; }
inline std::string Q(const char* s) { return Q(std::string(s)); }
inline std::string Q(const std::filesystem::path& p) { return Q(p.string()); }

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `iotcop ARGS` (ARGS is passed to /bin/sh, quote accordingly).
CommandResult RunIotcop(const std::string& args);
// Runs any shell command, capturing stdout and stderr.
CommandResult RunShell(const std::string& command);

// A fresh folder under the build tree's test area, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& p) const { return path_ / p; }

 private:
  std::filesystem::path path_;
};

void WriteFile(const std::filesystem::path& p, const std::string& content);
std::string ReadFile(const std::filesystem::path& p);

// ../shared/corpus beside the checkout, or empty when absent.
std::filesystem::path CorpusDir();
// True when `tool` is on PATH.
bool HaveTool(const std::string& tool);

}  // namespace iotcop::test
