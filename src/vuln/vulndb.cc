#include "vuln/vulndb.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/hash.h"
#include "core/strings.h"
#include "vuln/cvss.h"
#include "vuln/feed_fields.h"
#include "vuln/version.h"

namespace iotcop::vuln {
namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> SplitCpe(std::string_view cpe) {
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < cpe.size(); ++i) {
    if (cpe[i] == '\\' && i + 1 < cpe.size()) {
      out.back().push_back(cpe[++i]);
    } else if (cpe[i] == ':') {
      out.emplace_back();
    } else {
      out.back().push_back(cpe[i]);
    }
  }
  return out;
}

namespace {

// NVD: the highest base score of the newest CVSS version present (v4.0, v3.1, v3.0, v2).
void NvdMetrics(const json& cve, FeedFields& f, Vulnerability& v) {
  const json* m = f.Get(cve, "", "metrics", json::value_t::object);
  if (!m) return;
  for (const char* key : {"cvssMetricV40", "cvssMetricV31", "cvssMetricV30", "cvssMetricV2"}) {
    const bool newer_scored = v.cvss.has_value();
    f.Objects(*m, "metrics", key, [&](const json& e, const std::string& at) {
      const std::string outer_severity = f.Str(e, at, "baseSeverity");
      const json* d = f.Get(e, at, "cvssData", json::value_t::object);
      if (!d) return;
      const std::string data = FeedFields::Member(at, "cvssData");
      const auto s = f.Number(*d, data, "baseScore");
      const std::string vector = f.Str(*d, data, "vectorString");
      const std::string severity = f.Str(*d, data, "baseSeverity");
      if (newer_scored || !s) return;
      if (!v.cvss || *s > *v.cvss) {
        v.cvss = *s;
        v.cvss_vector = vector;
        v.severity = severity.empty() ? outer_severity : severity;
      }
    });
  }
}

void NvdNodes(const json& config, const std::string& at, FeedFields& f, Vulnerability& v) {
  f.Objects(config, at, "nodes", [&](const json& node, const std::string& node_at) {
    const bool negate = f.Bool(node, node_at, "negate", false);
    f.Objects(node, node_at, "cpeMatch", [&](const json& m, const std::string& m_at) {
      const bool vulnerable = f.Bool(m, m_at, "vulnerable", true);
      const std::string criteria = f.Str(m, m_at, "criteria");
      AffectedRange r;
      r.start_incl = f.Str(m, m_at, "versionStartIncluding");
      r.start_excl = f.Str(m, m_at, "versionStartExcluding");
      r.end_incl = f.Str(m, m_at, "versionEndIncluding");
      r.end_excl = f.Str(m, m_at, "versionEndExcluding");
      if (negate || !vulnerable) return;
      const auto parts = SplitCpe(criteria);
      if (parts.size() < 6 || parts[0] != "cpe" || parts[1] != "2.3") return;
      r.vendor = Lower(parts[3]);
      r.product = Lower(parts[4]);
      const bool ranged = !r.start_incl.empty() || !r.start_excl.empty() || !r.end_incl.empty() ||
                          !r.end_excl.empty();
      const std::string& ver = parts[5];
      if (ver == "-") return;  // "not applicable": no version of a component matches
      if (ver != "*" && !ranged) {
        r.exact = ver;
        if (parts.size() > 6 && parts[6] != "*" && parts[6] != "-") r.exact += parts[6];
      }
      v.affected.push_back(std::move(r));
    });
  });
}

Vulnerability FromNvd(const json& cve, FeedFields& f) {
  Vulnerability v;
  v.id = f.Str(cve, "", "id");
  bool english = false;  // the first English description is the summary
  f.Objects(cve, "", "descriptions", [&](const json& d, const std::string& at) {
    const std::string lang = f.Str(d, at, "lang");
    const std::string value = f.Str(d, at, "value");
    if (lang == "en" && !english) v.summary = value;
    english = english || lang == "en";
  });
  NvdMetrics(cve, f, v);
  f.Objects(cve, "", "configurations",
            [&](const json& c, const std::string& at) { NvdNodes(c, at, f, v); });
  return v;
}

// One OSV range's events: "introduced" opens a range, "fixed" or "last_affected" closes it.
void OsvEvents(const json& range, const std::string& at, const std::string& pkg, FeedFields& f,
               Vulnerability& v) {
  AffectedRange cur;
  bool open = false;
  f.Objects(range, at, "events", [&](const json& ev, const std::string& ev_at) {
    const std::string intro = f.Str(ev, ev_at, "introduced");
    const std::string fixed = f.Str(ev, ev_at, "fixed");
    const std::string last = f.Str(ev, ev_at, "last_affected");
    if (ev.contains("introduced")) {
      cur = AffectedRange{};
      cur.package = pkg;
      if (intro != "0") cur.start_incl = intro;
      open = true;
    } else if (ev.contains("fixed") && open) {
      cur.end_excl = fixed;
      v.affected.push_back(cur);
      open = false;
    } else if (ev.contains("last_affected") && open) {
      cur.end_incl = last;
      v.affected.push_back(cur);
      open = false;
    }
  });
  if (open) v.affected.push_back(cur);
}

Vulnerability FromOsv(const json& rec, FeedFields& f) {
  Vulnerability v;
  v.id = f.Str(rec, "", "id");
  v.summary = f.Str(rec, "", "summary");
  const std::string details = f.Str(rec, "", "details");
  if (v.summary.empty()) v.summary = details.substr(0, 300);
  f.Objects(rec, "", "severity", [&](const json& s, const std::string& at) {
    // Keep a v3 vector when the record has v3 and v4: only v3 is scored here.
    const std::string type = f.Str(s, at, "type");
    const std::string score = f.Str(s, at, "score");
    if (type == "CVSS_V3" || (type.starts_with("CVSS") && v.cvss_vector.empty()))
      v.cvss_vector = score;
  });
  if (const json* db = f.Get(rec, "", "database_specific", json::value_t::object)) {
    v.severity = f.Str(*db, "database_specific", "severity");
    v.cvss = f.Number(*db, "database_specific", "cvss_score");
  }
  // OSV gives CVSS as a vector only: score v3 vectors ourselves (v4 needs the FIRST lookup tables
  // and keeps the feed's severity word).
  if (!v.cvss && v.cvss_vector.starts_with("CVSS:3")) {
    if (auto score = CvssV3BaseScore(v.cvss_vector)) {
      v.cvss = *score;
      if (v.severity.empty()) v.severity = CvssRating(*score);
    }
  }
  f.Objects(rec, "", "affected", [&](const json& a, const std::string& at) {
    const json* package = f.Get(a, at, "package", json::value_t::object);
    const std::string pkg =
        package ? Lower(f.Str(*package, FeedFields::Member(at, "package"), "name")) : "";
    const std::string ecosystem =
        package ? f.Str(*package, FeedFields::Member(at, "package"), "ecosystem") : "";
    const std::size_t first = v.affected.size();
    std::vector<AffectedRange> commits;  // GIT ranges: introduced/fixed commits
    f.Objects(a, at, "ranges", [&](const json& range, const std::string& range_at) {
      const std::string type = f.Str(range, range_at, "type");
      if (pkg.empty()) return;
      if (type == "SEMVER" || type == "ECOSYSTEM") {
        OsvEvents(range, range_at, pkg, f, v);
      } else if (type == "GIT") {
        Vulnerability git;
        OsvEvents(range, range_at, pkg, f, git);
        commits.insert(commits.end(), git.affected.begin(), git.affected.end());
      }
    });
    const std::string versions_at = FeedFields::Member(at, "versions");
    const json* versions = f.Get(a, at, "versions", json::value_t::array);
    for (std::size_t i = 0; versions && i < versions->size(); ++i) {
      const json& ver = (*versions)[i];
      if (!f.Is(ver, FeedFields::Element(versions_at, i), json::value_t::string) || pkg.empty())
        continue;
      AffectedRange r;
      r.package = pkg;
      r.exact = ver.get<std::string>();
      v.affected.push_back(std::move(r));
    }
    // Only commits and no version list: kept, marked, so that Find() can say it cannot decide.
    if (v.affected.size() == first) {
      for (auto& r : commits) {
        r.commits_only = true;
        v.affected.push_back(std::move(r));
      }
    }
    for (std::size_t i = first; i < v.affected.size(); ++i) v.affected[i].ecosystem = ecosystem;
  });
  for (const char* key : {"aliases", "upstream"}) {
    const json* list = f.Get(rec, "", key, json::value_t::array);
    for (std::size_t i = 0; list && i < list->size(); ++i) {
      const json& alias = (*list)[i];
      if (f.Is(alias, FeedFields::Element(key, i), json::value_t::string) &&
          std::find(v.aliases.begin(), v.aliases.end(), alias.get<std::string>()) ==
              v.aliases.end() &&
          alias.get<std::string>() != v.id)
        v.aliases.push_back(alias.get<std::string>());
    }
  }
  return v;
}

// Keeps `v` when its record had no malformed field, else reports the record (by its id, else its
// index) once per malformed field.
void KeepOrReport(Vulnerability v, FeedFields& f, std::size_t index, std::string_view input,
                  std::vector<Vulnerability>& out, std::vector<std::string>* problems) {
  if (f.problems.empty() && v.id.empty()) f.problems.push_back("id: missing");
  if (f.problems.empty()) {
    out.push_back(std::move(v));
    return;
  }
  const std::string record = v.id.empty() ? fmt::format("#{}", index) : v.id;
  for (const auto& p : f.problems) {
    if (problems) problems->push_back(fmt::format("{}: record {}: {}", input, record, p));
  }
}

Error DbError(sqlite3* db, const std::string& path, const std::string& what) {
  return MakeError(Errc::kIo, what + ": " + (db ? sqlite3_errmsg(db) : "cannot open"), path);
}

struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

void Bind(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
// Runs one statement with its text parameters ?1, ?2...; true when it completed.
bool ExecBound(sqlite3* db, const char* sql, std::initializer_list<std::string> values) {
  Stmt q;
  if (sqlite3_prepare_v2(db, sql, -1, &q.s, nullptr) != SQLITE_OK) return false;
  int i = 0;
  for (const auto& v : values) Bind(q.s, ++i, v);
  return sqlite3_step(q.s) == SQLITE_DONE;
}
std::string Col(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

std::string_view VdbFamily(std::string_view ecosystem) {
  return ecosystem.substr(0, ecosystem.find(':'));
}
std::string_view VdbRelease(std::string_view ecosystem) {
  const auto colon = ecosystem.find(':');
  return colon == std::string_view::npos ? std::string_view() : ecosystem.substr(colon + 1);
}
bool VdbIsDistro(std::string_view ecosystem) {
  const std::string_view f = VdbFamily(ecosystem);
  return f == "Debian" || f == "Ubuntu" || f == "Alpine" || f == "OpenWrt";
}
// The key a record is stored under. A distribution's OSV record named by a bare CVE id (Alpine's
// exports) is not the NVD's record of that CVE: it is kept beside it under "<family>/<id>", with
// the feed's id in feed_id, so that neither import replaces the other.
std::string VdbStoreKey(const Vulnerability& v) {
  if (!v.id.starts_with("CVE-")) return v.id;
  for (const auto& r : v.affected)
    if (!r.package.empty() && VdbIsDistro(r.ecosystem))
      return std::string(VdbFamily(r.ecosystem)) + "/" + v.id;
  return v.id;
}

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS vulns(id TEXT PRIMARY KEY, summary TEXT, cvss REAL, vector TEXT,
                                 severity TEXT, feed_id TEXT DEFAULT '');
CREATE TABLE IF NOT EXISTS affected(vuln_id TEXT, vendor TEXT, product TEXT, package TEXT,
                                    exact TEXT, start_incl TEXT, start_excl TEXT, end_incl TEXT,
                                    end_excl TEXT, ecosystem TEXT DEFAULT '',
                                    commits_only INTEGER DEFAULT 0);
CREATE INDEX IF NOT EXISTS affected_cpe ON affected(product, vendor);
CREATE INDEX IF NOT EXISTS affected_pkg ON affected(package);
CREATE INDEX IF NOT EXISTS affected_id ON affected(vuln_id);
CREATE TABLE IF NOT EXISTS aliases(vuln_id TEXT, alias TEXT);
CREATE INDEX IF NOT EXISTS aliases_id ON aliases(vuln_id);
CREATE INDEX IF NOT EXISTS aliases_alias ON aliases(alias);
CREATE TABLE IF NOT EXISTS kev(cve TEXT PRIMARY KEY, date_added TEXT, due_date TEXT,
                               ransomware TEXT, name TEXT, vendor TEXT, product TEXT);
CREATE TABLE IF NOT EXISTS epss(cve TEXT PRIMARY KEY, score REAL, percentile REAL, date TEXT);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS sources(name TEXT PRIMARY KEY, url TEXT, last_attempt INTEGER,
                                   last_success INTEGER, last_result TEXT, etag TEXT,
                                   last_modified TEXT, cursor TEXT, records INTEGER, resume TEXT);
)";

}  // namespace

bool InRange(const AffectedRange& r, std::string_view version, std::string* why,
             VersionScheme scheme) {
  if (version.empty() || r.commits_only) return false;
  const auto CompareVersions = [scheme](std::string_view a, std::string_view b) {
    return vuln::CompareVersions(a, b, scheme);
  };
  if (!r.exact.empty()) {
    const bool hit = CompareVersions(version, r.exact) == 0;
    if (hit && why) *why = std::string(version) + " is listed as affected";
    return hit;
  }
  std::string w = std::string(version);
  if (!r.start_incl.empty()) {
    if (CompareVersions(version, r.start_incl) < 0) return false;
    w += " >= " + r.start_incl;
  }
  if (!r.start_excl.empty()) {
    if (CompareVersions(version, r.start_excl) <= 0) return false;
    w += " > " + r.start_excl;
  }
  if (!r.end_incl.empty()) {
    if (CompareVersions(version, r.end_incl) > 0) return false;
    w += " <= " + r.end_incl;
  }
  if (!r.end_excl.empty()) {
    if (CompareVersions(version, r.end_excl) >= 0) return false;
    w += " < " + r.end_excl;
  }
  if (w == version) w += ": every version is affected";
  if (why) *why = w;
  return true;
}

Result<std::vector<Vulnerability>> ParseFeed(std::string_view text, std::string_view input,
                                             std::string* format,
                                             std::vector<std::string>* problems) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    return MakeError(Errc::kCorrupt, "not valid JSON", std::string(input));
  }
  std::vector<Vulnerability> out;
  if (j.is_object() && j.contains("vulnerabilities") && j["vulnerabilities"].is_array()) {
    if (format) *format = "nvd";
    const json& items = j["vulnerabilities"];
    for (std::size_t i = 0; i < items.size(); ++i) {
      FeedFields f;
      Vulnerability v;
      if (f.Is(items[i], FeedFields::Element("vulnerabilities", i), json::value_t::object)) {
        if (const json* cve = f.Get(items[i], "", "cve", json::value_t::object))
          v = FromNvd(*cve, f);
      }
      KeepOrReport(std::move(v), f, i, input, out, problems);
    }
    return out;
  }
  const json* list = nullptr;
  std::string list_at;  // the path of the list's elements: "" for a top-level array
  json single = json::array();
  if (j.is_array()) {
    list = &j;
  } else if (j.is_object() && j.contains("vulns") && j["vulns"].is_array()) {
    list = &j["vulns"];
    list_at = "vulns";
  } else if (j.is_object() && j.contains("id") && j.contains("affected")) {
    single.push_back(j);
    list = &single;
  }
  if (!list) {
    return MakeError(Errc::kNotThisFormat,
                     "neither NVD CVE JSON 2.0 (vulnerabilities[].cve) nor OSV (id, affected)",
                     std::string(input));
  }
  if (format) *format = "osv";
  for (std::size_t i = 0; i < list->size(); ++i) {
    FeedFields f;
    Vulnerability v;
    if (f.Is((*list)[i], FeedFields::Element(list_at, i), json::value_t::object))
      v = FromOsv((*list)[i], f);
    KeepOrReport(std::move(v), f, i, input, out, problems);
  }
  return out;
}

