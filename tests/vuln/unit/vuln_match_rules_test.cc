// Which rule decides a match (VulnDb::Find): a distribution's own record of its package, in the
// distribution's version order, over the upstream CPE range (a Debian backport revision is not
// vulnerable to what it fixed; Alpine's -r revisions likewise); the kernel's own stable branch
// over the ranges of other branches; and the KEV entry and EPSS score a match carries.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.h"
#include "vuln/vulndb.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

json RulesNvdCve(const std::string& id, const std::string& cpe, const json& ranges) {
  json matches = json::array();
  for (const auto& r : ranges) {
    json m = {{"vulnerable", true}, {"criteria", cpe}};
    m.update(r);
    matches.push_back(m);
  }
  return {{"cve",
           {{"id", id},
            {"descriptions", {{{"lang", "en"}, {"value", id + " summary"}}}},
            {"metrics",
             {{"cvssMetricV31", {{{"cvssData", {{"baseScore", 7.5}, {"baseSeverity", "HIGH"}}}}}}}},
            {"configurations", {{{"nodes", {{{"cpeMatch", matches}}}}}}}}}};
}

json RulesOsv(const std::string& id, const std::string& cve, const std::string& ecosystem,
              const std::string& package, const std::string& fixed) {
  json events = {{{"introduced", "0"}}};
  if (!fixed.empty()) events.push_back({{"fixed", fixed}});
  return {{"id", id},
          {"upstream", {cve}},
          {"summary", id},
          {"affected",
           {{{"package", {{"ecosystem", ecosystem}, {"name", package}}},
             {"ranges", {{{"type", "ECOSYSTEM"}, {"events", events}}}}}}}};
}

class MatchRules : public ::testing::Test {
 protected:
  void SetUp() override {
    const json nvd = {
        {"vulnerabilities",
         {RulesNvdCve("CVE-2023-5678", "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*",
                      {{{"versionStartIncluding", "3.0.0"}, {"versionEndExcluding", "3.0.13"}}}),
          RulesNvdCve("CVE-2022-48174", "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*",
                      {{{"versionEndExcluding", "1.37.0"}}}),
          // A kernel CVE fixed on three stable branches, and (as some feeds write it) a coarse
          // range below the mainline fix that also covers the older branches.
          RulesNvdCve("CVE-2018-1000199", "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*",
                      {{{"versionStartIncluding", "2.6.12"}, {"versionEndExcluding", "4.16"}},
                       {{"versionStartIncluding", "4.9"}, {"versionEndExcluding", "4.9.98"}},
                       {{"versionStartIncluding", "4.14"}, {"versionEndExcluding", "4.14.40"}}})}}};
    const json osv = json::array(
        {RulesOsv("DEBIAN-CVE-2023-5678", "CVE-2023-5678", "Debian:12", "openssl",
                  "3.0.13-1~deb12u1"),
         RulesOsv("DLA-3000-1", "CVE-2023-5678", "Debian:11", "openssl", "1.1.1w-0+deb11u2"),
         RulesOsv("ALPINE-CVE-2022-48174", "CVE-2022-48174", "Alpine:v3.19", "busybox",
                  "1.36.1-r16")});
    test::WriteFile(dir_ / "nvd.json", nvd.dump());
    test::WriteFile(dir_ / "osv.json", osv.dump());
    test::WriteFile(dir_ / "kev.json", "{}");
    auto db = vuln::VulnDb::Open(db_, true);
    ASSERT_TRUE(db) << db.error().Describe();
    ASSERT_TRUE(db->ImportFile(dir_ / "nvd.json"));
    ASSERT_TRUE(db->ImportFile(dir_ / "osv.json"));
    vuln::SourceRecord kev;
    kev.name = "kev";
    ASSERT_TRUE(db->ReplaceKev({{"CVE-2023-5678", "2024-01-02", "2024-01-23", "Unknown",
                                 "OpenSSL issue", "OpenSSL", "OpenSSL"}},
                               kev));
    vuln::SourceRecord epss;
    epss.name = "epss";
    ASSERT_TRUE(db->ReplaceEpss({{"CVE-2023-5678", 0.0123, 0.456, "2026-12-01"}}, epss));
  }

