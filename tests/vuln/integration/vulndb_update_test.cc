// `iotcop vulndb update` against recorded feeds served by tests/tools/vulnfeed_server.py on
// 127.0.0.1 inside the test's own network namespace (nothing leaves the machine): an OSV all.zip
// made here (with a malformed record), NVD API 2.0 pages with totalResults/startIndex pagination,
// the CISA KEV catalog and a gzipped EPSS CSV (each with a malformed record).
// The server writes every request it answered to requests.log: the tests read there what was
// asked (conditional headers, lastModStartDate, startIndex, the API key, request times).
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <map>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/netns.h"
#include "support/test_support.h"
#include "vuln/fetch.h"
#include "vuln/vulndb.h"

namespace iotcop {
namespace {
using nlohmann::json;
using test::Q;
namespace fs = std::filesystem;

constexpr std::uint16_t kVulnUpdatePort = 8018;

// An NVD `cve` object: busybox versions before `fixed` affected.
json VulnUpdateCve(const std::string& id, const std::string& last_modified,
                   const std::string& fixed) {
  json cve = json::parse(R"({"descriptions": [{"lang": "en", "value": "in busybox"}],
      "configurations": [{"nodes": [{"operator": "OR", "cpeMatch": [{"vulnerable": true,
        "criteria": "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*"}]}]}]})");
  cve["id"] = id;
  cve["lastModified"] = last_modified;
  cve["configurations"][0]["nodes"][0]["cpeMatch"][0]["versionEndExcluding"] = fixed;
  return cve;
}

// "2026-12-07T15:00:00.000" for a Unix time (NVD's lastModified form, UTC).
std::string VulnUpdateTime(std::int64_t t) { return vuln::NvdTime(t).substr(0, 23); }

class VulnDbUpdate : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = test::EnterPrivateNetwork(); !why.empty()) GTEST_SKIP() << why;
    if (!test::HaveTool("python3") || !test::HaveTool("zip")) GTEST_SKIP() << "python3, zip";
    fs::create_directories(feeds_ / "osv/Debian");
    test::WriteFile(feeds_ / "nvd.json", "[]");
    const fs::path server = fs::path(IOTCOP_SOURCE_DIR) / "tests/tools/vulnfeed_server.py";
    if (auto e = server_.Start({"python3", server.string(), "127.0.0.1",
                                std::to_string(kVulnUpdatePort), feeds_.string()},
                               (dir_ / "server.log").string());
        !e.empty())
      GTEST_SKIP() << e;
    ASSERT_TRUE(test::WaitForTcp("127.0.0.1", kVulnUpdatePort)) << server_.Log();
  }

  // An OSV all.zip of the given members (name -> JSON text), made with zip(1).
  void MakeOsvExport(const std::map<std::string, std::string>& members) {
    const fs::path src = dir_ / "osv-src";
    fs::remove_all(src);
    fs::create_directories(src);
    for (const auto& [name, text] : members) test::WriteFile(src / name, text);
    fs::remove(feeds_ / "osv/Debian/all.zip");
    auto r = test::RunShell("cd " + Q(src) + " && zip -q " + Q(feeds_ / "osv/Debian/all.zip") +
                            " *.json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // `iotcop vulndb update` on the test's database and server, without the user's NVD_API_KEY
  // unless `env` sets one.
  test::CommandResult Update(const std::string& args, const std::string& env = "") {
    return test::RunShell(
        "env -u CI -u NVD_API_KEY NO_COLOR=1 " + env + " " + Q(IOTCOP_BINARY) +
        " vulndb update --db " + Q(db_) + " --source osv=" + Q(Base() + "/osv") +
        " --source nvd=" + Q(Base() + "/nvd") +
        " --source kev=" + Q(Base() + "/kev/known_exploited_vulnerabilities.json") +
        " --source epss=" + Q(Base() + "/epss/epss_scores-current.csv.gz") + " " + args);
  }

  // The requests the server answered since the last call, oldest first.
  std::vector<json> Requests() {
    std::vector<json> out;
    const fs::path log = feeds_ / "requests.log";
    if (!fs::exists(log)) return out;
    std::istringstream in(test::ReadFile(log));
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) out.push_back(json::parse(line));
    fs::remove(log);
    return out;
  }

  static std::string Base() { return "http://127.0.0.1:" + std::to_string(kVulnUpdatePort); }

  test::TempDir dir_;
  fs::path feeds_ = dir_ / "feeds";
  fs::path db_ = dir_ / "vulndb.sqlite";
  test::Daemon server_;
};