Result<VulnDb> VulnDb::Open(const fs::path& path, bool create) {
  if (!create && !fs::exists(path)) {
    return MakeError(Errc::kIo,
                     "no vulnerability database (import a feed with `iotcop vulndb "
                     "import FILE`)",
                     path.string());
  }
  if (create) {
    std::error_code ec;
    if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  }
  sqlite3* db = nullptr;
  const int flags = create ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) : SQLITE_OPEN_READONLY;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Error e = DbError(db, path.string(), "open");
    sqlite3_close(db);
    return e;
  }
  VulnDb out(db, path.string());
  if (create) {
    char* err = nullptr;
    if (sqlite3_exec(db, kSchema, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "schema";
      sqlite3_free(err);
      return MakeError(Errc::kIo, "create schema: " + msg, path.string());
    }
    // A database made before ranges kept their ecosystem.
    if (!out.HasColumn("affected", "ecosystem") &&
        sqlite3_exec(db, "ALTER TABLE affected ADD COLUMN ecosystem TEXT DEFAULT ''", nullptr,
                     nullptr, nullptr) != SQLITE_OK)
      return DbError(db, path.string(), "add the ecosystem column");
    if (!out.HasColumn("affected", "commits_only") &&
        sqlite3_exec(db, "ALTER TABLE affected ADD COLUMN commits_only INTEGER DEFAULT 0", nullptr,
                     nullptr, nullptr) != SQLITE_OK)
      return DbError(db, path.string(), "add the commits_only column");
    // A database made before records were kept under a key of their own (VdbStoreKey).
    if (!out.HasColumn("vulns", "feed_id") &&
        sqlite3_exec(db, "ALTER TABLE vulns ADD COLUMN feed_id TEXT DEFAULT ''", nullptr, nullptr,
                     nullptr) != SQLITE_OK)
      return DbError(db, path.string(), "add the feed_id column");
  }
  return out;
}

