// File: store/store.h
// The results store: every assessment saved with its full JSON report (report/json.cc, the one
// serialisation) plus indexed tables (runs, findings, verdicts, components, services) for history,
// diff and batch resume. One logical schema (store/schema.cc, numbered migrations applied at open)
// over two backends: SQLite (default, WAL) and PostgreSQL (libpqxx). docs/store.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
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
  // The batch manifest entry this run settles (Store::OpenBatch), updated in the same
  // transaction; 0 when the run is not part of a batch.
  std::int64_t batch = 0;
  std::string batch_item;
};

// What a batch works through, recorded in the store by every shard when it starts (the whole
// item list, not only its own shard), so that the progress of every shard of a sharded run can be
// read from the store alone (iotcop batch --status). One batch is a source (the absolute path of
// the folder or list), a shard count and a rules hash: the same items assessed under other rules
// are another batch.
struct BatchManifest {
  std::string source, rules_hash, started;
  std::size_t shards = 1;
  std::vector<std::pair<std::string, std::size_t>> items;  // item key, its shard
};

// Progress of one shard of a recorded batch. stored: the item's last run completed (ok,
// partial); failed: it ended in failed or error (a rerun retries error); remaining: no run yet.
struct ShardProgress {
  std::size_t shard = 0;
  int items = 0, stored = 0, failed = 0, remaining = 0;
};
struct BatchProgress {
  std::int64_t id = 0;
  std::string source, rules_hash, started;
  std::size_t shards = 1;
  std::vector<ShardProgress> per_shard;  // every shard 0..shards-1, in order
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
  // Records a batch's manifest (the items missing from it are added); returns the batch's id.
  // Shards starting together record one batch.
  virtual Result<std::int64_t> OpenBatch(const BatchManifest& manifest) = 0;
  // The item `key` of `batch` is settled by the stored run `run_id` (one already stored: resume),
  // in every batch of the same source and rules (a Save with RunRecord::batch does the same).
  virtual Status SettleBatchItem(std::int64_t batch, const std::string& key,
                                 std::int64_t run_id) = 0;
  // Every recorded batch, newest first, with the progress of each shard; only those of `source`
  // (an absolute path) unless it is empty.
  virtual Result<std::vector<BatchProgress>> Batches(const std::string& source) = 0;
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
// database at `vulndb` ("" for the default path) and the content of each VEX document applied, in
// order. Runs with equal input and rules hashes are repeats; batch skips them.
std::string RulesHash(const std::string& vulndb, const std::vector<std::string>& vex = {},
                      const std::vector<std::string>& templates = {});
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
