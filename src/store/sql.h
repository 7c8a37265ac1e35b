// File: store/sql.h
// The little SQL surface the results store needs, implemented once per backend (sqlite_db.cc,
// postgres_db.cc) so that the store's logic and schema (store.cc, schema.cc) exist once.
// Statements use ?1, ?2... placeholders; the PostgreSQL backend rewrites them to $1, $2...
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace iotcop::store {

using SqlValue = std::optional<std::string>;  // NULL or text (numbers travel as text)
using SqlRow = std::vector<SqlValue>;

class SqlDb {
 public:
  virtual ~SqlDb() = default;
  virtual const char* backend() const = 0;  // "sqlite" | "postgresql"
  virtual const std::string& where() const = 0;
  // Runs statements without parameters (DDL, several separated by ';').
  virtual Status Exec(const std::string& sql) = 0;
  virtual Result<std::vector<SqlRow>> Query(const std::string& sql,
                                            const std::vector<SqlValue>& params = {}) = 0;
  // A write transaction; for SQLite BEGIN IMMEDIATE, for PostgreSQL it also takes the store's
  // advisory lock when `exclusive` (schema migrations).
  virtual Status Begin(bool exclusive = false) = 0;
  virtual Status Commit() = 0;
  virtual void Rollback() = 0;
};

Result<std::unique_ptr<SqlDb>> OpenSqlite(const std::string& path);
Result<std::unique_ptr<SqlDb>> OpenPostgres(const std::string& uri);

// Applies every migration newer than the database's schema_version, each in its own transaction.
Status Migrate(SqlDb& db);
inline constexpr int kSchemaVersion = 2;

}  // namespace iotcop::store
