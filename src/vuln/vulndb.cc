#include "vuln/vulndb.h"

#include <sqlite3.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/hash.h"
#include "core/strings.h"
#include "vuln/cvss.h"
#include "vuln/version.h"

namespace iotcop::vuln {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Splits a CPE 2.3 formatted string at unescaped colons and unescapes "\x".
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

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// NVD: the highest base score across CVSS v3.1, v3.0 and v2 metrics.
void NvdMetrics(const json& cve, Vulnerability& v) {
  const json& m = cve.value("metrics", json::object());
  for (const char* key : {"cvssMetricV40", "cvssMetricV31", "cvssMetricV30", "cvssMetricV2"}) {
    if (!m.contains(key) || !m[key].is_array()) continue;
    for (const auto& e : m[key]) {
      const json& d = e.value("cvssData", json::object());
      if (!d.contains("baseScore") || !d["baseScore"].is_number()) continue;
      const double s = d["baseScore"].get<double>();
      if (!v.cvss || s > *v.cvss) {
        v.cvss = s;
        v.cvss_vector = Str(d, "vectorString");
        v.severity = Str(d, "baseSeverity");
        if (v.severity.empty()) v.severity = Str(e, "baseSeverity");
      }
    }
    if (v.cvss) return;  // the newest CVSS version present wins
  }
}

void NvdNodes(const json& nodes, Vulnerability& v) {
  if (!nodes.is_array()) return;
  for (const auto& node : nodes) {
    if (node.value("negate", false)) continue;
    for (const auto& m : node.value("cpeMatch", json::array())) {
      if (!m.value("vulnerable", true)) continue;
      const auto parts = SplitCpe(Str(m, "criteria"));
      if (parts.size() < 6 || parts[0] != "cpe" || parts[1] != "2.3") continue;
      AffectedRange r;
      r.vendor = Lower(parts[3]);
      r.product = Lower(parts[4]);
      r.start_incl = Str(m, "versionStartIncluding");
      r.start_excl = Str(m, "versionStartExcluding");
      r.end_incl = Str(m, "versionEndIncluding");
      r.end_excl = Str(m, "versionEndExcluding");
      const bool ranged = !r.start_incl.empty() || !r.start_excl.empty() || !r.end_incl.empty() ||
                          !r.end_excl.empty();
      const std::string& ver = parts[5];
      if (ver == "-") continue;  // "not applicable": no version of a component matches
      if (ver != "*" && !ranged) {
        r.exact = ver;
        if (parts.size() > 6 && parts[6] != "*" && parts[6] != "-") r.exact += parts[6];
      }
      v.affected.push_back(std::move(r));
    }
  }
}

Vulnerability FromNvd(const json& cve) {
  Vulnerability v;
  v.id = Str(cve, "id");
  for (const auto& d : cve.value("descriptions", json::array())) {
    if (Str(d, "lang") == "en") {
      v.summary = Str(d, "value");
      break;
    }
  }
  NvdMetrics(cve, v);
  for (const auto& c : cve.value("configurations", json::array())) {
    NvdNodes(c.value("nodes", json::array()), v);
  }
  return v;
}

Vulnerability FromOsv(const json& rec) {
  Vulnerability v;
  v.id = Str(rec, "id");
  v.summary = Str(rec, "summary");
  if (v.summary.empty()) v.summary = Str(rec, "details").substr(0, 300);
  for (const auto& s : rec.value("severity", json::array())) {
    // Keep a v3 vector when the record has v3 and v4: only v3 is scored here.
    const std::string type = Str(s, "type");
    if (type == "CVSS_V3" || (type.starts_with("CVSS") && v.cvss_vector.empty()))
      v.cvss_vector = Str(s, "score");
  }
  const json& db = rec.value("database_specific", json::object());
  v.severity = Str(db, "severity");
  if (db.contains("cvss_score") && db["cvss_score"].is_number())
    v.cvss = db["cvss_score"].get<double>();
  // OSV gives CVSS as a vector only: score v3 vectors ourselves (v4 needs the FIRST lookup tables
  // and keeps the feed's severity word).
  if (!v.cvss && v.cvss_vector.starts_with("CVSS:3")) {
    if (auto score = CvssV3BaseScore(v.cvss_vector)) {
      v.cvss = *score;
      if (v.severity.empty()) v.severity = CvssRating(*score);
    }
  }
  for (const auto& a : rec.value("affected", json::array())) {
    const std::string pkg = Lower(Str(a.value("package", json::object()), "name"));
    if (pkg.empty()) continue;
    for (const auto& range : a.value("ranges", json::array())) {
      const std::string type = Str(range, "type");
      if (type != "SEMVER" && type != "ECOSYSTEM") continue;  // GIT ranges name commits
      AffectedRange cur;
      bool open = false;
      for (const auto& ev : range.value("events", json::array())) {
        if (ev.contains("introduced")) {
          cur = AffectedRange{};
          cur.package = pkg;
          const std::string intro = Str(ev, "introduced");
          if (intro != "0") cur.start_incl = intro;
          open = true;
        } else if (ev.contains("fixed") && open) {
          cur.end_excl = Str(ev, "fixed");
          v.affected.push_back(cur);
          open = false;
        } else if (ev.contains("last_affected") && open) {
          cur.end_incl = Str(ev, "last_affected");
          v.affected.push_back(cur);
          open = false;
        }
      }
      if (open) v.affected.push_back(cur);
    }
    for (const auto& ver : a.value("versions", json::array())) {
      if (!ver.is_string()) continue;
      AffectedRange r;
      r.package = pkg;
      r.exact = ver.get<std::string>();
      v.affected.push_back(std::move(r));
    }
  }
  return v;
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
std::string Col(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS vulns(id TEXT PRIMARY KEY, summary TEXT, cvss REAL, vector TEXT,
                                 severity TEXT);
CREATE TABLE IF NOT EXISTS affected(vuln_id TEXT, vendor TEXT, product TEXT, package TEXT,
                                    exact TEXT, start_incl TEXT, start_excl TEXT, end_incl TEXT,
                                    end_excl TEXT);
CREATE INDEX IF NOT EXISTS affected_cpe ON affected(product, vendor);
CREATE INDEX IF NOT EXISTS affected_pkg ON affected(package);
CREATE INDEX IF NOT EXISTS affected_id ON affected(vuln_id);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
)";

}  // namespace

bool InRange(const AffectedRange& r, std::string_view version, std::string* why) {
  if (version.empty()) return false;
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
                                             std::string* format) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    return MakeError(Errc::kCorrupt, "not valid JSON", std::string(input));
  }
  std::vector<Vulnerability> out;
  if (j.is_object() && j.contains("vulnerabilities") && j["vulnerabilities"].is_array()) {
    if (format) *format = "nvd";
    for (const auto& item : j["vulnerabilities"]) {
      if (item.is_object() && item.contains("cve") && item["cve"].is_object()) {
        auto v = FromNvd(item["cve"]);
        if (!v.id.empty()) out.push_back(std::move(v));
      }
    }
    return out;
  }
  const json* list = nullptr;
  json single = json::array();
  if (j.is_array()) {
    list = &j;
  } else if (j.is_object() && j.contains("vulns") && j["vulns"].is_array()) {
    list = &j["vulns"];
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
  for (const auto& rec : *list) {
    if (!rec.is_object()) continue;
    auto v = FromOsv(rec);
    if (!v.id.empty()) out.push_back(std::move(v));
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
  }
  return out;
}

