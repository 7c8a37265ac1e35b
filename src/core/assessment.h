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
  std::string vulndb;            // --vulndb: vulnerability database; empty = the default path
  int vulndb_max_age_days = 7;   // --vulndb-max-age: older is stale (said in the scan and 5.3-8)
  std::vector<std::string> vex;  // --vex: VEX documents applied to the matches, later ones win
};

// A region of a firmware input no format handler decoded (docs/report-json.md, "Coverage").
struct CoverageRegion {
  std::string container;  // the view it is in: the input's file name, or a blob or range inside it
  std::uint64_t offset = 0, size = 0;         // inside `container`
  std::optional<std::uint64_t> input_offset;  // in the input, when `container` is its own bytes
  double entropy = 0;                         // Shannon, bits per byte (large regions: sampled)
  std::string guess;                          // padding | encrypted | compressed | text | other
  std::string note;  // for people: "likely encrypted (D-Link SHRS, AES-128-CBC)"
  // "3.4 MiB at 0x20000 with entropy 7.99, likely encrypted (...)"
  std::string Describe() const;
};

// How much of one firmware input was understood.
struct Coverage {
  std::uint64_t size = 0;               // bytes of the input (0 for a folder)
  std::uint64_t decoded = 0;            // bytes of the input a format handler decoded
  std::uint64_t padding = 0;            // bytes of the input that are padding (0x00/0xff runs)
  std::uint64_t undecoded = 0;          // the rest
  std::uint64_t filesystems = 0;        // file systems, archives and folders extracted
  std::uint64_t files = 0;              // regular files in them
  std::vector<CoverageRegion> regions;  // undecoded and padding regions, in the order found
  std::uint64_t regions_omitted = 0;    // beyond kMaxCoverageRegions, the smallest

  // A file system (archive, folder) with files in it came out.
  bool extracted() const { return files > 0; }
  // "98.4% of 4.0 MiB decoded; 2 file systems, 311 files"
  std::string Summary() const;
  // Empty when a file system came out; else "no file system could be extracted: " and the
  // largest undecoded region (Describe()).
  std::string Warning() const;
};
inline constexpr std::size_t kMaxCoverageRegions = 64;

struct InputRecord {
  InputKind kind = InputKind::kFirmware;
  std::string name;    // as the user gave it
  std::string sha256;  // for files
  std::uint64_t size = 0;
  std::string status = "ok";         // ok | partial | failed
  std::optional<Coverage> coverage;  // firmware inputs that were read
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
void to_json(nlohmann::json& j, const Coverage& c);
void to_json(nlohmann::json& j, const GuidelineVerdict& g);

}  // namespace iotcop
