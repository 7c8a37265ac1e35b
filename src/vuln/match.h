// File: vuln/match.h
// Matching components against the imported vulnerability database with the VEX documents applied,
// the one way for every kind of input: the firmware's components (firmware/collectors/
// vulnerabilities.cc) and the versions live services announce (network/vulnerabilities.cc).
// Each match becomes a `vulnerability` fact citing the target's own fact and evidence, and each
// call one `vulnerability_scan` fact saying what was matched against (fact_kinds.h).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/assessment.h"
#include "core/fact.h"
#include "vuln/vex.h"

namespace iotcop::vuln {

// One thing to match: how the feed and VEX know it, the fact it comes from and where it was seen.
struct MatchTarget {
  VexComponent component;  // name and version; vendor/product (CPE), purl, cpe when known
  FactId fact = 0;         // the `component` or `network_service` fact: `component_fact`
  Evidence evidence;       // cited by each vulnerability fact (its excerpt is replaced)
  nlohmann::json extra = nlohmann::json::object();  // more fields for each vulnerability fact
};

// Opens the database of `config` (--vulndb, else DefaultVulnDbPath()), reads its --vex documents
// (one problem per file that cannot be read; the others still apply) and matches every target
// with a version. `scan` carries the source and input of the `vulnerability_scan` fact; `label`
// names what was matched in it ("components", "live services"). Nothing is added when there is
// no target.
void MatchIntoFacts(const CheckConfig* config, const std::vector<MatchTarget>& targets,
                    const Evidence& scan, const std::string& label, const std::string& collector,
                    FactStore& facts, std::vector<Problem>& problems);

// The `vex` field of a vulnerability fact: the deciding statement's status, source, pointer,
// justification, impact, action and the statements it overrode.
nlohmann::json VexOfMatch(const VexDecision& d);

}  // namespace iotcop::vuln
