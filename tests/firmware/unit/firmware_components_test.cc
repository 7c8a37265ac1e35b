// Components, versions, vulnerability feeds and the CycloneDX SBOM: version ordering, package
// databases and version strings in fixture trees, NVD and OSV feeds matched both ways, and the
// SBOM validated by the official CycloneDX JSON validator.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include <ctime>
#include <map>
#include <set>
#include <sstream>

#include "core/fact_kinds.h"
#include "report/renderer.h"
#include "support/firmware_support.h"
#include "support/test_support.h"
#include "vuln/version.h"
#include "vuln/vulndb.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;
using vuln::CompareVersions;

TEST(VersionCompare, OrdersFirmwareVersionStyles) {
  EXPECT_EQ(CompareVersions("1.19.4", "1.19.4"), 0);
  EXPECT_LT(CompareVersions("1.19.4", "1.34.0"), 0);
  EXPECT_LT(CompareVersions("1.9", "1.10"), 0) << "numeric, not lexical";
  EXPECT_EQ(CompareVersions("1.0", "1.0.0"), 0);
  EXPECT_GT(CompareVersions("1.0.1", "1.0"), 0);
  // OpenSSL letter releases come after the plain release and in letter order.
  EXPECT_GT(CompareVersions("1.0.2k", "1.0.2"), 0);
  EXPECT_LT(CompareVersions("1.0.2k", "1.0.2l"), 0);
  EXPECT_LT(CompareVersions("0.9.8o", "0.9.8za"), 0);
  EXPECT_LT(CompareVersions("0.9.8z", "1.0.0"), 0);
  EXPECT_LT(CompareVersions("1.0.1u", "1.0.2"), 0);
  // OpenSSH portable and ntp patch levels.
  EXPECT_GT(CompareVersions("7.4p1", "7.4"), 0);
  EXPECT_LT(CompareVersions("7.4p1", "7.4p2"), 0);
  EXPECT_LT(CompareVersions("4.2.8p10", "4.2.8p15"), 0);
  // Dropbear's year.release.
  EXPECT_LT(CompareVersions("2011.54", "2019.78"), 0);
  EXPECT_LT(CompareVersions("2019.78", "2020.79"), 0);
  EXPECT_LT(CompareVersions("2012.55", "2012.100"), 0);
  // Pre-releases sort before the release, in their own order.
  EXPECT_LT(CompareVersions("1.0-rc1", "1.0"), 0);
  EXPECT_LT(CompareVersions("1.0rc1", "1.0.0"), 0);
  EXPECT_LT(CompareVersions("2.0beta3", "2.0"), 0);
  EXPECT_LT(CompareVersions("2.0alpha1", "2.0beta1"), 0);
  EXPECT_LT(CompareVersions("2.0b1", "2.0rc1"), 0);
  EXPECT_LT(CompareVersions("1.0~rc1", "1.0"), 0);
  EXPECT_LT(CompareVersions("1.0-rc1", "1.0-rc2"), 0);
  EXPECT_GT(CompareVersions("1.0.1", "1.0-rc9"), 0);
  EXPECT_LT(CompareVersions("3.0.0-alpha16", "3.0.0"), 0);
  // Leading v and zeros.
  EXPECT_EQ(CompareVersions("v2.1", "2.1"), 0);
  EXPECT_EQ(CompareVersions("2.01", "2.1"), 0);
  EXPECT_LT(CompareVersions("4.9.87", "4.14.0"), 0);
}

TEST(VersionCompare, UpstreamVersionStripsPackageRevisionAndEpoch) {
  EXPECT_EQ(vuln::UpstreamVersion("1.19.4-7"), "1.19.4");
  EXPECT_EQ(vuln::UpstreamVersion("2.66-4"), "2.66");
  EXPECT_EQ(vuln::UpstreamVersion("3.3.8-1-d6597ebf6203328d3519ea3c3371a493"), "3.3.8");
  EXPECT_EQ(vuln::UpstreamVersion("1:1.35.0-4+deb12u1"), "1.35.0");
  EXPECT_EQ(vuln::UpstreamVersion("1.0.2k-1"), "1.0.2k");
  EXPECT_EQ(vuln::UpstreamVersion("2011.54-2"), "2011.54");
  EXPECT_EQ(vuln::UpstreamVersion("1.2.3-rc1-2"), "1.2.3-rc1");
  EXPECT_EQ(vuln::UpstreamVersion("2.66"), "2.66");
}

