// File: vuln/vulndb.h
// The user's vulnerability feed, imported into SQLite: NVD CVE JSON 2.0 (CPE match criteria with
// version ranges) and OSV JSON (package ranges and version lists). Matching a component compares
// versions with vuln/version.h. `vulndb update` (vuln/update.h) fills it from the public feeds and
// keeps one SourceRecord per feed here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "vuln/version.h"

struct sqlite3;

namespace iotcop::vuln {

// One affected range of one vulnerability. Empty bounds are open.
struct AffectedRange {
  std::string vendor, product;  // from a CPE (NVD); empty for OSV
  std::string package;          // OSV package name (lower case); empty for NVD
  std::string ecosystem;        // OSV affected[].package.ecosystem as written ("Debian:12")
  std::string exact;            // a single affected version
  std::string start_incl, start_excl, end_incl, end_excl;
  // OSV: the package's only ranges are GIT commit ranges (introduced/fixed commit hashes in
  // start_incl/end_excl) with no `versions` list: no version can be compared with them, so the
  // range never matches and Find() lists the record as undecided.
  bool commits_only = false;
};

struct Vulnerability {
  std::string id;  // CVE-2021-42374, GHSA-..., OSV id
  std::string summary;
  std::optional<double> cvss;  // highest base score given
  std::string cvss_vector;
  std::string severity;  // the feed's word: CRITICAL, HIGH, MODERATE/MEDIUM, LOW
  std::vector<AffectedRange> affected;
  // OSV `aliases` and `upstream`: the CVE a distribution's record (DSA-5139-1, DEBIAN-CVE-...)
  // is about, which ties it to the NVD's record of that CVE.
  std::vector<std::string> aliases;
};

struct ImportStats {
  std::string format;  // "nvd" | "osv"
  std::size_t vulnerabilities = 0;
  std::size_t ranges = 0;
  // The records skipped for a malformed field, one line per field (see ParseFeed).
  std::vector<std::string> problems;
};

// A CVE in CISA's Known Exploited Vulnerabilities catalog.
struct KevEntry {
  std::string cve, date_added, due_date, ransomware, name, vendor, product;
};
// FIRST's EPSS score of a CVE: the probability of exploitation in the next 30 days, and its
// percentile among all scored CVEs, with the date of the scores.
struct EpssScore {
  std::string cve;
  double score = 0, percentile = 0;
  std::string date;
};

// The rule that decided a match (MatchRuleName()).
enum class MatchRule {
  kEcosystemRange,  // the distribution's own record for the package (OSV Debian, Alpine...)
  kCpeRange,        // an NVD CPE range or listed version, on the upstream version
  kPackageRange,    // an OSV range of a package by name outside any distribution
  kStableBranch,    // the kernel: a range on the stable branch of the version
};
const char* MatchRuleName(MatchRule r);

struct Match {
  std::string id, summary, cvss_vector, severity;
  std::optional<double> cvss;
  std::string why;  // "busybox 1.19.4 < 1.34.0 (versionEndExcluding)"
  MatchRule rule = MatchRule::kCpeRange;
  std::string ecosystem;             // of the deciding range, when it has one
  std::vector<std::string> aliases;  // the record's aliases (a Debian record's CVE)
  std::optional<KevEntry> kev;
  std::optional<EpssScore> epss;
};

// A vulnerability an upstream range would match that a more specific rule rules out: the
// distribution's record says the installed revision is fixed (a backport), or the kernel's stable
// branch has the fix.
struct NotAffected {
  std::string id;
  std::string rule;  // "backport by distribution revision", "stable-branch fix"
  std::string why;
};

// What Find() matches: the component's CPE vendor/product and name, its upstream version, and for
// a package of a distribution's database its ecosystem ("Debian:12", "Alpine:v3.19", "OpenWrt",
// the family alone when the release is unknown), package names (binary and source) and full
// package version, which the distribution's records are compared with in its own order.
struct FindQuery {
  std::string vendor, product, name, version;
  std::string ecosystem;
  std::vector<std::string> packages;
  std::string package_version;
};
// A record that names the component's package but gives only commit ranges (OSV GIT, the
// kernel's records without a version list): neither a match nor ruled out.
struct Undecided {
  std::string id;
  std::string why;
};
struct FindResult {
  std::vector<Match> matches;
  std::vector<NotAffected> not_affected;
  std::vector<Undecided> undecided;
};

// True when `version` lies in `r`. A range with no bound and no exact version is what NVD writes
// for "every version" (a `*` CPE without bounds).
// Compared in `scheme`'s order (a distribution's ranges in its own).
bool InRange(const AffectedRange& r, std::string_view version, std::string* why = nullptr,
             VersionScheme scheme = VersionScheme::kGeneric);

// Splits a CPE 2.3 formatted string at unescaped colons and unescapes "\x".
std::vector<std::string> SplitCpe(std::string_view cpe);

// Parses a feed file: NVD CVE JSON 2.0 (`vulnerabilities[].cve`), an OSV record, or an array or
// `{"vulns": [...]}` of OSV records. Every field is read with a check of its JSON type: a record
// with a malformed field (or without an id) is skipped and reported in `problems`, one line per
// field: `INPUT: record CVE-2021-42374 (its id, else #index):
// configurations[0].nodes[1].cpeMatch[2] .vulnerable: expected boolean, got string`; the other
// records are returned. An error only when the text is not JSON or not a feed.
Result<std::vector<Vulnerability>> ParseFeed(std::string_view json, std::string_view input,
                                             std::string* format,
                                             std::vector<std::string>* problems = nullptr);

// What the database knows of one source of `vulndb update` ("nvd", "osv:Debian"). Times are Unix
// seconds, 0 for never.
struct SourceRecord {
  std::string name, url;
  std::int64_t last_attempt = 0, last_success = 0;
  std::string last_result;          // "imported 12 records", "not modified (304)", "error: ..."
  std::string etag, last_modified;  // of the last 200, sent back as a conditional request
  std::string cursor;               // NVD: every change up to this lastModified time is imported
  std::int64_t records = 0;         // imported by the last successful update
  std::string resume;               // NVD: where an interrupted update goes on (JSON); "" when none
};

class VulnDb {
 public:
  static Result<VulnDb> Open(const std::filesystem::path& path, bool create);
  VulnDb(VulnDb&& o) noexcept : db_(o.db_), path_(std::move(o.path_)) { o.db_ = nullptr; }
  VulnDb& operator=(VulnDb&&) = delete;
  ~VulnDb();

