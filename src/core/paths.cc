#include "core/paths.h"

#include <cstdlib>

#include "core/build_info.h"

namespace iotcop {
namespace fs = std::filesystem;

fs::path DataDir() {
  if (const char* env = std::getenv("IOTCOP_DATA")) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path beside = exe.parent_path().parent_path() / "share" / "iotcop";
    if (fs::is_directory(beside / "catalogue", ec)) return beside;
  }
  return fs::path(build::kSourceDir);  // running from an unusual place: the source tree
}

}  // namespace iotcop
