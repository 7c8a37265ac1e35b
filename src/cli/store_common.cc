// File: cli/store_common.cc
#include "cli/store_common.h"
#include "assess/builtin_checks.h"

#include <iostream>

#include "report/json_read.h"

namespace iotcop::cli {

std::unique_ptr<store::Store> OpenStoreOrReport(const std::string& command,
                                                const std::string& spec) {
  auto s = store::OpenStore(spec);
  if (!s) {
    std::cerr << "iotcop " << command << ": results store: " << s.error().Describe() << "\n";
    return nullptr;
  }
  return std::move(*s);
}

std::optional<LoadedRun> LoadRunOrReport(const std::string& command, store::Store& s,
                                         const std::string& ref) {
  auto fail = [&](const Error& e) {
    std::cerr << "iotcop " << command << ": " << ref << ": " << e.Describe() << "\n";
    return std::nullopt;
  };
  auto id = s.Resolve(ref);
  if (!id) return fail(id.error());
  auto summary = s.Summary(*id);
  if (!summary) return fail(summary.error());
  auto doc = s.Report(*id);
  if (!doc) return fail(doc.error());
  auto a =
      report::AssessmentFromJson(*doc, s.where() + " run " + std::to_string(*id), BuiltinChecks());
  if (!a) return fail(a.error());
  return LoadedRun{std::move(*summary), std::move(*a)};
}

}  // namespace iotcop::cli