VulnDb::~VulnDb() {
  if (db_) sqlite3_close(db_);
}

// An import is the user's word that the feed is current: it dates the database. An update dates
// it only when a source's run completes (PutSource), never on a page of a run cut short.
Status VulnDb::Store(const std::vector<Vulnerability>& vulns) {
  sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
  Status st = StoreRecords(vulns, true);
  if (st && !ExecBound(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES('updated_at', ?1)",
                       {std::to_string(static_cast<long long>(std::time(nullptr)))}))
    st = DbError(db_, path_, "store update time");
  if (!st) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return DbError(db_, path_, "commit");
  }
  return Ok();
}

Status VulnDb::Apply(const std::vector<Vulnerability>& vulns, const SourceRecord& source) {
  sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
  Status st = StoreRecords(vulns, !vulns.empty());
  if (st) st = PutSource(source);
  if (!st) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return DbError(db_, path_, "commit");
  }
  return Ok();
}

Status VulnDb::PutSource(const SourceRecord& r) {
  Stmt q;
  sqlite3_prepare_v2(db_,
                     "INSERT OR REPLACE INTO sources(name, url, last_attempt, last_success, "
                     "last_result, etag, last_modified, cursor, records, resume) "
                     "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
                     -1, &q.s, nullptr);
  if (!q.s) return DbError(db_, path_, "prepare");
  Bind(q.s, 1, r.name);
  Bind(q.s, 2, r.url);
  sqlite3_bind_int64(q.s, 3, r.last_attempt);
  sqlite3_bind_int64(q.s, 4, r.last_success);
  Bind(q.s, 5, r.last_result);
  Bind(q.s, 6, r.etag);
  Bind(q.s, 7, r.last_modified);
  Bind(q.s, 8, r.cursor);
  sqlite3_bind_int64(q.s, 9, r.records);
  Bind(q.s, 10, r.resume);
  if (sqlite3_step(q.s) != SQLITE_DONE) return DbError(db_, path_, "store source " + r.name);
  if (r.last_success > 0) {
    if (!ExecBound(db_,
                   "INSERT INTO meta(key, value) VALUES('updated_at', ?1) ON CONFLICT(key) "
                   "DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(?1 AS INTEGER))",
                   {std::to_string(r.last_success)}))
      return DbError(db_, path_, "store update time");
  }
  return Ok();
}

