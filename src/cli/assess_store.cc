// File: cli/assess_store.cc
#include "cli/assess_store.h"

#include <iostream>

#include "cli/store_common.h"
#include "report/renderer.h"

namespace iotcop::cli {

void AddAssessStoreOptions(CLI::App* cmd, AssessStoreArgs& args) {
  cmd->add_option("--db", args.db, kDbHelp);
  cmd->add_flag("--no-store", args.no_store, "do not save this assessment in the results store");
  cmd->add_option("--product-version", args.version, "the product's version, for history and diff");
}

bool SaveAssessment(const AssessStoreArgs& args, const Assessment& a, const Catalogue& catalogue,
                    const std::string& vulndb, const std::vector<std::string>& vex,
                    const std::vector<std::string>& templates, bool quiet) {
  if (args.no_store) return true;
  auto s = OpenStoreOrReport("assess", args.db);
  if (!s) {
    std::cerr << "iotcop assess: the assessment was not saved (the reports are written)\n";
    return false;
  }
  auto id = s->Save(store::MakeRecord(a, report::AssessmentJson(a, catalogue), args.version,
                                      store::RulesHash(vulndb, vex, templates)));
  if (!id) {
    std::cerr << "iotcop assess: results store: " << id.error().Describe()
              << "\niotcop assess: the assessment was not saved (the reports are written)\n";
    return false;
  }
  if (!quiet) std::cout << "Saved as run " << *id << " in " << s->where() << "\n";
  return true;
}

}  // namespace iotcop::cli
