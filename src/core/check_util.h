// File: core/check_util.h
// What every check shares, beside the Check interface (core/check.h): a check made of its CheckDoc
// and one function, findings built from the facts they rest on (evidence and fact ids copied from
// the facts), and reading a fact's fields.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/check.h"
#include "core/fact.h"
#include "core/finding.h"

namespace iotcop::checkutil {

using CheckFunction = Status (*)(CheckContext&);
std::unique_ptr<const Check> MakeFunctionCheck(CheckDoc doc, CheckFunction fn);

// A finding resting on `basis` (their evidence and ids, in order, duplicates dropped).
Finding FindingOn(std::vector<const Fact*> basis, std::string title, std::string message,
                  Severity severity, std::vector<std::string> provisions = {});

// The value of a fact's string field, or "".
std::string Str(const Fact& f, const char* field);

}  // namespace iotcop::checkutil
