// iotcop docs --out DIR: writes the generated pages of docs/ (checks, catalogue, formats).
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/command.h"
#include "cli/common.h"
#include "docs/generate.h"

namespace iotcop::cli {

void AddDocsCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand(
      "docs", "Write the pages of docs/ that are generated from the code's metadata");
  static std::string out = "docs";
  cmd->add_option("--out", out, "folder to write into")->capture_default_str();
  cmd->callback([&ctx] {
    ctx.run = []() -> int {
      auto cat = LoadCatalogueOrReport();
      if (!cat || !DeclarationSchemaOrReport(&*cat)) return kExitInput;
      std::error_code ec;
      std::filesystem::create_directories(out, ec);
      for (const auto& page : docs::GeneratePages(*cat)) {
        const auto path = std::filesystem::path(out) / page.file;
        std::ofstream f(path, std::ios::binary);
        f << page.text;
        if (!f) {
          std::cerr << "iotcop: docs: cannot write " << path.string() << "\n";
          return kExitInput;
        }
        std::cout << path.string() << "\n";
      }
      return kExitOk;
    };
  });
}

}  // namespace iotcop::cli