VulnDb::~VulnDb() {
  if (db_) sqlite3_close(db_);
}

Status VulnDb::Store(const std::vector<Vulnerability>& vulns) {
  sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
  Stmt del_v, del_a, ins_v, ins_a;
  sqlite3_prepare_v2(db_, "DELETE FROM vulns WHERE id=?1", -1, &del_v.s, nullptr);
  sqlite3_prepare_v2(db_, "DELETE FROM affected WHERE vuln_id=?1", -1, &del_a.s, nullptr);
  sqlite3_prepare_v2(db_, "INSERT INTO vulns VALUES(?1,?2,?3,?4,?5)", -1, &ins_v.s, nullptr);
  sqlite3_prepare_v2(db_, "INSERT INTO affected VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)", -1, &ins_a.s,
                     nullptr);
  if (!del_v.s || !del_a.s || !ins_v.s || !ins_a.s) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return DbError(db_, path_, "prepare");
  }
  auto step = [&](sqlite3_stmt* s) {
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE;
  };
  for (const auto& v : vulns) {
    Bind(del_v.s, 1, v.id);
    Bind(del_a.s, 1, v.id);
    Bind(ins_v.s, 1, v.id);
    Bind(ins_v.s, 2, v.summary);
    if (v.cvss) sqlite3_bind_double(ins_v.s, 3, *v.cvss);
    Bind(ins_v.s, 4, v.cvss_vector);
    Bind(ins_v.s, 5, v.severity);
    if (!step(del_v.s) || !step(del_a.s) || !step(ins_v.s)) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return DbError(db_, path_, "store " + v.id);
    }
    for (const auto& r : v.affected) {
      const std::string cols[] = {v.id,         r.vendor,     r.product,  r.package, r.exact,
                                  r.start_incl, r.start_excl, r.end_incl, r.end_excl};
      for (int i = 0; i < 9; ++i) Bind(ins_a.s, i + 1, cols[i]);
      if (!step(ins_a.s)) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        return DbError(db_, path_, "store " + v.id);
      }
    }
  }
  // The content digest: the previous one chained with every record stored now, so that the
  // same imports give the same digest and any change of content gives another.
  std::string material = Digest() + "\n";
  for (const auto& v : vulns) {
    material += v.id + "\x1f" + v.summary + "\x1f" + (v.cvss ? std::to_string(*v.cvss) : "") +
                "\x1f" + v.cvss_vector + "\x1f" + v.severity + "\n";
    for (const auto& r : v.affected)
      material += r.vendor + "\x1f" + r.product + "\x1f" + r.package + "\x1f" + r.exact + "\x1f" +
                  r.start_incl + "\x1f" + r.start_excl + "\x1f" + r.end_incl + "\x1f" + r.end_excl +
                  "\n";
  }
  Stmt meta;
  sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES('digest', ?1)", -1,
                     &meta.s, nullptr);
  if (!meta.s) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return DbError(db_, path_, "prepare");
  }
  Bind(meta.s, 1, Sha256Hex(AsBytes(material)));
  if (!step(meta.s)) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return DbError(db_, path_, "store digest");
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return DbError(db_, path_, "commit");
  }
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
  auto vulns = ParseFeed(ss.str(), feed.string(), &stats.format);
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

