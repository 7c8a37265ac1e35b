// File: network/assess.h
// Live devices: probe every host named with --host and add the facts found to the assessment.
#pragma once

#include <string>
#include <vector>

#include "core/assessment.h"
#include "core/progress.h"
#include "network/options.h"

namespace iotcop::network {

void AssessHosts(const std::vector<std::string>& hosts, const Options& options, Assessment& a,
                 Progress& progress);

// The evidence of a live-device fact: input as named, "address:port/proto", a bounded excerpt.
Evidence LiveEvidence(const std::string& input, const std::string& locator, std::string excerpt);

}  // namespace iotcop::network
