// File: cli/store_common.h
// What the store commands (assess's saving, history, show, diff, batch) share: the --db option
// text, opening the store with one clear error line, and loading a stored run back into an
// Assessment.
#pragma once

#include <memory>
#include <string>

#include "core/assessment.h"
#include "store/store.h"

namespace iotcop::cli {

inline constexpr const char* kDbHelp =
    "results store: a SQLite file (default $XDG_DATA_HOME/iotcop/results.db) or postgresql://...";

// Opens the store or prints "iotcop COMMAND: --db WHERE: why" and returns nullptr.
std::unique_ptr<store::Store> OpenStoreOrReport(const std::string& command,
                                                const std::string& spec);

struct LoadedRun {
  store::RunSummary summary;
  Assessment assessment;
};
// Resolves REF (id or PRODUCT@latest...) and loads its report; prints the error and returns
// nullopt when it cannot.
std::optional<LoadedRun> LoadRunOrReport(const std::string& command, store::Store& s,
                                         const std::string& ref);

}  // namespace iotcop::cli