namespace {
SourceRecord SourceFromRow(sqlite3_stmt* s) {
  SourceRecord r;
  r.name = Col(s, 0);
  r.url = Col(s, 1);
  r.last_attempt = sqlite3_column_int64(s, 2);
  r.last_success = sqlite3_column_int64(s, 3);
  r.last_result = Col(s, 4);
  r.etag = Col(s, 5);
  r.last_modified = Col(s, 6);
  r.cursor = Col(s, 7);
  r.records = sqlite3_column_int64(s, 8);
  r.resume = Col(s, 9);
  return r;
}
constexpr const char* kSourceColumns =
    "SELECT name, url, last_attempt, last_success, last_result, etag, last_modified, cursor, "
    "records, resume FROM sources";
}  // namespace

SourceRecord VulnDb::Source(const std::string& name) const {
  Stmt q;
  SourceRecord r;
  r.name = name;
  if (sqlite3_prepare_v2(db_, (std::string(kSourceColumns) + " WHERE name = ?1").c_str(), -1, &q.s,
                         nullptr) != SQLITE_OK)
    return r;
  Bind(q.s, 1, name);
  if (sqlite3_step(q.s) == SQLITE_ROW) return SourceFromRow(q.s);
  return r;
}

std::vector<SourceRecord> VulnDb::Sources() const {
  Stmt q;
  std::vector<SourceRecord> out;
  // A database made before `vulndb update` has no sources table: no sources.
  if (sqlite3_prepare_v2(db_, (std::string(kSourceColumns) + " ORDER BY name").c_str(), -1, &q.s,
                         nullptr) != SQLITE_OK)
    return out;
  while (sqlite3_step(q.s) == SQLITE_ROW) out.push_back(SourceFromRow(q.s));
  return out;
}

std::int64_t VulnDb::UpdatedAt() const {
  Stmt q;
  if (sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key='updated_at'", -1, &q.s, nullptr) ==
          SQLITE_OK &&
      sqlite3_step(q.s) == SQLITE_ROW)
    return std::strtoll(Col(q.s, 0).c_str(), nullptr, 10);
  return 0;
}