TEST_F(VulnDbUpdate, OsvExportImportsReportsBadRecordsThenAsksConditionally) {
  MakeOsvExport({{"DSA-1-1.json",
                  R"({"id": "DSA-1-1", "summary": "busybox in Debian", "affected": [{"package":
            {"ecosystem": "Debian:12", "name": "busybox"}, "ranges": [{"type": "ECOSYSTEM",
            "events": [{"introduced": "0"}, {"fixed": "1.35.0"}]}]}]})"},
                 {"DSA-2-1.json",
                  R"({"id": "DSA-2-1", "summary": "dnsmasq in Debian", "affected": [{"package":
            {"ecosystem": "Debian:12", "name": "dnsmasq"}, "versions": ["2.89-1"]}]})"},
                 {"DSA-3-1.json", R"({"id": "DSA-3-1", "affected": "busybox"})"}});
  const auto first = Update("--only osv:Debian");
  EXPECT_EQ(first.exit_code, 3) << first.out << first.err;
  EXPECT_NE(first.err.find(Base() + "/osv/Debian/all.zip#DSA-3-1.json: record DSA-3-1: affected: "
                                    "expected array, got string"),
            std::string::npos)
      << first.err;
  EXPECT_NE(first.out.find("osv:Debian: imported 2 records"), std::string::npos) << first.out;
  auto reqs = Requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0]["status"], 200);
  EXPECT_TRUE(reqs[0]["if_none_match"].is_null());
  {
    auto db = vuln::VulnDb::Open(db_, false);
    ASSERT_TRUE(db) << db.error().Describe();
    EXPECT_EQ(db->Count(), 2u);
    // A Debian record speaks of Debian's package, in dpkg's order of its full version.
    auto m = db->Find({"", "", "busybox", "1.30.1", "Debian:12", {"busybox"}, "1.30.1-6+b3"});
    ASSERT_TRUE(m);
    ASSERT_EQ(m->matches.size(), 1u);
    EXPECT_EQ(m->matches.front().id, "DSA-1-1");
    EXPECT_EQ(m->matches.front().rule, vuln::MatchRule::kEcosystemRange);
    const auto src = db->Source("osv:Debian");
    EXPECT_EQ(src.url, Base() + "/osv/Debian/all.zip");
    EXPECT_FALSE(src.etag.empty());
    EXPECT_EQ(src.records, 2);
  }
  fs::remove(dir_ / "vulndb.sqlite.download");  // nothing may be left behind
  const auto second = Update("--only osv:Debian");
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("osv:Debian: not modified (304)"), std::string::npos) << second.out;
  reqs = Requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0]["status"], 304);
  EXPECT_FALSE(reqs[0]["if_none_match"].is_null());
  EXPECT_FALSE(reqs[0]["if_modified_since"].is_null());
  const auto info = test::RunIotcop("vulndb info --db " + Q(db_));
  EXPECT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("osv:Debian: last success 0 min ago"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("not modified (304)"), std::string::npos) << info.out;
}

