// File: core/plugin.h
// Parts of iotcop that need a heavy library and that most runs never use are plugins: shared
// objects in lib/iotcop/ that are loaded on first use. A run that never touches them never loads
// their libraries (libpqxx alone brings twenty libraries and 8 ms of start-up to every run,
// `iotcop unpack` included). Each plugin is one `src/**/NAME_plugin.cc`, built as
// `lib/iotcop/iotcop-NAME.so`, exporting `iotcop_plugin_tag` and its entry points as extern "C";
// its caller in the module library keeps the plain C++ interface (e.g. store::OpenPostgres).
//
// Where a plugin is looked for, first found wins: $IOTCOP_PLUGINS, <binary>/../lib/iotcop (the
// build tree and an installed prefix alike), the build tree the binary was built in.
#pragma once

#include <filesystem>
#include <string>

#include "core/build_info.h"
#include "core/result.h"

namespace iotcop {

// Bumped whenever a plugin entry point's signature or a type it passes changes.
inline constexpr int kPluginAbi = 1;

// The tag a plugin exports and the loader compares: version and ABI of the build.
inline std::string PluginTag() {
  return std::string(build::kVersion) + "/abi" + std::to_string(kPluginAbi);
}

// The folder plugins are loaded from (the first of the places above that exists).
std::filesystem::path PluginDir();

// Loads plugin NAME once (later calls reuse it) and returns SYMBOL from it. The error names the
// plugin's file and says what is wrong (missing, from another build, lacking the symbol).
Result<void*> PluginSymbol(const std::string& name, const char* symbol);

}  // namespace iotcop

// In a plugin's source: how an entry point is exported (plugins build with hidden visibility), and
// the tag the loader checks.
#define IOTCOP_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))
#define IOTCOP_PLUGIN_TAG                                 \
  IOTCOP_PLUGIN_EXPORT const char* iotcop_plugin_tag() {  \
    static const std::string tag = ::iotcop::PluginTag(); \
    return tag.c_str();                                   \
  }
