// File: cli/show.cc
// iotcop show: a stored run re-rendered by the report renderers, from its stored JSON report.
#include <iostream>

#include "cli/command.h"
#include "cli/common.h"
#include "cli/store_common.h"
#include "report/renderer.h"

namespace iotcop::cli {
namespace {

struct ShowArgs {
  std::string db, ref, format = "text";
};

int Run(const ShowArgs& args) {
  const report::Renderer* r = report::FindRenderer(args.format);
  if (!r || (args.format != "text" && args.format != "json" && args.format != "html")) {
    std::cerr << "iotcop show: --format " << args.format << ": expected text, json or html\n";
    return kExitUsage;
  }
  auto s = OpenStoreOrReport("show", args.db);
  if (!s) return kExitInput;
  auto run = LoadRunOrReport("show", *s, args.ref);
  if (!run) return kExitInput;
  auto catalogue = LoadCatalogueOrReport();
  if (!catalogue || !DeclarationSchemaOrReport(&*catalogue)) return kExitInput;
  if (Status st = r->Render(run->assessment, *catalogue, std::cout); !st) {
    std::cerr << "iotcop show: " << st.error().Describe() << "\n";
    return kExitInput;
  }
  return kExitOk;
}

}  // namespace

void AddShowCommand(CLI::App& app, CommandContext& ctx) {
  static ShowArgs args;
  auto* cmd = app.add_subcommand("show", "Print a stored assessment again, as text, JSON or HTML");
  cmd->add_option("run", args.ref, "run id, or PRODUCT@latest, PRODUCT@previous, PRODUCT@VERSION")
      ->required();
  cmd->add_option("--format", args.format, "text, json or html")->capture_default_str();
  cmd->add_option("--db", args.db, kDbHelp);
  cmd->callback([&ctx] { ctx.run = [] { return Run(args); }; });
}

}  // namespace iotcop::cli
