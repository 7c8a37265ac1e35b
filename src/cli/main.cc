// iotcop: assess consumer IoT products against the UK Code of Practice for consumer IoT security,
// ETSI EN 303 645 and the standards built on them.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/command.h"

namespace iotcop::cli {
#define IOTCOP_COMMAND(fn) void fn(CLI::App& app, CommandContext& ctx);
#include "cli/commands.def"
#undef IOTCOP_COMMAND
}  // namespace iotcop::cli

int main(int argc, char** argv) {
  using namespace iotcop::cli;
  CLI::App app{
      "iotcop: evidence-backed assessment of consumer IoT products against the UK Code of "
      "Practice\n"
      "for consumer IoT security, ETSI EN 303 645, PSTI and related standards.",
      "iotcop"};
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 done, nothing at or above --fail-on; 1 findings at or above --fail-on;\n"
      "2 usage error; 3 an input could not be read (partial results still written).");
  CommandContext ctx;
#define IOTCOP_COMMAND(fn) fn(app, ctx);
#include "cli/commands.def"
#undef IOTCOP_COMMAND
  // An unknown command word gets its own line (CLI11 would only say a subcommand is required).
  if (argc > 1 && argv[1][0] != '-') {
    std::string known;
    bool found = false;
    for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      found = found || sub->get_name() == argv[1];
      known += (known.empty() ? "" : ", ") + sub->get_name();
    }
    if (!found) {
      std::cerr << "iotcop: unknown command '" << argv[1] << "' (commands: " << known << ")\n";
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "iotcop: " << e.what() << " (see iotcop --help)\n";
    return kExitUsage;
  }
  if (!ctx.run) return kExitUsage;
  try {
    return ctx.run();
  } catch (const std::exception& e) {
    std::cerr << "iotcop: internal error: " << e.what() << "\n";
    return 70;
  }
}
