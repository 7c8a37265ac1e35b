#include <archive.h>
#include <fmt/format.h>
#include <openssl/opensslv.h>

#include <iostream>

#include "cli/command.h"
#include "core/build_info.h"
#include "core/paths.h"
#include "core/plugin.h"

namespace iotcop::cli {

void AddVersionCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd =
      app.add_subcommand("version", "Print the version, the libraries and where data is read from");
  cmd->callback([&ctx] {
    ctx.run = [] {
      std::cout << fmt::format("iotcop {}\n", build::kVersion);
      std::cout << fmt::format("  data:       {}\n", DataDir().string());
      std::cout << fmt::format("  plugins:    {}\n", PluginDir().string());
      std::cout << fmt::format("  libarchive: {}\n", archive_version_string());
      std::cout << fmt::format("  openssl:    {}\n", OPENSSL_VERSION_TEXT);
      return kExitOk;
    };
  });
}

}  // namespace iotcop::cli