TEST(VulnRange, BoundsAreInclusiveOrExclusiveAsWritten) {
  vuln::AffectedRange r;
  r.start_incl = "1.0.2";
  r.end_excl = "1.0.2k";
  EXPECT_TRUE(vuln::InRange(r, "1.0.2"));
  EXPECT_TRUE(vuln::InRange(r, "1.0.2j"));
  EXPECT_FALSE(vuln::InRange(r, "1.0.2k"));
  EXPECT_FALSE(vuln::InRange(r, "1.0.1u"));
  vuln::AffectedRange s;
  s.start_excl = "2016.72";
  s.end_incl = "2019.78";
  EXPECT_FALSE(vuln::InRange(s, "2016.72"));
  EXPECT_TRUE(vuln::InRange(s, "2019.78"));
  EXPECT_FALSE(vuln::InRange(s, "2020.79"));
  vuln::AffectedRange exact;
  exact.exact = "0.9.8o";
  EXPECT_TRUE(vuln::InRange(exact, "0.9.8o"));
  EXPECT_FALSE(vuln::InRange(exact, "0.9.8p"));
  EXPECT_FALSE(vuln::InRange(exact, ""));
}

constexpr const char* kOpkgStatus = R"(Package: busybox
Version: 1.19.4-7
Provides: 
Status: install user installed
Architecture: ar71xx

Package: dnsmasq
Version: 2.66-4
Status: install user installed

Package: kernel
Version: 3.3.8-1-d6597ebf6203328d3519ea3c3371a493
Status: install user installed

Package: libopenssl
Version: 1.0.1e-1
Status: install user installed

Package: removed-thing
Version: 1.0-1
Status: deinstall user not-installed

Package: luci-app-foo
Version: git-13.123.45678-abcdef
Status: install user installed
)";

constexpr const char* kDpkgStatus = R"(Package: openssh-server
Status: install ok installed
Version: 1:7.4p1-10+deb9u7
Description: secure shell
 continuation line

Package: zlib1g
Status: install ok installed
Version: 1:1.2.11.dfsg-2
)";

class ComponentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.path() / "root";
    test::WriteFile(root_ / "usr/lib/opkg/status", kOpkgStatus);
    test::WriteFile(root_ / "var/lib/dpkg/status", kDpkgStatus);
    fs::create_directories(root_ / "lib/modules/3.3.8");
    fs::create_directories(root_ / "etc");
    // A file a signature names, holding a version string among binary noise.
    test::WriteFile(root_ / "usr/sbin/lighttpd",
                    std::string("\x7f"
                                "ELF\x01\x02\x00junk",
                                11) +
                        std::string("server.tag\0lighttpd/1.4.35\0", 27) + std::string(100, '\0'));
    test::WriteFile(
        root_ / "usr/sbin/dropbear",
        std::string("\x00\x01", 2) + "SSH-2.0-dropbear_2011.54\r\n" + std::string(40, '\xff'));
  }
  test::TempDir tmp_;
  fs::path root_;
};

const Fact* Component(const FactStore& facts, const std::string& name) {
  auto v = test::FactsWhere(facts, facts::kComponent, "name", name);
  return v.empty() ? nullptr : v.front();
}

