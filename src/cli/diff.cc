// File: cli/diff.cc
// iotcop diff A B: what changed from run A to run B (store/diff.h).
#include <iostream>

#include "cli/command.h"
#include "cli/store_common.h"
#include "store/diff.h"

namespace iotcop::cli {
namespace {

struct DiffArgs {
  std::string db, a, b, format = "text";
};

int Run(const DiffArgs& args) {
  if (args.format != "text" && args.format != "json" && args.format != "html") {
    std::cerr << "iotcop diff: --format " << args.format << ": expected text, json or html\n";
    return kExitUsage;
  }
  auto s = OpenStoreOrReport("diff", args.db);
  if (!s) return kExitInput;
  auto a = LoadRunOrReport("diff", *s, args.a);
  if (!a) return kExitInput;
  auto b = LoadRunOrReport("diff", *s, args.b);
  if (!b) return kExitInput;
  const auto d = store::DiffRuns(a->summary, a->assessment, b->summary, b->assessment);
  if (args.format == "json")
    std::cout << store::DiffJson(d).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  else if (args.format == "html")
    store::DiffHtml(d, std::cout);
  else
    store::DiffText(d, std::cout);
  return kExitOk;
}

}  // namespace

void AddDiffCommand(CLI::App& app, CommandContext& ctx) {
  static DiffArgs args;
  auto* cmd = app.add_subcommand(
      "diff", "Compare two stored runs: findings, verdicts, components, services");
  cmd->add_option("a", args.a, "the earlier run: id, or PRODUCT@previous, PRODUCT@VERSION")
      ->required();
  cmd->add_option("b", args.b, "the later run: id, or PRODUCT@latest, PRODUCT@VERSION")->required();
  cmd->add_option("--format", args.format, "text, json or html")->capture_default_str();
  cmd->add_option("--db", args.db, kDbHelp);
  cmd->callback([&ctx] { ctx.run = [] { return Run(args); }; });
}

}  // namespace iotcop::cli