  // Replaces earlier records of the same ids.
  Status Store(const std::vector<Vulnerability>& vulns);
  // Store() and the source's record in one transaction (one NVD page, one OSV export): either
  // both are in the database or neither. With no records the digest is left as it was.
  Status Apply(const std::vector<Vulnerability>& vulns, const SourceRecord& source);
  // The record of `name`; a default one (never updated) when there is none.
  SourceRecord Source(const std::string& name) const;
  std::vector<SourceRecord> Sources() const;
  // When the database content was last imported or confirmed current by an update (Unix time),
  // 0 when unknown (a database from before this was kept).
  std::int64_t UpdatedAt() const;
  Result<ImportStats> ImportFile(const std::filesystem::path& feed);
  std::size_t Count() const;
  // What the database holds, as a digest that changes with every import that changes content
  // (part of the rules hash that decides what a batch may skip).
  std::string Digest() const;

  // Vulnerabilities affecting the component (docs/vulndb.md, "Which rule decides"):
  //  1. a package of a distribution's database whose distribution has a record of the
  //     vulnerability (the record's id or an alias) is decided by that record's ranges alone,
  //     compared in the distribution's version order on the full package version; an upstream
  //     range that says otherwise is overruled and listed in not_affected (a backport);
  //  2. the kernel: a fix on the version's own stable branch (same major.minor) at or below the
  //     version rules the vulnerability out, whatever the ranges of other branches say;
  //  3. else NVD CPE ranges and OSV package ranges (ECOSYSTEM, SEMVER, the `versions` list) on
  //     the upstream version; a record with only GIT commit ranges for the package is undecided.
  // Distribution ranges never match a component that is not a package of that distribution.
  // Each match carries its KEV entry and EPSS score when the database has them.
  Result<FindResult> Find(const FindQuery& q) const;

  // KEV and EPSS (`vulndb update --only kev,epss`): each update replaces the whole list, in one
  // transaction with the source's record.
  Status ReplaceKev(const std::vector<KevEntry>& entries, const SourceRecord& source);
  Status ReplaceEpss(const std::vector<EpssScore>& scores, const SourceRecord& source);
  std::optional<KevEntry> Kev(const std::string& cve) const;
  std::optional<EpssScore> Epss(const std::string& cve) const;
  std::size_t KevCount() const;
  std::size_t EpssCount() const;

 private:
  VulnDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  std::vector<std::string> AliasesOf(const std::string& id) const;
  bool HasColumn(const char* table, const char* column) const;
  std::size_t CountOf(const char* table) const;
  // Store()'s work inside the caller's transaction; `chain_digest` false leaves the digest.
  Status StoreRecords(const std::vector<Vulnerability>& vulns, bool chain_digest);
  Status PutSource(const SourceRecord& s);
  // ReplaceKev/ReplaceEpss: the digest, the source's record and the commit (or the rollback).
  Status FinishList(Status st, const std::string& material, const SourceRecord& source);
  sqlite3* db_ = nullptr;
  std::string path_;
};

// Digest() of the database at `path`, "none" when there is none.
std::string VulnDbDigest(const std::filesystem::path& path);

// $XDG_DATA_HOME/iotcop/vulndb.sqlite, else ~/.local/share/iotcop/vulndb.sqlite.
std::filesystem::path DefaultVulnDbPath();

}  // namespace iotcop::vuln
