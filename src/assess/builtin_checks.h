// File: assess/builtin_checks.h
// The list of built-in checks, assembled here from the checks.def of each input module
// (declaration, firmware, network, traffic): the model (core/check.h) knows no input module.
#pragma once

#include "core/check.h"

namespace iotcop {

// Every built-in check, in the order of the .def lists (src/*/checks/checks.def).
const CheckList& BuiltinChecks();

}  // namespace iotcop