Status VulnDb::StoreRecords(const std::vector<Vulnerability>& vulns, bool chain_digest) {
  Stmt del_v, del_a, ins_v, ins_a;
  sqlite3_prepare_v2(db_, "DELETE FROM vulns WHERE id=?1", -1, &del_v.s, nullptr);
  sqlite3_prepare_v2(db_, "DELETE FROM affected WHERE vuln_id=?1", -1, &del_a.s, nullptr);
  sqlite3_prepare_v2(
      db_,
      "INSERT INTO vulns(id, summary, cvss, vector, severity, feed_id) VALUES(?1,?2,?3,?4,?5,?6)",
      -1, &ins_v.s, nullptr);
  Stmt del_alias, ins_alias;
  sqlite3_prepare_v2(db_,
                     "INSERT INTO affected(vuln_id, vendor, product, package, exact, start_incl, "
                     "start_excl, end_incl, end_excl, ecosystem, commits_only) VALUES(?1,?2,?3,?4,"
                     "?5,?6,?7,?8,?9,?10,?11)",
                     -1, &ins_a.s, nullptr);
  sqlite3_prepare_v2(db_, "DELETE FROM aliases WHERE vuln_id=?1", -1, &del_alias.s, nullptr);
  sqlite3_prepare_v2(db_, "INSERT INTO aliases VALUES(?1,?2)", -1, &ins_alias.s, nullptr);
  if (!del_v.s || !del_a.s || !ins_v.s || !ins_a.s || !del_alias.s || !ins_alias.s)
    return DbError(db_, path_, "prepare");
  auto step = [&](sqlite3_stmt* s) {
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE;
  };
  for (const auto& v : vulns) {
    const std::string key = VdbStoreKey(v);
    Bind(del_v.s, 1, key);
    Bind(del_a.s, 1, key);
    Bind(ins_v.s, 1, key);
    Bind(ins_v.s, 2, v.summary);
    if (v.cvss) sqlite3_bind_double(ins_v.s, 3, *v.cvss);
    Bind(ins_v.s, 4, v.cvss_vector);
    Bind(ins_v.s, 5, v.severity);
    Bind(ins_v.s, 6, key == v.id ? std::string() : v.id);
    Bind(del_alias.s, 1, key);
    if (!step(del_v.s) || !step(del_a.s) || !step(ins_v.s) || !step(del_alias.s)) {
      return DbError(db_, path_, "store " + v.id);
    }
    for (const auto& r : v.affected) {
      const std::string cols[] = {key,          r.vendor,     r.product,  r.package,  r.exact,
                                  r.start_incl, r.start_excl, r.end_incl, r.end_excl, r.ecosystem};
      for (int i = 0; i < 10; ++i) Bind(ins_a.s, i + 1, cols[i]);
      sqlite3_bind_int(ins_a.s, 11, r.commits_only ? 1 : 0);
      if (!step(ins_a.s)) return DbError(db_, path_, "store " + v.id);
    }
    for (const auto& alias : v.aliases) {
      Bind(ins_alias.s, 1, key);
      Bind(ins_alias.s, 2, alias);
      if (!step(ins_alias.s)) return DbError(db_, path_, "store " + v.id);
    }
  }
  if (!chain_digest) return Ok();
  // The content digest: the previous one chained with every record stored now, so that the
  // same imports give the same digest and any change of content gives another.
  std::string material = Digest() + "\n";
  for (const auto& v : vulns) {
    material += v.id + "\x1f" + v.summary + "\x1f" + (v.cvss ? std::to_string(*v.cvss) : "") +
                "\x1f" + v.cvss_vector + "\x1f" + v.severity + "\n";
    for (const auto& r : v.affected)
      material += r.vendor + "\x1f" + r.product + "\x1f" + r.package + "\x1f" + r.exact + "\x1f" +
                  r.start_incl + "\x1f" + r.start_excl + "\x1f" + r.end_incl + "\x1f" + r.end_excl +
                  "\x1f" + r.ecosystem + (r.commits_only ? "\037commits" : "") + "\n";
    for (const auto& alias : v.aliases) material += "alias\x1f" + alias + "\n";
  }
  if (!ExecBound(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES('digest', ?1)",
                 {Sha256Hex(AsBytes(material))}))
    return DbError(db_, path_, "store digest");
  return Ok();
}

std::string VulnDb::Digest() const {
  Stmt q;
  if (sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key='digest'", -1, &q.s, nullptr) ==
          SQLITE_OK &&
      sqlite3_step(q.s) == SQLITE_ROW)
    return Col(q.s, 0);
  // A database imported before digests were kept: its size stands in for its content.
  return fmt::format("undigested:{}", Count());
}

std::string VulnDbDigest(const fs::path& path) {
  auto db = VulnDb::Open(path, false);
  return db ? db->Digest() : std::string("none");
}

Result<ImportStats> VulnDb::ImportFile(const fs::path& feed) {
  std::ifstream in(feed, std::ios::binary);
  if (!in) return MakeError(Errc::kIo, "cannot read", feed.string());
  std::stringstream ss;
  ss << in.rdbuf();
  ImportStats stats;
  auto vulns = ParseFeed(ss.str(), feed.string(), &stats.format, &stats.problems);
  if (!vulns) return vulns.error();
  if (Status st = Store(*vulns); !st) return st.error();
  stats.vulnerabilities = vulns->size();
  for (const auto& v : *vulns) stats.ranges += v.affected.size();
  return stats;
}

std::size_t VulnDb::Count() const {
  Stmt s;
  if (sqlite3_prepare_v2(db_, "SELECT COUNT(*) FROM vulns", -1, &s.s, nullptr) != SQLITE_OK)
    return 0;
  return sqlite3_step(s.s) == SQLITE_ROW ? static_cast<std::size_t>(sqlite3_column_int64(s.s, 0))
                                         : 0;
}

