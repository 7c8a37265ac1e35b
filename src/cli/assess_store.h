// File: cli/assess_store.h
// The part of `iotcop assess` that saves the assessment in the results store (--db, --no-store,
// --product-version), kept here so that assess.cc only calls it.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "core/assessment.h"
#include "core/catalogue.h"

namespace iotcop::cli {

struct AssessStoreArgs {
  std::string db;
  bool no_store = false;
  std::string version;
};

void AddAssessStoreOptions(CLI::App* cmd, AssessStoreArgs& args);
// Saves `a` (unless --no-store); prints the run id on stderr, or one clear error line. False when
// the store failed (the reports are written already). `vulndb` is the assessment's --vulndb (""
// for the default), `vex` its --vex files and `templates` its --templates folders: their content
// is part of the rules hash.
bool SaveAssessment(const AssessStoreArgs& args, const Assessment& a, const Catalogue& catalogue,
                    const std::string& vulndb, const std::vector<std::string>& vex,
                    const std::vector<std::string>& templates, bool quiet);

}  // namespace iotcop::cli
