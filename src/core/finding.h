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
  std::string fingerprint;  // stable: hash of check id + subject (Fingerprint())
  std::string subject;      // what the finding is about: SubjectKey() of the check's key
  std::string check_id;
  std::string title;    // specific: "root has the default password 'admin'" (secrets redacted)
  std::string message;  // what it means, in a sentence or two
  Severity severity = Severity::kMedium;
  std::vector<std::string> provisions;  // EN 303 645 V2.1.1 ids it decides (FAILs), e.g. "5.1-1"
  std::vector<std::string> informs;     // ids it only informs: shown, never a FAIL by itself
  std::vector<Evidence> evidence;
  std::vector<FactId> facts;
  std::string remediation;
};

void to_json(nlohmann::json& j, const Finding& f);

// Short hex fingerprint of check id and SubjectKey(key).
std::string Fingerprint(std::string_view check_id, std::string_view key);

// A finding's key without anything positional: "0x40.squashfs/etc/shadow" and
// "0x11AEA0.squashfs/etc/shadow" are one subject. Drops "0x<hex>" tokens that start a path
// segment or name (with the '.', '_' or '-' joining them to the rest) and ".extracted"/"_extract".
std::string SubjectKey(std::string_view key);

}  // namespace iotcop
