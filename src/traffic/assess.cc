#include "traffic/assess.h"

namespace iotcop::traffic {

void AssessCaptures(const std::vector<std::string>& captures, const Options&, Assessment& a,
                    Progress&) {
  for (const auto& c : captures) {
    InputRecord rec{InputKind::kTraffic, c};
    rec.status = "failed";
    a.inputs.push_back(rec);
    a.problems.push_back({"error", "input", c, "", std::nullopt,
                          "traffic capture analysis is not available in this version"});
  }
}

}  // namespace iotcop::traffic
