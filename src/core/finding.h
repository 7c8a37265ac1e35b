// File: core/finding.h
// A Finding is a check's statement that something bears on one or more provisions, with the
// evidence that shows it. Findings are matched across versions by `fingerprint`, never by position.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/evidence.h"
#include "core/fact.h"
#include "core/severity.h"

namespace iotcop {

struct Finding {
  std::string fingerprint;  // stable: hash of check id + a key the check chooses (not a position)
  std::string check_id;
  std::string title;    // specific: "root has the default password 'admin'" (secrets redacted)
  std::string message;  // what it means, in a sentence or two
  Severity severity = Severity::kMedium;
  std::vector<std::string> provisions;  // EN 303 645 V2.1.1 ids, e.g. "5.1-1"
  std::vector<Evidence> evidence;
  std::vector<FactId> facts;
  std::string remediation;
};

void to_json(nlohmann::json& j, const Finding& f);

// Short hex fingerprint of check id and key.
std::string Fingerprint(std::string_view check_id, std::string_view key);

}  // namespace iotcop
