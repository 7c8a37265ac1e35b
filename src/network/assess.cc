#include "network/assess.h"

namespace iotcop::network {

void AssessHosts(const std::vector<std::string>& hosts, const Options&, Assessment& a, Progress&) {
  for (const auto& h : hosts) {
    InputRecord rec{InputKind::kNetwork, h};
    rec.status = "failed";
    a.inputs.push_back(rec);
    a.problems.push_back({"error", "input", h, "", std::nullopt,
                          "live device assessment is not available in this version"});
  }
}

}  // namespace iotcop::network
