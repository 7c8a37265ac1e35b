// File: verdict/check_runner.h
#pragma once

#include <vector>

#include "core/assessment.h"
#include "core/check.h"

namespace iotcop {

// Runs every check whose inputs are present, fills a.findings, a.outcomes and a.checks, and applies
// the default outcomes described in check.h. A check that fails internally becomes a Problem.
void RunChecks(const std::vector<std::unique_ptr<const Check>>& checks, const CheckConfig& config,
               Assessment& a);

}  // namespace iotcop
