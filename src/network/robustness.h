// File: network/robustness.h
// `--robustness`: a bounded campaign of malformed input against HTTP, MQTT, CoAP and UPnP
// endpoints (guidelines 13 and 9; 5.13-1), a liveness check after each batch, and facts for
// crashes, hangs and reflected markers.
#pragma once

#include <vector>

#include "core/assessment.h"
#include "network/endpoint.h"

namespace iotcop::network {

void RunRobustness(const std::vector<Endpoint>& endpoints, const Limits& limits, Assessment& a);

}  // namespace iotcop::network
