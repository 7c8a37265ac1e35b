// File: store/schema.cc
// The results store's schema as numbered migrations, the same logical tables on SQLite and
// PostgreSQL ({ID} is the backend's auto-increment key). Applied at open; schema_version records
// the last one applied. Never edit a released migration: add the next one.
#include <string>
#include <vector>

#include "store/sql.h"

namespace iotcop::store {
namespace {

const std::vector<std::string> kMigrations = {
    // 1: runs and their indexed contents; the full JSON report in run_reports.
    R"(CREATE TABLE runs (
  id {ID},
  product TEXT NOT NULL,
  version TEXT NOT NULL DEFAULT '',
  started TEXT NOT NULL,
  finished TEXT NOT NULL,
  tool_version TEXT NOT NULL,
  rules_hash TEXT NOT NULL,
  input_hash TEXT NOT NULL,
  status TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  findings INTEGER NOT NULL DEFAULT 0,
  pass INTEGER NOT NULL DEFAULT 0,
  fail INTEGER NOT NULL DEFAULT 0,
  inconclusive INTEGER NOT NULL DEFAULT 0,
  not_applicable INTEGER NOT NULL DEFAULT 0);
CREATE INDEX runs_product ON runs(product, id);
CREATE INDEX runs_resume ON runs(input_hash, rules_hash);
CREATE TABLE findings (
  run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  fingerprint TEXT NOT NULL,
  check_id TEXT NOT NULL,
  severity TEXT NOT NULL,
  provisions TEXT NOT NULL,
  title TEXT NOT NULL,
  evidence TEXT NOT NULL);
CREATE INDEX findings_run ON findings(run_id);
CREATE INDEX findings_fingerprint ON findings(fingerprint);
CREATE TABLE verdicts (
  run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  standard TEXT NOT NULL,
  item TEXT NOT NULL,
  verdict TEXT NOT NULL);
CREATE INDEX verdicts_run ON verdicts(run_id);
CREATE TABLE components (
  run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  version TEXT NOT NULL);
CREATE INDEX components_run ON components(run_id);
CREATE TABLE services (
  run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  detail TEXT NOT NULL);
CREATE INDEX services_run ON services(run_id);
CREATE TABLE run_reports (
  run_id BIGINT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  report TEXT NOT NULL))",
    // 2: the manifest of each batch (every item and its shard), written by each shard when it
    // starts, and the run that settled each item: the progress of a sharded run from the store
    // alone (iotcop batch --status).
    R"(CREATE TABLE batches (
  id {ID},
  source TEXT NOT NULL,
  shards INTEGER NOT NULL,
  rules_hash TEXT NOT NULL,
  started TEXT NOT NULL,
  UNIQUE(source, shards, rules_hash));
CREATE TABLE batch_items (
  batch_id BIGINT NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
  item TEXT NOT NULL,
  shard INTEGER NOT NULL,
  run_id BIGINT REFERENCES runs(id) ON DELETE SET NULL,
  PRIMARY KEY(batch_id, item));
CREATE INDEX batch_items_shard ON batch_items(batch_id, shard))",
};

std::string ForBackend(std::string sql, const std::string& backend) {
  const std::string id = backend == "postgresql" ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY";
  for (auto at = sql.find("{ID}"); at != std::string::npos; at = sql.find("{ID}"))
    sql.replace(at, 4, id);
  return sql;
}

}  // namespace

Status Migrate(SqlDb& db) {
  static_assert(kSchemaVersion >= 1);
  // One process migrates at a time (BEGIN IMMEDIATE / an advisory lock): shards opening a fresh
  // database together do not race.
  if (Status st = db.Begin(/*exclusive=*/true); !st) return st;
  if (Status st = db.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
      !st) {
    db.Rollback();
    return st;
  }
  auto rows = db.Query("SELECT MAX(version) FROM schema_version");
  if (!rows) {
    db.Rollback();
    return rows.error();
  }
  const int current = rows->empty() || !(*rows)[0][0] ? 0 : std::stoi(*(*rows)[0][0]);
  if (current > static_cast<int>(kMigrations.size())) {
    db.Rollback();
    return MakeError(Errc::kUnsupported,
                     "results store has schema version " + std::to_string(current) +
                         ", newer than this iotcop knows (" + std::to_string(kMigrations.size()) +
                         "): upgrade iotcop",
                     db.where());
  }
  for (int v = current + 1; v <= static_cast<int>(kMigrations.size()); ++v) {
    if (Status st = db.Exec(ForBackend(kMigrations[v - 1], db.backend())); !st) {
      db.Rollback();
      return st;
    }
    if (auto r = db.Query("INSERT INTO schema_version(version) VALUES(?1)", {std::to_string(v)});
        !r) {
      db.Rollback();
      return r.error();
    }
  }
  return db.Commit();
}

}  // namespace iotcop::store
