// File: traffic/assess.h
// Traffic captures: read every capture named with --pcap and add the facts found to the assessment.
#pragma once

#include <string>
#include <vector>

#include "core/assessment.h"
#include "core/progress.h"
#include "traffic/options.h"

namespace iotcop::traffic {

void AssessCaptures(const std::vector<std::string>& captures, const Options& options, Assessment& a,
                    Progress& progress);

}  // namespace iotcop::traffic