const char* MatchRuleName(MatchRule r) {
  switch (r) {
    case MatchRule::kEcosystemRange:
      return "ecosystem range";
    case MatchRule::kCpeRange:
      return "CPE range";
    case MatchRule::kPackageRange:
      return "package range";
    case MatchRule::kStableBranch:
      return "stable-branch range";
  }
  return "CPE range";
}

namespace {

// Whether a range of `row` (an ecosystem) speaks of a package of `component`'s distribution: the
// same family and, when both name one, the same release ("OpenWrt:21.02" covers "OpenWrt:21.02.3").
bool VdbEcosystemApplies(std::string_view row, std::string_view component) {
  if (VdbFamily(row) != VdbFamily(component)) return false;
  const std::string_view r = VdbRelease(row), c = VdbRelease(component);
  if (r.empty() || c.empty() || r == c) return true;
  return c.size() > r.size() && c.starts_with(r) && c[r.size()] == '.';
}
// "4.9" of "4.9.87-abc": the stable branch of a kernel version; "" when not major.minor.
std::string VdbBranch(std::string_view v) {
  std::size_t i = 0, dots = 0;
  while (i < v.size() && (std::isdigit(static_cast<unsigned char>(v[i])) || v[i] == '.')) {
    if (v[i] == '.' && ++dots == 2) break;
    ++i;
  }
  const std::string b(v.substr(0, i));
  return dots >= 1 && !b.ends_with('.') ? b : std::string();
}

struct VdbRow {
  AffectedRange r;
  bool cpe = false;
};
struct VdbCandidate {
  Match meta;  // id, summary, scores
  std::vector<VdbRow> rows;
};

}  // namespace

bool VulnDb::HasColumn(const char* table, const char* column) const {
  Stmt q;
  if (sqlite3_prepare_v2(db_, fmt::format("PRAGMA table_info({})", table).c_str(), -1, &q.s,
                         nullptr) != SQLITE_OK)
    return false;
  while (sqlite3_step(q.s) == SQLITE_ROW)
    if (Col(q.s, 1) == column) return true;
  return false;
}

std::vector<std::string> VulnDb::AliasesOf(const std::string& id) const {
  Stmt q;
  std::vector<std::string> out;
  if (sqlite3_prepare_v2(db_, "SELECT alias FROM aliases WHERE vuln_id = ?1", -1, &q.s, nullptr) !=
      SQLITE_OK)
    return out;  // a database from before aliases were kept
  Bind(q.s, 1, id);
  while (sqlite3_step(q.s) == SQLITE_ROW) out.push_back(Col(q.s, 0));
  return out;
}