TEST_F(ComponentsTest, ReadsPackageDatabasesPathsAndVersionStrings) {
  auto facts = test::Collect(test::TreeOf(root_), {"components"});
  const Fact* bb = Component(facts, "busybox");
  ASSERT_TRUE(bb);
  EXPECT_EQ(bb->value["version"], "1.19.4");
  EXPECT_EQ(bb->value["source"], "opkg");
  EXPECT_EQ(bb->value["cpe"], "cpe:2.3:a:busybox:busybox:1.19.4:*:*:*:*:*:*:*");
  EXPECT_EQ(bb->value["purl"], "pkg:generic/busybox@1.19.4");
  EXPECT_EQ(bb->evidence.path, "/usr/lib/opkg/status");
  EXPECT_EQ(bb->evidence.line, 1u);
  ASSERT_TRUE(Component(facts, "dnsmasq"));
  EXPECT_EQ(Component(facts, "dnsmasq")->value["version"], "2.66");
  EXPECT_EQ(Component(facts, "dnsmasq")->evidence.line, 7u);
  const Fact* linux = Component(facts, "linux");
  ASSERT_TRUE(linux);
  EXPECT_EQ(linux->value["version"], "3.3.8");
  EXPECT_EQ(linux->value["cpe"], "cpe:2.3:o:linux:linux_kernel:3.3.8:*:*:*:*:*:*:*");
  EXPECT_EQ(Component(facts, "openssl")->value["version"], "1.0.1e");
  EXPECT_FALSE(Component(facts, "removed-thing")) << "not installed";
  ASSERT_TRUE(Component(facts, "luci-app-foo")) << "unknown packages are still components";
  EXPECT_EQ(Component(facts, "luci-app-foo")->value["cpe"], "");
  const Fact* ssh = Component(facts, "openssh");
  ASSERT_TRUE(ssh);
  EXPECT_EQ(ssh->value["version"], "7.4p1");
  EXPECT_EQ(ssh->value["purl"], "pkg:deb/openssh-server@1%3A7.4p1-10%2Bdeb9u7");
  const Fact* lighttpd = Component(facts, "lighttpd");
  ASSERT_TRUE(lighttpd);
  EXPECT_EQ(lighttpd->value["version"], "1.4.35");
  EXPECT_EQ(lighttpd->value["source"], "signature");
  EXPECT_EQ(lighttpd->evidence.offset, 22u);
  EXPECT_EQ(Component(facts, "dropbear")->value["version"], "2011.54");
  // The kernel seen twice (package and /lib/modules) is one component; it is also the OS.
  EXPECT_EQ(test::FactsWhere(facts, facts::kComponent, "name", "linux").size(), 1u);
  ASSERT_EQ(facts.OfKind(facts::kOperatingSystem).size(), 1u);
}

TEST(ComponentsHost, FindsTheVersionOfARealBusyBox) {
  if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "busybox not installed";
  auto banner = test::RunShell("/bin/busybox 2>&1 | head -1");
  const auto start = banner.out.find("BusyBox v");
  ASSERT_NE(start, std::string::npos);
  const std::string want =
      banner.out.substr(start + 9, banner.out.find(' ', start + 9) - start - 9);
  test::TempDir tmp;
  fs::create_directories(tmp.path() / "bin");
  fs::copy_file("/bin/busybox", tmp.path() / "bin/busybox");
  auto facts = test::Collect(test::TreeOf(tmp.path()), {"components"});
  const Fact* bb = Component(facts, "busybox");
  ASSERT_TRUE(bb);
  EXPECT_EQ(bb->value["version"], want);
  EXPECT_TRUE(bb->evidence.offset.has_value());
}

constexpr const char* kNvdFeed = R"({
  "resultsPerPage": 2, "format": "NVD_CVE", "version": "2.0",
  "vulnerabilities": [
    {"cve": {"id": "CVE-2021-42374",
      "descriptions": [{"lang": "en", "value": "An out-of-bounds heap read in Busybox's unlzma applet"}],
      "metrics": {"cvssMetricV31": [{"cvssData": {"version": "3.1", "baseScore": 5.3,
         "baseSeverity": "MEDIUM", "vectorString": "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:L/I:N/A:H"}}]},
      "configurations": [{"nodes": [{"operator": "OR", "negate": false, "cpeMatch": [
        {"vulnerable": true, "criteria": "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*",
         "versionEndExcluding": "1.34.0", "matchCriteriaId": "x"}]}]}]}},
    {"cve": {"id": "CVE-2017-1000487",
      "descriptions": [{"lang": "en", "value": "dnsmasq exact-version example"}],
      "metrics": {"cvssMetricV2": [{"cvssData": {"version": "2.0", "baseScore": 9.8}}]},
      "configurations": [{"nodes": [{"operator": "OR", "cpeMatch": [
        {"vulnerable": true, "criteria": "cpe:2.3:a:thekelleys:dnsmasq:2.66:*:*:*:*:*:*:*"},
        {"vulnerable": false, "criteria": "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*"}]}]}]}}
  ]})";

