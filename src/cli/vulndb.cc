// iotcop vulndb: manage the local vulnerability database that `assess` matches components
// against. `import FILE...` reads NVD CVE JSON 2.0 or OSV JSON feeds the user downloaded;
// `info` says where the database is and how many records it holds. Nothing is fetched.
#include <fmt/format.h>

#include <iostream>

#include "cli/command.h"
#include "vuln/vulndb.h"

namespace iotcop::cli {

void AddVulnDbCommand(CLI::App& app, CommandContext& ctx) {
  static std::vector<std::string> files;
  static std::string db_path;
  auto* cmd = app.add_subcommand(
      "vulndb", "Import vulnerability feeds (NVD CVE JSON 2.0, OSV) for component matching");
  cmd->require_subcommand(1);
  auto* import = cmd->add_subcommand("import", "Import feed files into the vulnerability database");
  import->add_option("files", files, "NVD CVE JSON 2.0 or OSV JSON files")->required();
  import->add_option("--db", db_path,
                     "database path (default $XDG_DATA_HOME/iotcop/vulndb.sqlite)");
  auto* info = cmd->add_subcommand("info", "Print the database path and its number of records");
  info->add_option("--db", db_path, "database path");
  auto path = [] {
    return db_path.empty() ? vuln::DefaultVulnDbPath() : std::filesystem::path(db_path);
  };
  import->callback([&ctx, path] {
    ctx.run = [path] {
      auto db = vuln::VulnDb::Open(path(), true);
  if (!db) {
    std::cerr << "iotcop vulndb import: " << db.error().Describe() << "\n";
    return kExitInput;
  }
  int rc = kExitOk;
  for (const auto& f : files) {
    auto st = db->ImportFile(f);
    if (!st) {
      std::cerr << "iotcop vulndb import: " << st.error().Describe() << "\n";
      rc = kExitInput;
      continue;
    }
    // A record with a malformed field is skipped, the others imported: each field is named.
    for (const auto& p : st->problems) std::cerr << "iotcop vulndb import: " << p << "\n";
    std::cout << fmt::format(
        "{}: {} feed, {} vulnerabilities, {} affected ranges{}\n", f, st->format,
        st->vulnerabilities, st->ranges,
        st->problems.empty()
            ? std::string()
            : fmt::format(", {} malformed fields (records skipped)", st->problems.size()));
    if (!st->problems.empty()) rc = kExitInput;
  }
  std::cout << fmt::format("{}: {} vulnerabilities\n", path().string(), db->Count());
  return rc;
};
}  // namespace iotcop::cli
);
info->callback([&ctx, path] {
  ctx.run = [path] {
    auto db = vuln::VulnDb::Open(path(), false);
    if (!db) {
      std::cerr << "iotcop vulndb info: " << db.error().Describe() << "\n";
      return kExitInput;
    }
    std::cout << fmt::format("{}: {} vulnerabilities\n", path().string(), db->Count());
    return kExitOk;
  };
});
}

}  // namespace iotcop::cli
