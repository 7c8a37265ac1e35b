// File: report/json_read.h
// The way back from the JSON report (report/json.cc) to an Assessment, so that a stored run
// (store/) is re-rendered by the same renderers as a fresh one. Everything the JSON report holds
// comes back; what it does not hold (per-check outcomes, the V2.1.1 verdicts behind another chosen
// standard) stays empty, and the check metadata is taken by id from the checks the caller knows
// (the built-in checks, assess/builtin_checks.h).
#pragma once

#include <nlohmann/json.hpp>

#include "core/assessment.h"
#include "core/check.h"
#include "core/result.h"

namespace iotcop::report {

// `origin` names the document in errors ("run 12"). Unknown fields are ignored; a field of the
// wrong type is an error naming it.
// `known_checks` gives each check run its CheckDoc by id (a check it lacks keeps id and title).
Result<Assessment> AssessmentFromJson(const nlohmann::json& doc, const std::string& origin,
                                      const CheckList& known_checks);

}  // namespace iotcop::report