TEST_F(VulnDbUpdate, OsvDownloadCutMidwayKeepsTheDatabaseAndARerunImports) {
  MakeOsvExport({{"DSA-1-1.json",
                  R"({"id": "DSA-1-1", "affected": [{"package": {"name": "busybox"},
                      "versions": ["1.30.1"]}]})"}});
  test::WriteFile(feeds_ / "faults.json", R"({"osv_drop": true})");
  const auto cut = Update("--only osv:Debian");
  EXPECT_EQ(cut.exit_code, 3) << cut.out << cut.err;
  EXPECT_NE(cut.err.find("osv:Debian: " + Base() + "/osv/Debian/all.zip"), std::string::npos)
      << cut.err;
  EXPECT_FALSE(fs::exists(dir_ / "vulndb.sqlite.download/osv-Debian-all.zip.part"));
  EXPECT_FALSE(fs::exists(dir_ / "vulndb.sqlite.download/osv-Debian-all.zip"));
  {
    auto db = vuln::VulnDb::Open(db_, false);
    ASSERT_TRUE(db);
    EXPECT_EQ(db->Count(), 0u);
    const auto src = db->Source("osv:Debian");
    EXPECT_EQ(src.last_success, 0);
    EXPECT_TRUE(src.last_result.starts_with("error: ")) << src.last_result;
    EXPECT_TRUE(src.etag.empty()) << "a cut download is no version to ask conditionally about";
  }
  fs::remove(feeds_ / "faults.json");
  Requests();
  const auto rerun = Update("--only osv:Debian");
  EXPECT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
  auto reqs = Requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_TRUE(reqs[0]["if_none_match"].is_null());
  auto db = vuln::VulnDb::Open(db_, false);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->Count(), 1u);
}

TEST_F(VulnDbUpdate, NvdPaginatesSpacesRequestsThenAsksOnlyForChanges) {
  const std::int64_t now = std::time(nullptr);
  json cves = json::array();
  for (int i = 1; i <= 5; ++i) {
    cves.push_back(VulnUpdateCve(fmt::format("CVE-2020-{:04}", i), VulnUpdateTime(now - 86400 * i),
                                 fmt::format("1.{}.0", 30 + i)));
  }
  // A record whose `vulnerable` is a string: reported with its page's URL, the others imported.
  cves[3]["configurations"][0]["nodes"][0]["cpeMatch"][0]["vulnerable"] = "true";
  test::WriteFile(feeds_ / "nvd.json", cves.dump());
  const auto first = Update("--only nvd --nvd-delay 0.4", "NVD_API_KEY=test-key");
  EXPECT_EQ(first.exit_code, 3) << first.out << first.err;
  EXPECT_NE(first.err.find("startIndex=2"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find(": record CVE-2020-0004: configurations[0].nodes[0].cpeMatch[0]"
                           ".vulnerable: expected boolean, got string"),
            std::string::npos)
      << first.err;
  auto reqs = Requests();
  ASSERT_EQ(reqs.size(), 3u) << "5 results in pages of 2";
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    EXPECT_EQ(reqs[i]["query"]["startIndex"], std::to_string(2 * i));
    EXPECT_FALSE(reqs[i]["query"].contains("lastModStartDate")) << "the first update reads all";
    EXPECT_EQ(reqs[i]["api_key"], "test-key");
    if (i > 0) {
      EXPECT_GE(reqs[i]["time"].get<double>() - reqs[i - 1]["time"].get<double>(), 0.35)
          << "--nvd-delay 0.4 between two requests";
    }
  }
  std::string cursor;
  {
    auto db = vuln::VulnDb::Open(db_, false);
    ASSERT_TRUE(db);
    EXPECT_EQ(db->Count(), 4u);
    cursor = db->Source("nvd").cursor;
    EXPECT_TRUE(db->Source("nvd").resume.empty());
  }
  ASSERT_FALSE(cursor.empty());
  // A CVE changed after the first update: the second asks from the cursor on, and gets it only.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  cves.push_back(VulnUpdateCve("CVE-2020-0009", VulnUpdateTime(std::time(nullptr)), "1.99.0"));
  cves[3]["configurations"][0]["nodes"][0]["cpeMatch"][0]["vulnerable"] = true;
  test::WriteFile(feeds_ / "nvd.json", cves.dump());
  const auto second = Update("--only nvd --nvd-delay 0");
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("nvd: imported 1 records"), std::string::npos) << second.out;
  reqs = Requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0]["query"]["lastModStartDate"], cursor);
  EXPECT_TRUE(reqs[0]["api_key"].is_null());
  auto db = vuln::VulnDb::Open(db_, false);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->Count(), 5u);
  auto m = db->Find({"busybox", "busybox", "busybox", "1.98.0"});
  ASSERT_TRUE(m);
  ASSERT_EQ(m->matches.size(), 1u);
  EXPECT_EQ(m->matches.front().id, "CVE-2020-0009");
}

