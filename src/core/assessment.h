// File: core/assessment.h
// The one model every renderer reads: inputs, facts, findings, per-check outcomes, verdicts for the
// chosen standard and the 13 guidelines, and the problems met on the way.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/check.h"
#include "core/evidence.h"
#include "core/fact.h"
#include "core/finding.h"
#include "core/verdict.h"

namespace iotcop {

struct CheckConfig {
  std::vector<std::string> extra_credentials_files;  // --credentials
  std::string vulndb;  // --vulndb: vulnerability database; empty = the default path
};

struct InputRecord {
  InputKind kind = InputKind::kFirmware;
  std::string name;    // as the user gave it
  std::string sha256;  // for files
  std::uint64_t size = 0;
  std::string status = "ok";  // ok | partial | failed
};

// Something that went wrong or was limited, with where: never silently dropped.
struct Problem {
  std::string level = "warning";  // warning | error
  std::string stage;              // unpack, collect, check, probe, report...
  std::string input;
  std::string path;
  std::optional<std::uint64_t> offset;
  std::string message;
};

struct GuidelineVerdict {
  std::string id;  // "1".."13"
  std::string title;
  Verdict verdict = Verdict::kInconclusive;
  int pass = 0, fail = 0, inconclusive = 0, not_applicable = 0;
};

struct CheckRun {
  std::string check_id;
  bool ran = false;
  std::string note;  // why it did not run, or an internal error
  CheckDoc doc;      // the check's metadata, so reports can describe it (SARIF rules, HTML)
};

struct Assessment {
  std::string tool_version;
  std::string standard;  // the chosen standard id
  std::string standard_name;
  std::string product;                  // a name for people: first input's base name unless given
  std::string started_at, finished_at;  // ISO 8601 UTC
  std::vector<InputRecord> inputs;
  FactStore facts;
  std::vector<Finding> findings;
  std::vector<Outcome> outcomes;
  std::vector<CheckRun> checks;
  std::vector<ItemVerdict> verdicts;            // items of the chosen standard
  std::vector<ItemVerdict> provision_verdicts;  // EN 303 645 V2.1.1, whatever the chosen standard
  std::vector<GuidelineVerdict> guidelines;
  std::vector<Problem> problems;
  // Extra sections contributed by capabilities (e.g. "sbom", "unpack"), rendered generically.
  nlohmann::json extras = nlohmann::json::object();

  bool HasInput(InputKind k) const;
  int CountFindingsAtLeast(Severity severity) const;
};

void to_json(nlohmann::json& j, const Problem& p);
void to_json(nlohmann::json& j, const GuidelineVerdict& g);

}  // namespace iotcop
