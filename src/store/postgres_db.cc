// File: store/postgres_db.cc
// OpenPostgres: the PostgreSQL backend lives in the plugin iotcop-postgres.so
// (store/postgres_plugin.cc), loaded here on first use so that only runs with a postgresql://
// store load libpqxx and libpq.
#include "core/plugin.h"
#include "store/sql.h"

namespace iotcop::store {

Result<std::unique_ptr<SqlDb>> OpenPostgres(const std::string& uri) {
  using Open = void (*)(const std::string&, Result<std::unique_ptr<SqlDb>>&);
  auto sym = PluginSymbol("postgres", "iotcop_postgres_open");
  if (!sym) return sym.error();
  Result<std::unique_ptr<SqlDb>> out =
      MakeError(Errc::kInternal, "the postgres plugin gave no answer");
  reinterpret_cast<Open> (*sym)(uri, out);
  return out;
}

}  // namespace iotcop::store