  vuln::FindResult Find(const vuln::FindQuery& q) {
    auto db = vuln::VulnDb::Open(db_, false);
    EXPECT_TRUE(db);
    auto r = db->Find(q);
    EXPECT_TRUE(r) << r.error().Describe();
    return r ? *r : vuln::FindResult{};
  }

  static vuln::FindQuery Deb(const std::string& ecosystem, const std::string& version) {
    return {
        "",     "", "openssl", vuln::UpstreamVersion(version), ecosystem, {"libssl3", "openssl"},
        version};
  }

  test::TempDir tmp_;
  fs::path dir_ = tmp_.path();
  fs::path db_ = dir_ / "vulndb.sqlite";
};

TEST_F(MatchRules, DebianBackportRevisionIsNotVulnerableOneBeforeItIs) {
  // Debian 12's record, compared in dpkg's order on the whole package version.
  const auto fixed = Find(Deb("Debian:12", "3.0.13-1~deb12u1"));
  EXPECT_TRUE(fixed.matches.empty());
  EXPECT_TRUE(fixed.not_affected.empty()) << "3.0.13 is outside the upstream range too";
  const auto old = Find(Deb("Debian:12", "3.0.11-1~deb12u2"));
  ASSERT_EQ(old.matches.size(), 1u);
  const vuln::Match& m = old.matches.front();
  EXPECT_EQ(m.id, "DEBIAN-CVE-2023-5678");
  EXPECT_EQ(m.rule, vuln::MatchRule::kEcosystemRange);
  EXPECT_EQ(m.ecosystem, "Debian:12");
  EXPECT_EQ(m.why, "3.0.11-1~deb12u2 < 3.0.13-1~deb12u1 (Debian:12)");
  // The KEV entry and EPSS score of its CVE come through the record's alias.
  ASSERT_TRUE(m.kev.has_value());
  EXPECT_EQ(m.kev->date_added, "2024-01-02");
  ASSERT_TRUE(m.epss.has_value());
  EXPECT_DOUBLE_EQ(m.epss->percentile, 0.456);
}

TEST_F(MatchRules, UpstreamRangeOverruledByTheDistributionIsListedAsABackport) {
  // The upstream version 3.0.11 is in the CPE range, but Debian 12 fixed it in 3.0.11's package:
  // a record whose fix is a revision of the same upstream version.
  auto db = vuln::VulnDb::Open(db_, true);
  ASSERT_TRUE(db);
  test::WriteFile(dir_ / "bp.json", RulesOsv("DEBIAN-CVE-2023-5678", "CVE-2023-5678", "Debian:12",
                                             "openssl", "3.0.11-1~deb12u2")
                                        .dump());
  ASSERT_TRUE(db->ImportFile(dir_ / "bp.json"));
  const auto r = Find(Deb("Debian:12", "3.0.11-1~deb12u2"));
  EXPECT_TRUE(r.matches.empty());
  ASSERT_EQ(r.not_affected.size(), 1u);
  EXPECT_EQ(r.not_affected[0].id, "CVE-2023-5678");
  EXPECT_EQ(r.not_affected[0].rule, "backport by distribution revision");
  EXPECT_NE(r.not_affected[0].why.find("3.0.11 >= 3.0.0 < 3.0.13"), std::string::npos)
      << r.not_affected[0].why;
  EXPECT_NE(r.not_affected[0].why.find("fixed in 3.0.11-1~deb12u2"), std::string::npos);
  const auto before = Find(Deb("Debian:12", "3.0.11-1~deb12u1"));
  ASSERT_EQ(before.matches.size(), 1u);
  EXPECT_EQ(before.matches[0].rule, vuln::MatchRule::kEcosystemRange);
}

