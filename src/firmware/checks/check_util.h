// File: firmware/checks/check_util.h
// What the firmware checks share: a check made of its CheckDoc and one function, and findings
// built from the facts they rest on (evidence and fact ids copied from the facts).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/check.h"
#include "core/fact.h"
#include "core/finding.h"

namespace iotcop::fwcheck {

using CheckFunction = Status (*)(CheckContext&);
std::unique_ptr<const Check> MakeFunctionCheck(CheckDoc doc, CheckFunction fn);

// A finding resting on `basis` (their evidence and ids, in order, duplicates dropped).
Finding FindingOn(std::vector<const Fact*> basis, std::string title, std::string message,
                  Severity severity, std::vector<std::string> provisions = {});

// True for a shell program name ("/bin/sh", "-/bin/ash", "bash").
bool IsShell(std::string_view program);

// The value of a fact's string field, or "".
std::string Str(const Fact& f, const char* field);
// "address:port" of a network fact (live service, TLS or SSH endpoint).
std::string AddressPort(const Fact& f);

}  // namespace iotcop::fwcheck
