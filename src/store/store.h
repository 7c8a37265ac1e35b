// File: store/store.h
// The results store: every assessment saved with its full JSON report (report/json.cc, the one
// serialisation) plus indexed tables (runs, findings, verdicts, components, services) for history,
// diff and batch resume. One logical schema (store/schema.cc, numbered migrations applied at open)
// over two backends: SQLite (default, WAL) and PostgreSQL (libpqxx). docs/store.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/assessment.h"
#include "core/result.h"

namespace iotcop::store {

struct FindingRow {
  std::string fingerprint;  // StableFingerprint(): matched across versions
  std::string check_id, severity, title;
  std::vector<std::string> provisions;
  nlohmann::json evidence;
};
struct VerdictRow {
  std::string standard, item, verdict;
};
struct ComponentRow {
  std::string name, version;
};
struct ServiceRow {
  std::string name, detail;  // detail: init system and port where known
};

// One run as saved: the metadata, the indexed rows and the full JSON report.
struct RunRecord {
  std::string product, version;
  std::string started, finished, tool_version;
  std::string rules_hash;  // RulesHash(): catalogue + rules + schema + tool version
  std::string input_hash;  // InputHash(): what was assessed, by content
  std::string status;      // ok | partial | failed | error (error: no report, see `error`)
  std::string error;
  std::vector<FindingRow> findings;
  std::vector<VerdictRow> verdicts;
  std::vector<ComponentRow> components;
  std::vector<ServiceRow> services;
  nlohmann::json report;  // the JSON report document (null for status error)
};

struct RunSummary {
  std::int64_t id = 0;
  std::string product, version, started, finished, tool_version, rules_hash, input_hash, status,
      error;
  int findings = 0;
  int pass = 0, fail = 0, inconclusive = 0, not_applicable = 0;  // verdicts of the chosen standard
};

class Store {
 public:
  virtual ~Store() = default;
  // Saves one run in one transaction (all of it or nothing); returns its id.
  virtual Result<std::int64_t> Save(const RunRecord& run) = 0;
  // Runs, newest first; every product when `product` is empty.
  virtual Result<std::vector<RunSummary>> History(const std::string& product) = 0;
  virtual Result<RunSummary> Summary(std::int64_t id) = 0;
  // The stored JSON report of a run.
  virtual Result<nlohmann::json> Report(std::int64_t id) = 0;
  // A completed run (status other than error) of this content under these rules, if any.
  virtual Result<std::optional<std::int64_t>> Completed(const std::string& input_hash,
                                                        const std::string& rules_hash) = 0;
  // "ID", "PRODUCT@latest", "PRODUCT@previous" or "PRODUCT@VERSION" (the newest run of it).
  virtual Result<std::int64_t> Resolve(const std::string& ref) = 0;
  // Where it is, for messages: "sqlite /path" or "postgresql://host/db" without password.
  virtual const std::string& where() const = 0;
};

// $XDG_DATA_HOME/iotcop/results.db, else ~/.local/share/iotcop/results.db.
std::filesystem::path DefaultDbPath();
// "" (default path), a file path, or a postgresql:// (postgres://) connection URI.
Result<std::unique_ptr<Store>> OpenStore(const std::string& spec);

// The hash of what the verdicts depend on besides the input: every file of the catalogue and
// rules folders (path and content), the tool version and the content digest of the vulnerability
// database at `vulndb` ("" for the default path). Runs with equal input and rules hashes are
// repeats; batch skips them.
std::string RulesHash(const std::string& vulndb);
// The content hash of an assessment's inputs: the SHA-256 of the one hashed input, else the
// SHA-256 of "kind:name-or-sha256" lines of every input.
std::string InputHash(const Assessment& a);

// The indexed rows of a component or service fact (also what diff compares).
ComponentRow ComponentOf(const Fact& component);
ServiceRow ServiceOf(const Fact& service);

// The stored record of an assessment and its JSON report document, under `rules_hash`.
RunRecord MakeRecord(const Assessment& a, nlohmann::json report, std::string version,
                     std::string rules_hash);

}  // namespace iotcop::store
