// iotcop securitytxt FILE [--json] [--url URL]: validate a security.txt file against RFC 9116.
// Exit 0 valid, 1 invalid (errors found), 2 usage, 3 unreadable.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/command.h"
#include "protocols/securitytxt.h"

namespace iotcop::cli {

void AddSecurityTxtCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("securitytxt", "Validate a security.txt file (RFC 9116)");
  static std::string file, url;
  static bool json = false;
  cmd->add_option("file", file, "the security.txt file (- for standard input)")->required();
  cmd->add_option("--url", url, "the URL it was fetched from, for the Canonical check");
  cmd->add_flag("--json", json, "machine-readable output");
  cmd->callback([&ctx] {
    ctx.run = []() -> int {
      std::stringstream ss;
      if (file == "-") {
        ss << std::cin.rdbuf();
      } else {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
          std::cerr << "iotcop securitytxt: " << file << ": cannot read\n";
          return kExitInput;
        }
        ss << in.rdbuf();
      }
      securitytxt::Options opt;
      opt.fetched_from = url;
      const auto r = securitytxt::Validate(ss.str(), opt);
      if (json) {
        nlohmann::json j = r;
        j["file"] = file;
        std::cout << j.dump(2) << "\n";
      } else {
        for (const auto& i : r.issues) {
          std::cout << fmt::format("{}:{}: {}: {}\n", file, i.line, securitytxt::LevelName(i.level),
                                   i.message);
        }
        std::cout << fmt::format(
            "{}: {} ({} errors, {} warnings{})\n", file, r.valid() ? "valid" : "INVALID",
            r.Count(securitytxt::Level::kError), r.Count(securitytxt::Level::kWarning),
            r.signed_message ? ", signed: signature not verified" : "");
      }
      return r.valid() ? kExitOk : kExitFindings;
    };
  });
}

}  // namespace iotcop::cli