Result<FindResult> VulnDb::Find(const FindQuery& q) const {
  const std::string sql = fmt::format(
      "SELECT v.id, v.summary, v.cvss, v.vector, v.severity, a.exact, a.start_incl, "
      "a.start_excl, a.end_incl, a.end_excl, a.package, {}, a.product, {}, {} FROM affected a "
      "JOIN vulns v ON v.id = a.vuln_id WHERE (a.product = ?2 AND (a.vendor = ?1 OR ?1 = '')) OR "
      "(a.package <> '' AND a.package IN (?3, ?4, ?5)) ORDER BY v.id",
      HasColumn("affected", "ecosystem") ? "a.ecosystem" : "''",
      HasColumn("vulns", "feed_id") ? "v.feed_id" : "''",
      HasColumn("affected", "commits_only") ? "a.commits_only" : "0");
  Stmt s;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s.s, nullptr) != SQLITE_OK) {
    return DbError(db_, path_, "query");
  }
  const std::string name = Lower(q.name);
  Bind(s.s, 1, Lower(q.vendor));
  Bind(s.s, 2, q.product.empty() ? name : Lower(q.product));
  Bind(s.s, 3, name);
  Bind(s.s, 4, q.packages.size() > 0 ? Lower(q.packages[0]) : name);
  const bool kernel = Lower(q.product) == "linux_kernel" || name == "linux";
  // OSV's Linux ecosystem names the kernel's package "Kernel".
  Bind(s.s, 5, q.packages.size() > 1 ? Lower(q.packages[1]) : kernel ? "kernel" : name);
  std::map<std::string, VdbCandidate> candidates;
  int rc;
  while ((rc = sqlite3_step(s.s)) == SQLITE_ROW) {
    VdbCandidate& c = candidates[Col(s.s, 0)];
    if (c.meta.id.empty()) {
      const std::string feed_id = Col(s.s, 13);
      c.meta.id = feed_id.empty() ? Col(s.s, 0) : feed_id;
      c.meta.summary = Col(s.s, 1);
      if (sqlite3_column_type(s.s, 2) != SQLITE_NULL) c.meta.cvss = sqlite3_column_double(s.s, 2);
      c.meta.cvss_vector = Col(s.s, 3);
      c.meta.severity = Col(s.s, 4);
    }
    VdbRow row;
    row.r.exact = Col(s.s, 5);
    row.r.start_incl = Col(s.s, 6);
    row.r.start_excl = Col(s.s, 7);
    row.r.end_incl = Col(s.s, 8);
    row.r.end_excl = Col(s.s, 9);
    row.r.package = Col(s.s, 10);
    row.r.ecosystem = Col(s.s, 11);
    row.r.commits_only = sqlite3_column_int(s.s, 14) != 0;
    row.cpe = row.r.package.empty();
    c.rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return DbError(db_, path_, "query");

  const bool distro_package = VdbIsDistro(q.ecosystem) && !q.package_version.empty();
  const std::string branch = kernel ? VdbBranch(q.version) : std::string();
  struct Decision {
    Match m;
    std::vector<std::string> keys;  // the id and its aliases
    bool distro = false, vulnerable = false;
    std::string fixed;       // distro: the fix it records; kernel: the fix on the version's branch
    std::string key;         // where the record is stored (VdbStoreKey)
    std::string commits;     // a GIT range of the package
    bool versioned = false;  // the record has a version range or list for the package
  };
  std::vector<Decision> decisions;
  for (auto& [key, c] : candidates) {
    Decision d;
    d.m = c.meta;
    d.m.aliases = AliasesOf(key);
    d.keys = d.m.aliases;
    d.keys.insert(d.keys.begin(), d.m.id);
    d.key = key;
    // 1. The distribution's own record of its package.
    for (const VdbRow& row : c.rows) {
      if (row.cpe || !VdbIsDistro(row.r.ecosystem)) continue;
      if (!distro_package || !VdbEcosystemApplies(row.r.ecosystem, q.ecosystem)) continue;
      d.distro = true;
      std::string why;
      if (d.fixed.empty()) d.fixed = row.r.end_excl;
      if (!d.vulnerable &&
          InRange(row.r, q.package_version, &why, SchemeOfEcosystem(row.r.ecosystem))) {
        d.vulnerable = true;
        d.m.why = why + " (" + row.r.ecosystem +
                  (VdbRelease(q.ecosystem).empty() ? ", release of the image unknown" : "") + ")";
        d.m.rule = MatchRule::kEcosystemRange;
        d.m.ecosystem = row.r.ecosystem;
      }
    }
    if (d.distro) {
      decisions.push_back(std::move(d));
      continue;
    }
    // 2./3. Upstream ranges on the upstream version; the kernel's own stable branch first.
    for (const VdbRow& row : c.rows) {
      if (!row.cpe && VdbIsDistro(row.r.ecosystem)) continue;
      if (row.r.commits_only) {
        if (d.commits.empty())
          d.commits = row.r.start_incl.empty()
                          ? "fixed by commit " + row.r.end_excl
                          : "introduced by commit " + row.r.start_incl +
                                (row.r.end_excl.empty() ? std::string()
                                                        : ", fixed by commit " + row.r.end_excl);
        continue;
      }
      d.versioned = true;
      const std::string& bound = !row.r.end_excl.empty() ? row.r.end_excl : row.r.end_incl;
      const bool on_branch = !branch.empty() && VdbBranch(bound) == branch;
      if (on_branch && !InRange(row.r, q.version) &&
          CompareVersions(q.version, bound) >= (row.r.end_excl.empty() ? 1 : 0))
        d.fixed = bound;
      std::string why;
      // A range of the version's own branch explains a match better than another's.
      const bool better = on_branch && d.m.rule != MatchRule::kStableBranch;
      if ((d.vulnerable && !better) || !InRange(row.r, q.version, &why)) continue;
      d.vulnerable = true;
      d.m.why = why;
      d.m.rule = on_branch ? MatchRule::kStableBranch
                 : row.cpe ? MatchRule::kCpeRange
                           : MatchRule::kPackageRange;
      d.m.ecosystem = row.r.ecosystem;
    }
    if (d.vulnerable && !d.fixed.empty()) {
      // Another branch's range covers the version, but its own branch has the fix.
      d.vulnerable = false;
      d.m.why = fmt::format(
          "{} is past the fix {} of its stable branch {}; the range {} is "
          "another branch's",
          q.version, d.fixed, branch, d.m.why);
      d.m.rule = MatchRule::kStableBranch;
      d.fixed = "branch";
    }
    decisions.push_back(std::move(d));
  }
  auto shares_key = [](const Decision& a, const Decision& b) {
    for (const auto& k : a.keys)
      if (std::find(b.keys.begin(), b.keys.end(), k) != b.keys.end()) return true;
    return false;
  };
  FindResult out;
  std::vector<const Decision*> kept;
  for (const Decision& d : decisions) {
    if (!d.distro && d.fixed == "branch") {
      out.not_affected.push_back({d.m.id, "stable-branch fix", d.m.why});
      continue;
    }
    if (!d.vulnerable) {
      // Only commit ranges (and no rule above decided): say so rather than drop it.
      if (!d.distro && !d.commits.empty() && !d.versioned)
        out.undecided.push_back(
            {d.m.id, fmt::format("the record gives only commit ranges ({}) and no version list: "
                                 "{} {} cannot be compared with them",
                                 d.commits, q.name, q.version)});
      continue;
    }
    const Decision* distro = nullptr;
    if (!d.distro) {
      for (const Decision& e : decisions)
        if (e.distro && shares_key(d, e)) distro = &e;
    }
    if (distro && !distro->vulnerable) {
      out.not_affected.push_back(
          {d.m.id, "backport by distribution revision",
           fmt::format("the upstream range says {} ({}), but the {} record {} says {} {} is not "
                       "affected{}",
                       d.m.why, MatchRuleName(d.m.rule), q.ecosystem, distro->m.id,
                       q.packages.empty() ? q.name : q.packages.front(), q.package_version,
                       distro->fixed.empty() ? "" : " (fixed in " + distro->fixed + ")")});
      continue;
    }
    if (distro) continue;  // the distribution's record reports it
    if (std::any_of(kept.begin(), kept.end(), [&](const Decision* k) { return shares_key(*k, d); }))
      continue;  // one vulnerability under two records (DSA and DLA of one CVE)
    kept.push_back(&d);
  }
  for (const Decision* d : kept) {
    Match m = d->m;
    // A distribution's record often carries no score or summary: its CVE's record (an alias, or
    // the id of an Alpine record stored beside it) has them.
    for (std::size_t i = 0; i < d->keys.size(); ++i) {
      if (d->keys[i] == d->key) continue;
      const bool scored = m.cvss || !m.severity.empty();
      if (scored && !m.summary.empty()) break;
      Stmt sc;
      if (sqlite3_prepare_v2(db_, "SELECT cvss, vector, severity, summary FROM vulns WHERE id = ?1",
                             -1, &sc.s, nullptr) != SQLITE_OK)
        break;
      Bind(sc.s, 1, d->keys[i]);
      if (sqlite3_step(sc.s) != SQLITE_ROW) continue;
      if (!scored) {
        if (sqlite3_column_type(sc.s, 0) != SQLITE_NULL) m.cvss = sqlite3_column_double(sc.s, 0);
        m.cvss_vector = Col(sc.s, 1);
        m.severity = Col(sc.s, 2);
      }
      if (m.summary.empty()) m.summary = Col(sc.s, 3);
    }
    for (const auto& k : d->keys) {
      if (!k.starts_with("CVE-")) continue;
      if (!m.kev) m.kev = Kev(k);
      if (!m.epss) m.epss = Epss(k);
    }
    out.matches.push_back(std::move(m));
  }
  return out;
}