constexpr const char* kOsvFeed = R"([
  {"id": "OSV-2020-0001", "summary": "dropbear issue",
   "database_specific": {"severity": "HIGH"},
   "affected": [{"package": {"ecosystem": "OSS-Fuzz", "name": "dropbear"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2011.50"}, {"fixed": "2016.74"}]}]}]},
  {"id": "OSV-2020-0003", "summary": "openssh score from its vector only",
   "severity": [{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"},
                {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
   "affected": [{"package": {"ecosystem": "Debian", "name": "openssh"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:9.0p1-1"}]}]}]},
  {"id": "OSV-2020-0002", "summary": "lighttpd listed versions",
   "affected": [{"package": {"ecosystem": "OpenWrt", "name": "lighttpd"},
     "versions": ["1.4.34", "1.4.36"],
     "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"last_affected": "1.4.20"}]}]}]}
])";

class VulnDbTest : public ComponentsTest {
 protected:
  fs::path Db() {
    const fs::path db = tmp_.path() / "vulndb.sqlite";
    test::WriteFile(tmp_.path() / "nvd.json", kNvdFeed);
    test::WriteFile(tmp_.path() / "osv.json", kOsvFeed);
    auto d = vuln::VulnDb::Open(db, true);
    EXPECT_TRUE(d.ok());
    auto a = d->ImportFile(tmp_.path() / "nvd.json");
    EXPECT_TRUE(a.ok()) << a.error().Describe();
    EXPECT_EQ(a->format, "nvd");
    EXPECT_EQ(a->vulnerabilities, 2u);
    EXPECT_EQ(a->ranges, 2u) << "the non-vulnerable platform CPE is not a range";
    auto b = d->ImportFile(tmp_.path() / "osv.json");
    EXPECT_TRUE(b.ok()) << b.error().Describe();
    EXPECT_EQ(b->format, "osv");
    EXPECT_EQ(b->ranges, 5u) << "dropbear, openssh and lighttpd ranges and two listed versions";
    // Importing again replaces, never duplicates.
    EXPECT_TRUE(d->ImportFile(tmp_.path() / "osv.json").ok());
    EXPECT_EQ(d->Count(), 5u);
    return db;
  }
};

TEST_F(VulnDbTest, MatchesNvdAndOsvRangesAndReportsOneFindingPerComponent) {
  CheckConfig cfg;
  cfg.vulndb = Db().string();
  auto facts = test::Collect(test::TreeOf(root_), {"components", "vulnerabilities"}, nullptr, &cfg);
  auto r = test::RunCheck("fw.components.known-vulnerabilities", facts, cfg);
  ASSERT_TRUE(r.ok) << r.error;
  std::map<std::string, const Finding*> by_title;
  for (const auto& f : r.findings) by_title[f.title] = &f;
  ASSERT_TRUE(by_title.count("busybox 1.19.4 has 1 known vulnerability"));
  const Finding* bb = by_title["busybox 1.19.4 has 1 known vulnerability"];
  EXPECT_EQ(bb->severity, Severity::kMedium) << "CVSS 5.3";
  EXPECT_NE(bb->message.find("CVE-2021-42374 (CVSS 5.3): 1.19.4 < 1.34.0"), std::string::npos)
      << bb->message;
  EXPECT_EQ(bb->provisions, std::vector<std::string>{"5.3-8"});
  EXPECT_EQ(bb->evidence.at(0).path, "/usr/lib/opkg/status");
  ASSERT_TRUE(by_title.count("dnsmasq 2.66 has 1 known vulnerability"));
  EXPECT_EQ(by_title["dnsmasq 2.66 has 1 known vulnerability"]->severity, Severity::kCritical);
  ASSERT_TRUE(by_title.count("dropbear 2011.54 has 1 known vulnerability"));
  EXPECT_EQ(by_title["dropbear 2011.54 has 1 known vulnerability"]->severity, Severity::kHigh);
  EXPECT_FALSE(by_title.count("lighttpd 1.4.35 has 1 known vulnerability"))
      << "1.4.35 is neither listed nor in the range";
  // OSV gives the vector only (v4 and v3): the v3 vector is scored, 9.8 is critical.
  const Finding* ssh = nullptr;
  for (const auto& f : r.findings)
    if (f.title.starts_with("openssh ")) ssh = &f;
  ASSERT_TRUE(ssh) << "openssh (package openssh-server) from the dpkg status";
  EXPECT_EQ(ssh->severity, Severity::kCritical);
  EXPECT_NE(ssh->message.find("OSV-2020-0003 (CVSS 9.8)"), std::string::npos) << ssh->message;
  EXPECT_EQ(r.findings.size(), 4u);
  // Every finding is backed by vulnerability facts naming the component they affect.
  const auto vulns = facts.OfKind(facts::kVulnerability);
  EXPECT_EQ(vulns.size(), 4u);
  for (const Fact* v : vulns) {
    EXPECT_EQ(facts.at(v->value["component_fact"].get<FactId>()).kind, facts::kComponent);
  }
  // Fingerprints are stable: the component name, not the version or position.
  auto again = test::RunCheck("fw.components.known-vulnerabilities", facts, cfg);
  EXPECT_EQ(again.findings[0].fingerprint, r.findings[0].fingerprint);
}

TEST_F(VulnDbTest, FixedVersionsAndAbsentDatabaseAreNotFlagged) {
  CheckConfig cfg;
  cfg.vulndb = Db().string();
  test::WriteFile(root_ / "usr/lib/opkg/status",
                  "Package: busybox\nVersion: 1.34.0-1\nStatus: install ok installed\n\n"
                  "Package: dnsmasq\nVersion: 2.67-1\nStatus: install ok installed\n");
  fs::remove(root_ / "var/lib/dpkg/status");
  fs::remove(root_ / "usr/sbin/dropbear");
  fs::remove(root_ / "usr/sbin/lighttpd");
  fs::remove_all(root_ / "lib/modules");
  auto facts = test::Collect(test::TreeOf(root_), {"components", "vulnerabilities"}, nullptr, &cfg);
  EXPECT_TRUE(facts.OfKind(facts::kVulnerability).empty());
  auto r = test::RunCheck("fw.components.known-vulnerabilities", facts, cfg);
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.outcomes.size(), 1u);
  EXPECT_EQ(r.outcomes[0].verdict, Verdict::kPass);
  cfg.vulndb = (tmp_.path() / "absent.sqlite").string();
  auto unmatched =
      test::Collect(test::TreeOf(root_), {"components", "vulnerabilities"}, nullptr, &cfg);
  auto none = test::RunCheck("fw.components.known-vulnerabilities", unmatched, cfg);
  EXPECT_TRUE(none.findings.empty());
  ASSERT_EQ(none.outcomes.size(), 1u);
  EXPECT_EQ(none.outcomes[0].verdict, Verdict::kInconclusive);
}

// A database last updated longer ago than --vulndb-max-age days is stale: the scan says so, the
// report has a warning, and no match is no longer a PASS of 5.3-8.
TEST_F(VulnDbTest, AStaleDatabaseMakesNoMatchInconclusiveAndSaysSo) {
  CheckConfig cfg;
  cfg.vulndb = Db().string();
  test::WriteFile(root_ / "usr/lib/opkg/status",
                  "Package: busybox\nVersion: 1.34.0-1\nStatus: install ok installed\n");
  fs::remove(root_ / "var/lib/dpkg/status");
  fs::remove(root_ / "usr/sbin/dropbear");
  fs::remove(root_ / "usr/sbin/lighttpd");
  fs::remove_all(root_ / "lib/modules");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(cfg.vulndb.c_str(), &db), SQLITE_OK);
    const std::string sql = "UPDATE meta SET value = '" +
                            std::to_string(std::time(nullptr) - 30 * 86400 - 60) +
                            "' WHERE key = 'updated_at'";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  std::vector<Problem> problems;
  auto facts =
      test::Collect(test::TreeOf(root_), {"components", "vulnerabilities"}, &problems, &cfg);
  const auto scans = facts.OfKind(facts::kVulnerabilityScan);
  ASSERT_EQ(scans.size(), 1u);
  EXPECT_EQ(scans[0]->value["stale"], true);
  EXPECT_EQ(scans[0]->value["age_days"], 30);
  EXPECT_EQ(scans[0]->value["max_age_days"], 7);
  bool warned = false;
  for (const auto& p : problems)
    warned =
        warned || p.message.find("last updated 30 days ago, more than 7 days") != std::string::npos;
  EXPECT_TRUE(warned);
  auto r = test::RunCheck("fw.components.known-vulnerabilities", facts, cfg);
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.outcomes.size(), 1u);
  EXPECT_EQ(r.outcomes[0].verdict, Verdict::kInconclusive);
  EXPECT_NE(r.outcomes[0].reason.find("was last updated 30 days ago (--vulndb-max-age 7"),
            std::string::npos)
      << r.outcomes[0].reason;
  // A longer threshold: the same database is current, and no match passes.
  cfg.vulndb_max_age_days = 60;
  auto current =
      test::Collect(test::TreeOf(root_), {"components", "vulnerabilities"}, nullptr, &cfg);
  EXPECT_EQ(current.OfKind(facts::kVulnerabilityScan)[0]->value["stale"], false);
  auto pass = test::RunCheck("fw.components.known-vulnerabilities", current, cfg);
  ASSERT_EQ(pass.outcomes.size(), 1u);
  EXPECT_EQ(pass.outcomes[0].verdict, Verdict::kPass);
}

TEST(VulnFeed, RejectsWhatIsNotAFeed) {
  EXPECT_FALSE(vuln::ParseFeed("{not json", "x", nullptr).ok());
  EXPECT_FALSE(vuln::ParseFeed(R"({"hello": 1})", "x", nullptr).ok());
  auto empty = vuln::ParseFeed(R"({"vulnerabilities": [{"cve": 3}, 4]})", "x", nullptr);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

// Runs the official validator; empty string when valid.
std::string ValidateCycloneDx(const fs::path& file, bool& skipped) {
  const fs::path tools = fs::path(IOTCOP_SOURCE_DIR) / "tests/tools";
  skipped =
      !fs::exists(tools / "node_modules/@cyclonedx/cyclonedx-library") || !test::HaveTool("node");
  if (skipped) return {};
  auto r = test::RunShell("node '" + (tools / "validate-cyclonedx.js").string() + "' '" +
                          file.string() + "' 1.5");
  return r.exit_code == 0 ? std::string() : r.out + r.err;
}

TEST_F(ComponentsTest, CycloneDxSbomIsValidAndListsEveryComponent) {
  Assessment a;
  a.tool_version = "0.0-test";
  a.product = "fixture camera";
  a.finished_at = "2026-11-22T01:00:00Z";
  a.inputs.push_back({InputKind::kFirmware, "fw.bin", std::string(64, 'a'), 10, "ok"});
  a.facts = test::Collect(test::TreeOf(root_), {"components"});
  const report::Renderer* r = report::FindRenderer("cyclonedx");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->doc().extension, "sbom.cdx.json");
  std::ostringstream out;
  auto cat = Catalogue::Load((fs::path(IOTCOP_SOURCE_DIR) / "catalogue").string());
  ASSERT_TRUE(r->Render(a, cat ? *cat : Catalogue{}, out).ok());
  auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["specVersion"], "1.5");
  EXPECT_EQ(j["components"].size(), a.facts.OfKind(facts::kComponent).size());
  bool kernel = false;
  for (const auto& c : j["components"]) {
    if (c["name"] == "linux") {
      kernel = true;
      EXPECT_EQ(c["type"], "operating-system");
      EXPECT_EQ(c["version"], "3.3.8");
    }
  }
  EXPECT_TRUE(kernel);
  std::ostringstream again;
  ASSERT_TRUE(r->Render(a, cat ? *cat : Catalogue{}, again).ok());
  EXPECT_EQ(out.str(), again.str()) << "same assessment, same bytes";
  test::WriteFile(tmp_.path() / "sbom.cdx.json", out.str());
  bool skipped = false;
  const std::string errors = ValidateCycloneDx(tmp_.path() / "sbom.cdx.json", skipped);
  if (skipped) GTEST_SKIP() << "CycloneDX validator not installed (scripts/install-test-tools.sh)";
  EXPECT_EQ(errors, "");
  // The validator is real: a broken document fails.
  j["components"][0]["type"] = "gadget";
  test::WriteFile(tmp_.path() / "bad.cdx.json", j.dump());
  EXPECT_NE(ValidateCycloneDx(tmp_.path() / "bad.cdx.json", skipped), "");
}

TEST_F(VulnDbTest, CycloneDxSbomListsTheVulnerabilitiesOfItsComponents) {
  CheckConfig cfg;
  cfg.vulndb = Db().string();
  Assessment a;
  a.tool_version = "0.0-test";
  a.product = "fixture camera";
  a.inputs.push_back({InputKind::kFirmware, "fixture", std::string(64, 'a'), 10, "ok"});
  a.facts = test::Collect(test::TreeOf(root_), {"components", "vulnerabilities"}, nullptr, &cfg);
  const report::Renderer* r = report::FindRenderer("cyclonedx");
  ASSERT_TRUE(r);
  std::ostringstream out;
  ASSERT_TRUE(r->Render(a, Catalogue{}, out).ok());
  auto j = nlohmann::json::parse(out.str());
  ASSERT_TRUE(j.contains("vulnerabilities")) << out.str();
  std::set<std::string> refs;
  for (const auto& c : j["components"]) refs.insert(c["bom-ref"].get<std::string>());
  std::map<std::string, nlohmann::json> by_id;
  for (const auto& v : j["vulnerabilities"]) by_id[v["id"].get<std::string>()] = v;
  ASSERT_EQ(by_id.size(), 4u) << j["vulnerabilities"].dump();
  const auto& bb = by_id["CVE-2021-42374"];
  EXPECT_EQ(bb["source"]["name"], "NVD");
  EXPECT_EQ(bb["ratings"][0]["score"], 5.3);
  EXPECT_EQ(bb["ratings"][0]["severity"], "medium");
  EXPECT_EQ(bb["ratings"][0]["method"], "CVSSv31");
  const auto& ssh = by_id["OSV-2020-0003"];
  EXPECT_EQ(ssh["ratings"][0]["score"], 9.8);
  EXPECT_EQ(ssh["ratings"][0]["severity"], "critical");
  EXPECT_EQ(by_id["OSV-2020-0001"]["ratings"][0]["severity"], "high") << "the feed's word";
  for (const auto& [id, v] : by_id) {
    ASSERT_FALSE(v["affects"].empty()) << id;
    for (const auto& aff : v["affects"])
      EXPECT_TRUE(refs.count(aff["ref"].get<std::string>())) << id;
  }
  test::WriteFile(tmp_.path() / "vulns.cdx.json", out.str());
  bool skipped = false;
  const std::string errors = ValidateCycloneDx(tmp_.path() / "vulns.cdx.json", skipped);
  if (skipped) GTEST_SKIP() << "CycloneDX validator not installed (scripts/install-test-tools.sh)";
  EXPECT_EQ(errors, "");
}

// The digest that goes into the rules hash: the same imports give the same digest in a fresh
// database, a change of content gives another, and no database is "none".
TEST_F(VulnDbTest, DigestFollowsContentNotTheFile) {
  test::WriteFile(tmp_.path() / "osv.json", kOsvFeed);
  test::WriteFile(tmp_.path() / "nvd.json", kNvdFeed);
  auto digest_after = [&](const char* name, std::vector<const char*> feeds) {
    auto d = vuln::VulnDb::Open(tmp_.path() / name, true);
    EXPECT_TRUE(d.ok());
    for (const char* f : feeds) EXPECT_TRUE(d->ImportFile(tmp_.path() / f).ok()) << f;
    return vuln::VulnDbDigest(tmp_.path() / name);
  };
  const std::string one = digest_after("a.sqlite", {"osv.json"});
  EXPECT_EQ(digest_after("b.sqlite", {"osv.json"}), one);
  EXPECT_NE(digest_after("c.sqlite", {"osv.json", "nvd.json"}), one);
  EXPECT_EQ(vuln::VulnDbDigest(tmp_.path() / "absent.sqlite"), "none");
}

TEST_F(VulnDbTest, CliImportsFeedsAndAssessWritesTheSbom) {
  test::WriteFile(tmp_.path() / "nvd.json", kNvdFeed);
  const auto db = tmp_.path() / "cli.sqlite";
  auto imp = test::RunIotcop("vulndb import '" + (tmp_.path() / "nvd.json").string() + "' --db '" +
                             db.string() + "'");
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_NE(imp.out.find("nvd feed, 2 vulnerabilities"), std::string::npos) << imp.out;
  auto bad = test::RunIotcop("vulndb import /nonexistent.json --db '" + db.string() + "'");
  EXPECT_EQ(bad.exit_code, 3);
  const auto out = tmp_.path() / "out";
  auto r = test::RunIotcop("assess -q --firmware '" + root_.string() + "' --vulndb '" +
                           db.string() + "' --format json,cyclonedx -o '" + out.string() + "'");
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  auto report = nlohmann::json::parse(test::ReadFile(out / "report.json"));
  bool found = false;
  for (const auto& f : report["findings"]) {
    if (f["check"] == "fw.components.known-vulnerabilities" &&
        f["title"] == "busybox 1.19.4 has 1 known vulnerability") {
      found = true;
    }
  }
  EXPECT_TRUE(found) << report["findings"].dump();
  auto sbom = nlohmann::json::parse(test::ReadFile(out / "sbom.cdx.json"));
  EXPECT_EQ(sbom["bomFormat"], "CycloneDX");
  EXPECT_GE(sbom["components"].size(), 8u);
}

}  // namespace
}  // namespace iotcop