TEST_F(MatchRules, AnotherReleasesRecordDoesNotDecideAndTheCpeRangeDoes) {
  // Debian 11's record is about 1.1.1; on a Debian 10 image neither Debian record applies.
  const auto r = Find(Deb("Debian:10", "3.0.11-1"));
  ASSERT_EQ(r.matches.size(), 1u);
  EXPECT_EQ(r.matches[0].id, "CVE-2023-5678");
  EXPECT_EQ(r.matches[0].rule, vuln::MatchRule::kCpeRange);
  EXPECT_EQ(r.matches[0].why, "3.0.11 >= 3.0.0 < 3.0.13");
  // A component found by its version string is no distribution's package: CPE only.
  const auto plain = Find({"openssl", "openssl", "openssl", "3.0.11"});
  ASSERT_EQ(plain.matches.size(), 1u);
  EXPECT_EQ(plain.matches[0].id, "CVE-2023-5678");
}

TEST_F(MatchRules, AlpineRevisionsInApkOrder) {
  auto q = [](const std::string& v) {
    return vuln::FindQuery{"busybox",
                           "busybox",
                           "busybox",
                           vuln::UpstreamVersion(v),
                           "Alpine:v3.19",
                           {"busybox", "busybox"},
                           v};
  };
  const auto fixed = Find(q("1.36.1-r16"));
  EXPECT_TRUE(fixed.matches.empty());
  ASSERT_EQ(fixed.not_affected.size(), 1u);
  EXPECT_EQ(fixed.not_affected[0].rule, "backport by distribution revision");
  const auto later = Find(q("1.36.1-r29"));  // r29 > r16 numerically, not as text
  EXPECT_TRUE(later.matches.empty());
  const auto vulnerable = Find(q("1.36.1-r15"));
  ASSERT_EQ(vulnerable.matches.size(), 1u);
  EXPECT_EQ(vulnerable.matches[0].id, "ALPINE-CVE-2022-48174");
  EXPECT_EQ(vulnerable.matches[0].why, "1.36.1-r15 < 1.36.1-r16 (Alpine:v3.19)");
}

TEST_F(MatchRules, KernelStableBranchFixDecides) {
  auto kernel = [](const std::string& v) {
    return vuln::FindQuery{"linux", "linux_kernel", "linux", v};
  };
  // 4.9.101 is past 4.9's fix 4.9.98, although the coarse range "< 4.16" covers it.
  const auto fixed = Find(kernel("4.9.101"));
  EXPECT_TRUE(fixed.matches.empty()) << fixed.matches.front().why;
  ASSERT_EQ(fixed.not_affected.size(), 1u);
  EXPECT_EQ(fixed.not_affected[0].rule, "stable-branch fix");
  EXPECT_NE(fixed.not_affected[0].why.find("past the fix 4.9.98 of its stable branch 4.9"),
            std::string::npos)
      << fixed.not_affected[0].why;
  const auto on_branch = Find(kernel("4.9.87"));
  ASSERT_EQ(on_branch.matches.size(), 1u);
  EXPECT_EQ(on_branch.matches[0].rule, vuln::MatchRule::kStableBranch);
  EXPECT_EQ(on_branch.matches[0].why, "4.9.87 >= 4.9 < 4.9.98");
  // A branch without a fix of its own is decided by the range that covers it.
  const auto other = Find(kernel("4.4.100"));
  ASSERT_EQ(other.matches.size(), 1u);
  EXPECT_EQ(other.matches[0].rule, vuln::MatchRule::kCpeRange);
  EXPECT_TRUE(Find(kernel("4.14.40")).matches.empty());
  EXPECT_TRUE(Find(kernel("5.4.1")).matches.empty());
}

}  // namespace
}  // namespace iotcop
