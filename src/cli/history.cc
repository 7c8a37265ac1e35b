// File: cli/history.cc
// iotcop history: the stored runs, newest first, as a table or JSON.
#include <fmt/format.h>

#include <iostream>

#include "cli/command.h"
#include "cli/store_common.h"

namespace iotcop::cli {
namespace {

struct HistoryArgs {
  std::string db, product;
  bool json = false;
};

int Run(const HistoryArgs& args) {
  auto s = OpenStoreOrReport("history", args.db);
  if (!s) return kExitInput;
  auto runs = s->History(args.product);
  if (!runs) {
    std::cerr << "iotcop history: " << runs.error().Describe() << "\n";
    return kExitInput;
  }
  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : *runs)
      out.push_back({{"id", r.id},
                     {"product", r.product},
                     {"version", r.version},
                     {"started", r.started},
                     {"finished", r.finished},
                     {"tool_version", r.tool_version},
                     {"status", r.status},
                     {"error", r.error},
                     {"input_hash", r.input_hash},
                     {"rules_hash", r.rules_hash},
                     {"findings", r.findings},
                     {"verdicts",
                      {{"PASS", r.pass},
                       {"FAIL", r.fail},
                       {"INCONCLUSIVE", r.inconclusive},
                       {"NOT_APPLICABLE", r.not_applicable}}}});
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  if (runs->empty()) {
    std::cout << "No stored runs" << (args.product.empty() ? "" : " of " + args.product) << " in "
              << s->where() << "\n";
    return kExitOk;
  }
  std::cout << fmt::format("{:>6}  {:<20}  {:<24} {:<12} {:<8} {:>8} {:>5} {:>5} {:>5} {:>5}\n",
                           "ID", "STARTED", "PRODUCT", "VERSION", "STATUS", "FINDINGS", "FAIL",
                           "PASS", "INC", "N/A");
  for (const auto& r : *runs) {
    std::cout << fmt::format("{:>6}  {:<20}  {:<24} {:<12} {:<8} {:>8} {:>5} {:>5} {:>5} {:>5}\n",
                             r.id, r.started, r.product, r.version.empty() ? "-" : r.version,
                             r.status, r.findings, r.fail, r.pass, r.inconclusive,
                             r.not_applicable);
    if (!r.error.empty()) std::cout << "        error: " << r.error << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddHistoryCommand(CLI::App& app, CommandContext& ctx) {
  static HistoryArgs args;
  auto* cmd =
      app.add_subcommand("history", "List the assessments in the results store, newest first");
  cmd->add_option("--product", args.product, "only the runs of this product");
  cmd->add_option("--db", args.db, kDbHelp);
  cmd->add_flag("--json", args.json, "JSON instead of a table");
  cmd->callback([&ctx] { ctx.run = [] { return Run(args); }; });
}

}  // namespace iotcop::cli