std::optional<KevEntry> VulnDb::Kev(const std::string& cve) const {
  Stmt q;
  if (sqlite3_prepare_v2(db_,
                         "SELECT cve, date_added, due_date, ransomware, name, vendor, product "
                         "FROM kev WHERE cve = ?1",
                         -1, &q.s, nullptr) != SQLITE_OK)
    return std::nullopt;
  Bind(q.s, 1, cve);
  if (sqlite3_step(q.s) != SQLITE_ROW) return std::nullopt;
  return KevEntry{Col(q.s, 0), Col(q.s, 1), Col(q.s, 2), Col(q.s, 3),
                  Col(q.s, 4), Col(q.s, 5), Col(q.s, 6)};
}

std::optional<EpssScore> VulnDb::Epss(const std::string& cve) const {
  Stmt q;
  if (sqlite3_prepare_v2(db_, "SELECT cve, score, percentile, date FROM epss WHERE cve = ?1", -1,
                         &q.s, nullptr) != SQLITE_OK)
    return std::nullopt;
  Bind(q.s, 1, cve);
  if (sqlite3_step(q.s) != SQLITE_ROW) return std::nullopt;
  return EpssScore{Col(q.s, 0), sqlite3_column_double(q.s, 1), sqlite3_column_double(q.s, 2),
                   Col(q.s, 3)};
}

std::size_t VulnDb::CountOf(const char* table) const {
  Stmt q;
  if (sqlite3_prepare_v2(db_, fmt::format("SELECT COUNT(*) FROM {}", table).c_str(), -1, &q.s,
                         nullptr) != SQLITE_OK)
    return 0;
  return sqlite3_step(q.s) == SQLITE_ROW ? static_cast<std::size_t>(sqlite3_column_int64(q.s, 0))
                                         : 0;
}
std::size_t VulnDb::KevCount() const { return CountOf("kev"); }
std::size_t VulnDb::EpssCount() const { return CountOf("epss"); }

// A list replaced whole, with its source's record, in one transaction; the digest chains the
// list's content so that a batch re-runs when the priorities change.
Status VulnDb::FinishList(Status st, const std::string& material, const SourceRecord& source) {
  if (st && !ExecBound(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES('digest', ?1)",
                       {Sha256Hex(AsBytes(material))}))
    st = DbError(db_, path_, "store digest");
  if (st) st = PutSource(source);
  if (!st) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
    return DbError(db_, path_, "commit");
  return Ok();
}

Status VulnDb::ReplaceKev(const std::vector<KevEntry>& entries, const SourceRecord& source) {
  sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
  Status st = Ok();
  std::string material = Digest() + "\nkev\n";
  if (sqlite3_exec(db_, "DELETE FROM kev", nullptr, nullptr, nullptr) != SQLITE_OK)
    st = DbError(db_, path_, "clear kev");
  for (const auto& e : entries) {
    if (!st) break;
    if (!ExecBound(db_, "INSERT OR REPLACE INTO kev VALUES(?1,?2,?3,?4,?5,?6,?7)",
                   {e.cve, e.date_added, e.due_date, e.ransomware, e.name, e.vendor, e.product}))
      st = DbError(db_, path_, "store kev " + e.cve);
    material += e.cve + "\x1f" + e.date_added + "\x1f" + e.ransomware + "\n";
  }
  return FinishList(st, material, source);
}

Status VulnDb::ReplaceEpss(const std::vector<EpssScore>& scores, const SourceRecord& source) {
  sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
  Status st = Ok();
  std::string material = Digest() + "\nepss\n";
  Stmt ins;
  if (sqlite3_exec(db_, "DELETE FROM epss", nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO epss VALUES(?1,?2,?3,?4)", -1, &ins.s,
                         nullptr) != SQLITE_OK)
    st = DbError(db_, path_, "clear epss");
  for (const auto& e : scores) {
    if (!st) break;
    Bind(ins.s, 1, e.cve);
    sqlite3_bind_double(ins.s, 2, e.score);
    sqlite3_bind_double(ins.s, 3, e.percentile);
    Bind(ins.s, 4, e.date);
    if (sqlite3_step(ins.s) != SQLITE_DONE) st = DbError(db_, path_, "store epss " + e.cve);
    sqlite3_reset(ins.s);
    material += fmt::format("{}\x1f{}\x1f{}\n", e.cve, e.score, e.percentile);
  }
  return FinishList(st, material, source);
}

fs::path DefaultVulnDbPath() {
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) {
    return fs::path(x) / "iotcop" / "vulndb.sqlite";
  }
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : ".") / ".local" / "share" / "iotcop" / "vulndb.sqlite";
}

}  // namespace iotcop::vuln