TEST_F(VulnDbUpdate, NvdInterruptedOnPageTwoKeepsPageOneAndResumesThere) {
  const std::int64_t now = std::time(nullptr);
  json cves = json::array();
  for (int i = 1; i <= 5; ++i)
    cves.push_back(
        VulnUpdateCve(fmt::format("CVE-2021-{:04}", i), VulnUpdateTime(now - 3600 * i), "1.36.0"));
  test::WriteFile(feeds_ / "nvd.json", cves.dump());
  test::WriteFile(feeds_ / "faults.json", R"({"nvd_500_at": 2})");
  const auto cut = Update("--only nvd --nvd-delay 0");
  EXPECT_EQ(cut.exit_code, 3) << cut.out << cut.err;
  EXPECT_NE(cut.err.find("nvd: HTTP 500 from " + Base() + "/nvd?resultsPerPage=2000&startIndex=2"),
            std::string::npos)
      << cut.err;
  {
    auto db = vuln::VulnDb::Open(db_, false);
    ASSERT_TRUE(db);
    EXPECT_EQ(db->Count(), 2u) << "page one is committed";
    EXPECT_FALSE(db->Source("nvd").resume.empty());
    EXPECT_TRUE(db->Source("nvd").cursor.empty()) << "not done: the cursor stays";
    EXPECT_EQ(db->UpdatedAt(), 0) << "a run cut short does not make the database current";
  }
  fs::remove(feeds_ / "faults.json");
  Requests();
  // The server is busy once (429): the update waits --retry-delay and asks again.
  test::WriteFile(feeds_ / "faults.json", R"({"nvd_busy": 1})");
  const auto rerun = Update("--only nvd --nvd-delay 0 --retry-delay 0.5");
  EXPECT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
  const auto reqs = Requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0]["status"], 429);
  EXPECT_EQ(reqs[0]["query"]["startIndex"], "2") << "on from the last committed page";
  EXPECT_EQ(reqs[1]["status"], 200);
  EXPECT_EQ(reqs[1]["query"]["startIndex"], "2");
  EXPECT_GE(reqs[1]["time"].get<double>() - reqs[0]["time"].get<double>(), 0.45);
  EXPECT_EQ(reqs[2]["query"]["startIndex"], "4");
  auto db = vuln::VulnDb::Open(db_, false);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->Count(), 5u);
  EXPECT_TRUE(db->Source("nvd").resume.empty());
  EXPECT_FALSE(db->Source("nvd").cursor.empty());
}

// A cursor 250 days old: the changes are asked for in windows of at most 120 days (the server
// refuses a longer one), each starting where the previous ended, the last ending now.
TEST_F(VulnDbUpdate, NvdSplitsALongAbsenceIntoWindowsOf120Days) {
  const std::int64_t now = std::time(nullptr);
  json cves = json::array();
  for (int i = 1; i <= 3; ++i) {
    cves.push_back(VulnUpdateCve(fmt::format("CVE-2022-{:04}", i),
                                 VulnUpdateTime(now - 86400 * (80 * i - 40)), "1.36.0"));
  }
  test::WriteFile(feeds_ / "nvd.json", cves.dump());
  {
    auto db = vuln::VulnDb::Open(db_, true);
    ASSERT_TRUE(db);
    vuln::SourceRecord nvd;
    nvd.name = "nvd";
    nvd.url = Base() + "/nvd";
    nvd.cursor = vuln::NvdTime(now - 250 * 86400);
    ASSERT_TRUE(db->Apply({}, nvd).ok());
  }
  const auto r = Update("--only nvd --nvd-delay 0");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto reqs = Requests();
  ASSERT_EQ(reqs.size(), 3u);
  std::string previous_end = vuln::NvdTime(now - 250 * 86400);
  for (const auto& q : reqs) {
    EXPECT_EQ(q["status"], 200);
    const std::string start = q["query"]["lastModStartDate"], end = q["query"]["lastModEndDate"];
    EXPECT_EQ(start, previous_end);
    EXPECT_LE(vuln::ParseUtcTime(end) - vuln::ParseUtcTime(start), 120 * 86400);
    previous_end = end;
  }
  auto db = vuln::VulnDb::Open(db_, false);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->Count(), 3u);
  EXPECT_EQ(db->Source("nvd").cursor, previous_end);
}

