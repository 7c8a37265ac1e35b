// iotcop vulndb: manage the local vulnerability database that `assess` matches components
// against. `update` downloads and refreshes it from the public feeds (OSV exports, the NVD CVE
// API; docs/vulndb.md); `import FILE...` reads NVD CVE JSON 2.0 or OSV JSON feeds the user
// downloaded; `info` says where the database is, how many records it holds and, per source, when
// it was last updated and with what result.
#include <fmt/format.h>

#include <cstdlib>
#include <ctime>
#include <iostream>

#include "cli/command.h"
#include "core/progress.h"
#include "vuln/update.h"
#include "vuln/vulndb.h"

namespace iotcop::cli {
namespace {

// "3 h", "2 days" since `t` (Unix time); "never" for 0.
std::string VulnDbAge(std::int64_t t) {
  if (t <= 0) return "never";
  const std::int64_t s = std::max<std::int64_t>(0, std::time(nullptr) - t);
  if (s < 3600) return fmt::format("{} min ago", s / 60);
  if (s < 2 * 86400) return fmt::format("{} h ago", s / 3600);
  return fmt::format("{} days ago", s / 86400);
}

int VulnDbImport(const std::filesystem::path& path, const std::vector<std::string>& files) {
  auto db = vuln::VulnDb::Open(path, true);
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
  std::cout << fmt::format("{}: {} vulnerabilities\n", path.string(), db->Count());
  return rc;
}

int VulnDbUpdate(vuln::UpdateOptions opts, const std::vector<std::string>& sources) {
  for (const auto& s : sources) {
    const auto eq = s.find('=');
    const std::string kind = eq == std::string::npos ? "" : s.substr(0, eq);
    if (kind != "nvd" && kind != "osv" && kind != "kev" && kind != "epss") {
      std::cerr << "iotcop vulndb update: --source " << s
                << ": expected nvd=URL, osv=URL, kev=URL or epss=URL\n";
      return kExitUsage;
    }
    opts.base_urls[kind] = s.substr(eq + 1);
  }
  if (const char* key = std::getenv("NVD_API_KEY"); key && *key) opts.nvd_api_key = key;
  Progress progress;
  auto outcomes =
      vuln::UpdateVulnDb(opts, [&progress](const std::string& source, const std::string& detail) {
        progress.Set("vulndb update " + source, detail);
      });
  progress.Done();
  if (!outcomes) {
    std::cerr << "iotcop vulndb update: " << outcomes.error().Describe() << "\n";
    return outcomes.error().code == Errc::kInvalidArgument ? kExitUsage : kExitInput;
  }
  int rc = kExitOk;
  for (const auto& o : *outcomes) {
    for (const auto& p : o.problems) std::cerr << "iotcop vulndb update: " << p << "\n";
    if (!o.ok) {
      std::cerr << "iotcop vulndb update: " << o.name << ": " << o.error << "\n";
      rc = kExitInput;
      continue;
    }
    if (!o.problems.empty()) rc = kExitInput;
    std::cout << fmt::format("{}: {} ({}, {} request{})\n", o.name, o.result, o.url, o.requests,
                             o.requests == 1 ? "" : "s");
  }
  auto db = vuln::VulnDb::Open(opts.db, false);
  if (db) std::cout << fmt::format("{}: {} vulnerabilities\n", opts.db.string(), db->Count());
  return rc;
}

int VulnDbInfo(const std::filesystem::path& path) {
  auto db = vuln::VulnDb::Open(path, false);
  if (!db) {
    std::cerr << "iotcop vulndb info: " << db.error().Describe() << "\n";
    return kExitInput;
  }
  std::cout << fmt::format("{}: {} vulnerabilities, updated {}\n", path.string(), db->Count(),
                           VulnDbAge(db->UpdatedAt()));
  std::cout << fmt::format("  priorities: {} known exploited CVEs (CISA KEV), {} EPSS scores\n",
                           db->KevCount(), db->EpssCount());
  for (const auto& s : db->Sources()) {
    std::cout << fmt::format("  {}: last success {}, last attempt {}: {}{}\n    {}\n", s.name,
                             VulnDbAge(s.last_success), VulnDbAge(s.last_attempt), s.last_result,
                             s.cursor.empty() ? "" : "; changes imported up to " + s.cursor, s.url);
  }
  return kExitOk;
}

}  // namespace

void AddVulnDbCommand(CLI::App& app, CommandContext& ctx) {
  static std::vector<std::string> files, sources, only;
  static std::string db_path;
  static vuln::UpdateOptions update;
  auto* cmd = app.add_subcommand(
      "vulndb",
      "Update or import vulnerability feeds (OSV, NVD CVE API 2.0) for component matching");
  cmd->require_subcommand(1);
  auto* up = cmd->add_subcommand(
      "update",
      "Download and refresh the database from OSV's ecosystem exports, the NVD CVE API, CISA KEV "
      "and FIRST EPSS (conditional, incremental, resumable; docs/vulndb.md)");
  up->add_option("--db", db_path, "database path (default $XDG_DATA_HOME/iotcop/vulndb.sqlite)");
  up->add_option("--only", only,
                 "sources to update, comma separated: nvd, osv (Debian, Alpine, Linux), "
                 "osv:<Ecosystem>, kev (CISA Known Exploited Vulnerabilities), epss (FIRST EPSS "
                 "scores) (default: osv,nvd,kev,epss)");
  up->add_option("--source", sources,
                 "a mirror's base URL: nvd=URL (instead of the NVD CVE API 2.0) or osv=URL "
                 "(serving <Ecosystem>/all.zip); the file's URL: kev=URL (the KEV JSON), "
                 "epss=URL (the EPSS .csv.gz)");
  up->add_option("--nvd-delay", update.nvd_delay_s,
                 "seconds between two NVD requests (default 6, 0.6 with $NVD_API_KEY: the API's "
                 "5 and 50 requests per 30 s)");
  up->add_option("--retry-delay", update.retry_delay_s,
                 "seconds to wait after HTTP 403/429/503 before retrying, doubled at each of 4 "
                 "retries")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  auto* import_cmd =
      cmd->add_subcommand("import", "Import feed files into the vulnerability database");
  import_cmd->add_option("files", files, "NVD CVE JSON 2.0 or OSV JSON files")->required();
  import_cmd->add_option("--db", db_path,
                         "database path (default $XDG_DATA_HOME/iotcop/vulndb.sqlite)");
  auto* info = cmd->add_subcommand(
      "info", "Print the database path, its number of records and each source's last update");
  info->add_option("--db", db_path, "database path");
  auto path = [] {
    return db_path.empty() ? vuln::DefaultVulnDbPath() : std::filesystem::path(db_path);
  };
  up->callback([&ctx, path] {
    ctx.run = [path] {
      vuln::UpdateOptions o = update;
      o.db = path();
      o.only = only;
      return VulnDbUpdate(o, sources);
    };
  });
  import_cmd->callback([&ctx, path] { ctx.run = [path] { return VulnDbImport(path(), files); }; });
  info->callback([&ctx, path] { ctx.run = [path] { return VulnDbInfo(path()); }; });
}

}  // namespace iotcop::cli
