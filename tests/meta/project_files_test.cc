// The project's data and documentation cite public sources, never a path on somebody's machine:
// every line of every file under catalogue/, rules/, schema/, samples/ and docs/ is free of local
// absolute paths (/work/, /home/, /root/, /tmp/), of the folder beside the checkout (../shared)
// and of file:// URLs. Nothing is allowed by exception: an example command writes to a path
// inside the checkout (build/...), a test corpus is named by the function that finds it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace iotcop {
namespace {
namespace fs = std::filesystem;

constexpr const char* kLocalPathMarks[] = {"/work/", "/home/",    "/root/",
                                           "/tmp/",  "../shared", "file://"};

// "file:line: names a local path (mark): line" for each line of `file` with a local path.
std::vector<std::string> LocalPathsIn(const fs::path& file, const fs::path& root) {
  std::vector<std::string> out;
  std::ifstream in(file, std::ios::binary);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    for (const char* mark : kLocalPathMarks) {
      if (line.find(mark) == std::string::npos) continue;
      out.push_back(fs::relative(file, root).string() + ":" + std::to_string(n) +
                    ": names a local path (" + mark + "): " + line.substr(0, 160));
      break;
    }
  }
  return out;
}

TEST(ProjectFiles, DataAndDocsNameNoLocalPath) {
  const fs::path root = IOTCOP_SOURCE_DIR;
  std::vector<std::string> found;
  int files = 0;
  for (const char* folder : {"catalogue", "rules", "schema", "samples", "docs"}) {
    ASSERT_TRUE(fs::is_directory(root / folder)) << folder;
    for (const auto& e : fs::recursive_directory_iterator(root / folder)) {
      if (!e.is_regular_file()) continue;
      ++files;
      for (auto& f : LocalPathsIn(e.path(), root)) found.push_back(std::move(f));
    }
  }
  EXPECT_GT(files, 30);
  std::string report;
  for (const auto& f : found) report += f + "\n";
  EXPECT_TRUE(found.empty()) << report;
}

}  // namespace
}  // namespace iotcop
