// File: network/template_probe.h
// Sends the probe templates (network/templates.h) to the services of one live device and adds a
// template_match fact per match and one template_scan fact (fact_kinds.h).
#pragma once

#include <string>
#include <vector>

#include "core/assessment.h"
#include "network/endpoint.h"
#include "network/socket.h"
#include "network/templates.h"

namespace iotcop::network {

// Tries every template on every TCP endpoint it applies to (service or port); the first path of a
// template that matches on an endpoint is its match there.
void RunTemplates(const TemplateSet& set, const std::string& input,
                  const std::vector<Endpoint>& endpoints, const Limits& limits, RateLimiter& rate,
                  Assessment& a);

}  // namespace iotcop::network
