// File: store/postgres_plugin.cc
// The plugin iotcop-postgres.so (core/plugin.h; store/postgres_db.cc loads it).
// SqlDb over PostgreSQL through libpqxx 6.4: one connection, statements sent as they are (a
// nontransaction) with explicit BEGIN/COMMIT so that the store's transaction boundaries are the
// same as on SQLite. Parameters are escaped by libpq (PQescapeString via esc()). A lost
// connection or a server error becomes an Error naming the server (never the password).
#include <pqxx/pqxx>

#include "core/plugin.h"
#include "store/sql.h"

namespace iotcop::store {
namespace {

// The URI without a password: "postgresql://user@host/db".
std::string Printable(const std::string& uri) {
  std::string out = uri;
  const auto scheme = out.find("://");
  const auto at = out.find('@');
  if (scheme != std::string::npos && at != std::string::npos && at > scheme) {
    const auto colon = out.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
  }
  const auto pw = out.find("password=");
  if (pw != std::string::npos) {
    const auto end = out.find('&', pw);
    out.erase(pw, end == std::string::npos ? std::string::npos : end - pw);
  }
  return out;
}

class PostgresDb final : public SqlDb {
 public:
  PostgresDb(std::unique_ptr<pqxx::connection> c, std::string where)
      : conn_(std::move(c)), where_(std::move(where)) {}
  const char* backend() const override { return "postgresql"; }
  const std::string& where() const override { return where_; }

  Status Exec(const std::string& sql) override {
    auto r = Query(sql, {});
    if (!r) return r.error();
    return Ok();
  }

  Result<std::vector<SqlRow>> Query(const std::string& sql,
                                    const std::vector<SqlValue>& params) override {
    try {
      std::string text;
      text.reserve(sql.size());
      for (std::size_t i = 0; i < sql.size(); ++i) {
        if (sql[i] == '?' && i + 1 < sql.size() &&
            std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
          std::size_t n = 0;
          while (i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1])))
            n = n * 10 + static_cast<std::size_t>(sql[++i] - '0');
          if (n == 0 || n > params.size())
            return MakeError(Errc::kInternal,
                             "statement parameter ?" + std::to_string(n) + " unbound", where_);
          const auto& v = params[n - 1];
          text += v ? "'" + conn_->esc(*v) + "'" : std::string("NULL");
        } else {
          text.push_back(sql[i]);
        }
      }
      pqxx::nontransaction tx(*conn_);
      pqxx::result r = tx.exec(text);
      std::vector<SqlRow> rows;
      rows.reserve(r.size());
      for (const auto& row : r) {
        SqlRow out;
        for (const auto& f : row) {
          if (f.is_null())
            out.emplace_back();
          else
            out.emplace_back(std::string(f.c_str(), f.size()));
        }
        rows.push_back(std::move(out));
      }
      return rows;
    } catch (const pqxx::broken_connection& e) {
      return MakeError(Errc::kIo, std::string("lost the database connection: ") + e.what(), where_);
    } catch (const std::exception& e) {
      return MakeError(Errc::kIo, e.what(), where_);
    }
  }

  Status Begin(bool exclusive) override {
    if (Status st = Exec("BEGIN"); !st) return st;
    if (exclusive) {
      if (Status st = Exec("SELECT pg_advisory_xact_lock(7436501)"); !st) {
        Rollback();
        return st;
      }
    }
    return Ok();
  }
  Status Commit() override {
    Status st = Exec("COMMIT");
    if (!st) Rollback();
    return st;
  }
  void Rollback() override { (void)Exec("ROLLBACK"); }

 private:
  std::unique_ptr<pqxx::connection> conn_;
  std::string where_;
};

}  // namespace

}  // namespace iotcop::store

IOTCOP_PLUGIN_TAG

// store::OpenPostgres's body: connects to `uri` into `out`.
IOTCOP_PLUGIN_EXPORT void iotcop_postgres_open(
    const std::string& uri, iotcop::Result<std::unique_ptr<iotcop::store::SqlDb>>& out) {
  using namespace iotcop;
  using namespace iotcop::store;
  const std::string where = Printable(uri);
  try {
    auto c = std::make_unique<pqxx::connection>(uri);
    auto db = std::make_unique<PostgresDb>(std::move(c), where);
    if (Status st = db->Exec("SET client_min_messages = warning"); !st) {
      out = st.error();
      return;
    }
    out = std::unique_ptr<SqlDb>(std::move(db));
  } catch (const std::exception& e) {
    std::string msg = e.what();
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    out = MakeError(Errc::kIo, "cannot connect: " + msg, where);
  }
}
