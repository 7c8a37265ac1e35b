#include "support/emulate_fixture.h"

#include "support/test_support.h"

namespace iotcop::test {

namespace fs = std::filesystem;

fs::path CorpusImage(const std::string& prefix) {
  const fs::path corpus = CorpusDir();
  if (corpus.empty()) return {};
  for (const auto& e : fs::directory_iterator(corpus))
    if (e.path().filename().string().starts_with(prefix)) return e.path();
  return {};
}

void WriteOwnFiles(const fs::path& root, const std::vector<emulate::OwnFile>& files) {
  for (const auto& f : files) {
    const fs::path p = root / ".iotcop" / f.path;
    fs::create_directories(p.parent_path());
    if (!f.link.empty()) {
      fs::create_symlink(f.link, p);
    } else {
      WriteFile(p, f.content);
    }
  }
}

}  // namespace iotcop::test
