#include "core/plugin.h"

#include <dlfcn.h>

#include <cstdlib>
#include <map>
#include <mutex>

namespace iotcop {
namespace fs = std::filesystem;

fs::path PluginDir() {
  if (const char* env = std::getenv("IOTCOP_PLUGINS"); env && *env) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path beside = exe.parent_path().parent_path() / "lib" / "iotcop";
    if (fs::is_directory(beside, ec)) return beside;
  }
  return fs::path(build::kPluginDir);  // running from an unusual place: the build tree
}

Result<void*> PluginSymbol(const std::string& name, const char* symbol) {
  static std::mutex mu;
  static std::map<std::string, void*> loaded;  // by file; never closed (their code may be running)
  const std::lock_guard<std::mutex> lock(mu);
  const std::string file = (PluginDir() / ("iotcop-" + name + ".so")).string();
  void*& handle = loaded[file];
  if (handle == nullptr) {
    std::error_code ec;
    if (!fs::exists(file, ec))
      return MakeError(Errc::kIo,
                       "plugin " + name + " is not installed (set IOTCOP_PLUGINS to its folder)",
                       file);
    handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = dlerror();
      return MakeError(Errc::kIo, std::string("cannot load plugin: ") + (why ? why : "?"), file);
    }
    auto* tag = reinterpret_cast<const char* (*)()>(dlsym(handle, "iotcop_plugin_tag"));
    if (tag == nullptr || PluginTag() != tag()) {
      const std::string theirs = tag ? tag() : "none";
      dlclose(handle);
      handle = nullptr;
      return MakeError(Errc::kIo,
                       "plugin is from another build (" + theirs + ", this is " + PluginTag() + ")",
                       file);
    }
  }
  void* sym = dlsym(handle, symbol);
  if (sym == nullptr) return MakeError(Errc::kIo, std::string("plugin lacks ") + symbol, file);
  return sym;
}

}  // namespace iotcop
