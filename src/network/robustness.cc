#include "network/robustness.h"

namespace iotcop::network {

void RunRobustness(const std::vector<Endpoint>&, const Limits&, Assessment&) {}

}  // namespace iotcop::network
