#include "support/test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace iotcop::test {
namespace fs = std::filesystem;

CommandResult RunShell(const std::string& command) {
  static std::atomic<int> counter{0};
  const fs::path dir = fs::path(IOTCOP_BUILD_DIR) / "test-tmp";
  fs::create_directories(dir);
  const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(counter++);
  const fs::path out = dir / ("cmd-" + tag + ".out"), err = dir / ("cmd-" + tag + ".err");
  const std::string full =
      "(" + command + ") >'" + out.string() + "' 2>'" + err.string() + "' </dev/null";
  const int status = std::system(full.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

CommandResult RunIotcop(const std::string& args) {
  // Assessments are saved in a results store under the build tree, never in the user's home.
  return RunShell(std::string("env -u CI NO_COLOR=1 XDG_DATA_HOME='") + IOTCOP_BUILD_DIR +
                  "/test-tmp/xdg-data' '" + IOTCOP_BINARY + "' " + args);
}

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = fs::path(IOTCOP_BUILD_DIR) / "test-tmp" /
          ("t-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void WriteFile(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary);
  f << content;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

fs::path CorpusDir() {
  const fs::path p = fs::path(IOTCOP_SOURCE_DIR) / ".." / "shared" / "corpus" / "images";
  std::error_code ec;
  return fs::is_directory(p, ec) ? fs::canonical(p) : fs::path();
}

bool HaveTool(const std::string& tool) { return RunShell("command -v " + tool).exit_code == 0; }

}  // namespace iotcop::test