Result<std::vector<Match>> VulnDb::Find(std::string_view vendor, std::string_view product,
                                        std::string_view name, std::string_view version) const {
  Stmt s;
  const char* sql =
      "SELECT v.id, v.summary, v.cvss, v.vector, v.severity, a.exact, a.start_incl, "
      "a.start_excl, a.end_incl, a.end_excl FROM affected a JOIN vulns v ON v.id = a.vuln_id "
      "WHERE (a.product = ?2 AND (a.vendor = ?1 OR ?1 = '')) OR (a.package <> '' AND a.package "
      "= ?3) ORDER BY v.id";
  if (sqlite3_prepare_v2(db_, sql, -1, &s.s, nullptr) != SQLITE_OK) {
    return DbError(db_, path_, "query");
  }
  Bind(s.s, 1, Lower(std::string(vendor)));
  Bind(s.s, 2, Lower(std::string(product.empty() ? name : product)));
  Bind(s.s, 3, Lower(std::string(name)));
  std::vector<Match> out;
  std::set<std::string> seen;
  int rc;
  while ((rc = sqlite3_step(s.s)) == SQLITE_ROW) {
    AffectedRange r;
    r.exact = Col(s.s, 5);
    r.start_incl = Col(s.s, 6);
    r.start_excl = Col(s.s, 7);
    r.end_incl = Col(s.s, 8);
    r.end_excl = Col(s.s, 9);
    const std::string id = Col(s.s, 0);
    std::string why;
    if (seen.count(id) || !InRange(r, version, &why)) continue;
    seen.insert(id);
    Match m;
    m.id = id;
    m.summary = Col(s.s, 1);
    if (sqlite3_column_type(s.s, 2) != SQLITE_NULL) m.cvss = sqlite3_column_double(s.s, 2);
    m.cvss_vector = Col(s.s, 3);
    m.severity = Col(s.s, 4);
    m.why = std::move(why);
    out.push_back(std::move(m));
  }
  if (rc != SQLITE_DONE) return DbError(db_, path_, "query");
  return out;
}

fs::path DefaultVulnDbPath() {
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) {
    return fs::path(x) / "iotcop" / "vulndb.sqlite";
  }
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : ".") / ".local" / "share" / "iotcop" / "vulndb.sqlite";
}

}  // namespace iotcop::vuln