TEST_F(VulnDbUpdate, UnknownSourceIsAUsageError) {
  const auto r = Update("--only osv:Debian,ghsa");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("unknown source 'ghsa'"), std::string::npos) << r.err;
  EXPECT_TRUE(Requests().empty());
}

// The priority lists: KEV (JSON) and EPSS (CSV, gzip), each with one malformed record that is
// named with the URL, the record and the field while the valid ones are stored; then asked
// again conditionally (304), `vulndb info` shows them, and a match carries them.
TEST_F(VulnDbUpdate, KevAndEpssAreStoredNamedWhenMalformedAndAskedConditionally) {
  fs::create_directories(feeds_ / "kev");
  fs::create_directories(feeds_ / "epss");
  test::WriteFile(feeds_ / "kev/known_exploited_vulnerabilities.json", R"({
    "title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2026.12.01",
    "count": 3, "vulnerabilities": [
      {"cveID": "CVE-2020-0001", "vendorProject": "BusyBox", "product": "BusyBox",
       "vulnerabilityName": "BusyBox issue", "dateAdded": "2026-11-02",
       "shortDescription": "d", "requiredAction": "a", "dueDate": "2026-11-23",
       "knownRansomwareCampaignUse": "Known", "notes": "", "cwes": ["CWE-787"]},
      {"cveID": "CVE-2020-0002", "vendorProject": "BusyBox", "dateAdded": 20261102},
      {"cveID": "CVE-2020-0003", "vendorProject": "X", "product": "Y",
       "vulnerabilityName": "n", "dateAdded": "2026-01-01", "dueDate": "2026-01-22",
       "knownRansomwareCampaignUse": "Unknown", "cwes": []}]})");
  test::WriteFile(dir_ / "epss.csv",
                  "#model_version:v2025.03.14,score_date:2026-12-06T12:55:00Z\n"
                  "cve,epss,percentile\nCVE-2020-0001,0.94312,0.99951\n"
                  "CVE-2020-0002,high,0.5\nCVE-2020-0003,0.00043,0.1203\n");
  auto gz = test::RunShell("gzip -c " + Q(dir_ / "epss.csv") + " > " +
                           Q(feeds_ / "epss/epss_scores-current.csv.gz"));
  ASSERT_EQ(gz.exit_code, 0) << gz.err;
  // dnsmasq's CVE-2020-0004 is Critical (CVSS 9.8), busybox's CVE-2020-0001 unscored (Medium)
  // but known exploited.
  json dnsmasq = VulnUpdateCve("CVE-2020-0004", "2026-12-01T00:00:00.000", "2.90");
  dnsmasq["configurations"][0]["nodes"][0]["cpeMatch"][0]["criteria"] =
      "cpe:2.3:a:thekelleys:dnsmasq:*:*:*:*:*:*:*:*";
  dnsmasq["metrics"]["cvssMetricV31"] = json::parse(R"([{"cvssData": {"baseScore": 9.8}}])");
  test::WriteFile(
      feeds_ / "nvd.json",
      json::array({VulnUpdateCve("CVE-2020-0001", "2026-12-01T00:00:00.000", "1.36.0"), dnsmasq})
          .dump());
  const auto first = Update("--only nvd,kev,epss --nvd-delay 0");
  EXPECT_EQ(first.exit_code, 3) << first.out << first.err;
  EXPECT_NE(first.err.find(Base() + "/kev/known_exploited_vulnerabilities.json: record "
                                    "CVE-2020-0002: dateAdded: expected string, got number"),
            std::string::npos)
      << first.err;
  EXPECT_NE(first.err.find(Base() + "/epss/epss_scores-current.csv.gz: line 4: record "
                                    "CVE-2020-0002: epss: expected a number in [0, 1], got "
                                    "\"high\""),
            std::string::npos)
      << first.err;
  EXPECT_NE(first.out.find("kev: imported 2 known exploited CVEs, 1 malformed fields"),
            std::string::npos)
      << first.out;
  EXPECT_NE(first.out.find("epss: imported 2 EPSS scores of 2026-12-06T12:55:00Z, 1 "
                           "malformed fields"),
            std::string::npos)
      << first.out;
  {
    auto db = vuln::VulnDb::Open(db_, false);
    ASSERT_TRUE(db);
    EXPECT_EQ(db->KevCount(), 2u);
    EXPECT_EQ(db->EpssCount(), 2u);
    EXPECT_FALSE(db->Kev("CVE-2020-0002").has_value());
    auto m = db->Find({"busybox", "busybox", "busybox", "1.35.0"});
    ASSERT_TRUE(m);
    ASSERT_EQ(m->matches.size(), 1u);
    ASSERT_TRUE(m->matches[0].kev.has_value());
    EXPECT_EQ(m->matches[0].kev->ransomware, "Known");
    ASSERT_TRUE(m->matches[0].epss.has_value());
    EXPECT_DOUBLE_EQ(m->matches[0].epss->score, 0.94312);
    EXPECT_EQ(m->matches[0].epss->date, "2026-12-06T12:55:00Z");
  }
  // An assessment of an image with both: the known exploited one is raised to High and its
  // finding comes first in the JSON report, before the Critical one.
  const fs::path root = dir_ / "rootfs";
  fs::create_directories(root / "bin");
  fs::create_directories(root / "etc");
  test::WriteFile(root / "var/lib/dpkg/status",
                  "Package: dnsmasq\nStatus: install ok installed\nVersion: 2.80-1\n\n"
                  "Package: busybox\nStatus: install ok installed\nVersion: 1:1.35.0-1\n");
  const auto assess = test::RunIotcop("assess -f " + Q(root) + " --vulndb " + Q(db_) + " -o " +
                                      Q(dir_ / "out") + " --format json");
  ASSERT_NE(assess.exit_code, 2) << assess.err;
  const json report = json::parse(test::ReadFile(dir_ / "out/report.json"));
  std::vector<std::pair<std::string, std::string>> vulnerable;  // title, severity
  for (const auto& f : report["findings"])
    if (f["title"].get<std::string>().find("known vulnerab") != std::string::npos)
      vulnerable.emplace_back(f["title"], f["severity"]);
  ASSERT_EQ(vulnerable.size(), 2u) << report["findings"].dump();
  EXPECT_EQ(vulnerable[0].first,
            "busybox 1.35.0 has 1 known vulnerability, 1 known exploited (CISA KEV)");
  EXPECT_EQ(vulnerable[0].second, "high");
  EXPECT_EQ(vulnerable[1].first, "dnsmasq 2.80 has 1 known vulnerability");
  EXPECT_EQ(vulnerable[1].second, "critical");
  Requests();
  const auto second = Update("--only kev,epss");
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("kev: not modified (304)"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("epss: not modified (304)"), std::string::npos) << second.out;
  const auto reqs = Requests();
  ASSERT_EQ(reqs.size(), 2u);
  for (const auto& r : reqs) {
    EXPECT_EQ(r["status"], 304);
    EXPECT_FALSE(r["if_none_match"].is_null());
  }
  const auto info = test::RunIotcop("vulndb info --db " + Q(db_));
  EXPECT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("priorities: 2 known exploited CVEs (CISA KEV), 2 EPSS scores"),
            std::string::npos)
      << info.out;
  EXPECT_NE(info.out.find("kev: last success"), std::string::npos) << info.out;
  // A file that is not the format: the source fails, named with its URL; the lists stay.
  test::WriteFile(feeds_ / "kev/known_exploited_vulnerabilities.json", R"({"vulnerabilities": 3})");
  const auto bad = Update("--only kev");
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("vulnerabilities: expected array, got number"), std::string::npos)
      << bad.err;
  auto db = vuln::VulnDb::Open(db_, false);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->KevCount(), 2u);
}

}  // namespace
}  // namespace iotcop
