// File: store/sqlite_db.cc
// SqlDb over SQLite: WAL journal (readers never block the writer; a killed writer leaves the last
// committed transaction), a busy timeout so that concurrent iotcop processes wait their turn, and
// foreign keys on. Errors name the database file and say what SQLite said ("database or disk is
// full", "database is locked").
#include <sqlite3.h>

#include <filesystem>

#include "store/sql.h"

namespace iotcop::store {
namespace {

class SqliteDb final : public SqlDb {
 public:
  SqliteDb(sqlite3* db, std::string where) : db_(db), where_(std::move(where)) {}
  ~SqliteDb() override { sqlite3_close_v2(db_); }
  const char* backend() const override { return "sqlite"; }
  const std::string& where() const override { return where_; }

  Status Exec(const std::string& sql) override {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      return MakeError(Errc::kIo, msg, where_);
    }
    return Ok();
  }

  Result<std::vector<SqlRow>> Query(const std::string& sql,
                                    const std::vector<SqlValue>& params) override {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &s, nullptr) !=
        SQLITE_OK)
      return Fail("prepare");
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int at = static_cast<int>(i + 1);
      if (params[i])
        sqlite3_bind_text(s, at, params[i]->data(), static_cast<int>(params[i]->size()),
                          SQLITE_TRANSIENT);
      else
        sqlite3_bind_null(s, at);
    }
    std::vector<SqlRow> rows;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      SqlRow row;
      for (int c = 0; c < sqlite3_column_count(s); ++c) {
        if (sqlite3_column_type(s, c) == SQLITE_NULL) {
          row.emplace_back();
        } else {
          const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, c));
          row.emplace_back(std::string(t, static_cast<std::size_t>(sqlite3_column_bytes(s, c))));
        }
      }
      rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) {
      Error e = MakeError(Errc::kIo, sqlite3_errmsg(db_), where_);
      sqlite3_finalize(s);
      return e;
    }
    sqlite3_finalize(s);
    return rows;
  }

  Status Begin(bool) override { return Exec("BEGIN IMMEDIATE"); }
  Status Commit() override {
    Status st = Exec("COMMIT");
    if (!st) Rollback();
    return st;
  }
  void Rollback() override {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

 private:
  Error Fail(const char* what) {
    return MakeError(Errc::kIo, std::string(what) + ": " + sqlite3_errmsg(db_), where_);
  }
  sqlite3* db_;
  std::string where_;
};

}  // namespace

Result<std::unique_ptr<SqlDb>> OpenSqlite(const std::string& path) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return MakeError(Errc::kIo, "cannot create folder: " + ec.message(), parent.string());
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    Error e = MakeError(Errc::kIo,
                        std::string("open: ") + (db ? sqlite3_errmsg(db) : "out of memory"), path);
    sqlite3_close(db);
    return e;
  }
  sqlite3_busy_timeout(db, 30000);
  auto out = std::make_unique<SqliteDb>(db, path);
  if (Status st = out->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                            "PRAGMA foreign_keys=ON");
      !st)
    return st.error();
  return std::unique_ptr<SqlDb>(std::move(out));
}

}  // namespace iotcop::store
