// Distribution packages matched with their distribution's fixed versions (docs/vulndb.md, "Which
// rule decides"): a Debian image whose dpkg status holds a package at the backport revision that
// fixed a CVE is not called vulnerable to it, one a revision before is; an OpenWrt image's opkg
// package likewise, and an Alpine image's apk database. A CVE in CISA's KEV catalog raises its
// finding's severity and puts it first; its EPSS score is in the evidence.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/fact_kinds.h"
#include "support/firmware_support.h"
#include "support/test_support.h"
#include "vuln/vulndb.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

json BackportNvd(const std::string& id, const std::string& vendor, const std::string& product,
                 const std::string& fixed, double score) {
  return {{"cve",
           {{"id", id},
            {"descriptions", {{{"lang", "en"}, {"value", product + " issue"}}}},
            {"metrics", {{"cvssMetricV31", {{{"cvssData", {{"baseScore", score}}}}}}}},
            {"configurations",
             {{{"nodes",
                {{{"cpeMatch",
                   {{{"vulnerable", true},
                     {"criteria", "cpe:2.3:a:" + vendor + ":" + product + ":*:*:*:*:*:*:*:*"},
                     {"versionEndExcluding", fixed}}}}}}}}}}}}};
}

json BackportOsv(const std::string& id, const std::string& cve, const std::string& ecosystem,
                 const std::string& package, const std::string& fixed) {
  return {
      {"id", id},
      {"upstream", {cve}},
      {"affected",
       {{{"package", {{"ecosystem", ecosystem}, {"name", package}}},
         {"ranges",
          {{{"type", "ECOSYSTEM"}, {"events", {{{"introduced", "0"}}, {{"fixed", fixed}}}}}}}}}}};
}

// The one component of package `package`, which must carry `ecosystem`; nullptr when not one.
const Fact* BackportPackage(const FactStore& facts, const std::string& package,
                            const std::string& ecosystem) {
  const auto found = test::FactsWhere(facts, facts::kComponent, "package", package);
  EXPECT_EQ(found.size(), 1u) << package;
  if (found.size() != 1) return nullptr;
  EXPECT_EQ(found[0]->value["ecosystem"], ecosystem);
  return found[0];
}

class Backports : public ::testing::Test {
 protected:
  void SetUp() override {
    // Upstream: OpenSSL before 3.0.13, expat before 2.6.0, dropbear before 2022.83, busybox
    // before 1.37.0. The distributions fixed them in revisions of older upstream versions.
    const json nvd = {
        {"vulnerabilities",
         {BackportNvd("CVE-2023-5678", "openssl", "openssl", "3.0.13", 5.3),
          BackportNvd("CVE-2023-52425", "libexpat_project", "libexpat", "2.6.0", 7.5),
          BackportNvd("CVE-2022-48174", "busybox", "busybox", "1.37.0", 9.8),
          BackportNvd("CVE-2021-36369", "dropbear_ssh_project", "dropbear_ssh", "2022.83", 7.5)}}};
    const json osv = json::array({BackportOsv("DEBIAN-CVE-2023-5678", "CVE-2023-5678", "Debian:12",
                                              "openssl", "3.0.11-1~deb12u2"),
                                  BackportOsv("DEBIAN-CVE-2023-52425", "CVE-2023-52425",
                                              "Debian:12", "expat", "2.5.0-1+deb12u1"),
                                  BackportOsv("OPENWRT-2021-36369", "CVE-2021-36369",
                                              "OpenWrt:23.05", "dropbear", "2022.82-3")});
    test::WriteFile(tmp_.path() / "nvd.json", nvd.dump());
    test::WriteFile(tmp_.path() / "osv.json", osv.dump());
    auto db = vuln::VulnDb::Open(db_, true);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->ImportFile(tmp_.path() / "nvd.json"));
    ASSERT_TRUE(db->ImportFile(tmp_.path() / "osv.json"));
    vuln::SourceRecord kev;
    kev.name = "kev";
    ASSERT_TRUE(db->ReplaceKev(
        {{"CVE-2023-52425", "2026-10-01", "2026-10-22", "Unknown", "expat DoS", "libexpat", "x"}},
        kev));
    vuln::SourceRecord epss;
    epss.name = "epss";
    ASSERT_TRUE(db->ReplaceEpss({{"CVE-2023-52425", 0.02, 0.81, "2026-12-06"},
                                 {"CVE-2022-48174", 0.001, 0.3, "2026-12-06"}},
                                epss));
    cfg_.vulndb = db_.string();
  }

  FactStore Assess(const fs::path& root) {
    return test::Collect(test::TreeOf(root), {"components", "vulnerabilities"}, nullptr, &cfg_);
  }

  test::TempDir tmp_;
  fs::path db_ = tmp_.path() / "vulndb.sqlite";
  CheckConfig cfg_;
};

TEST_F(Backports, DebianPackageAtTheFixingRevisionIsNotMatchedOneBeforeIs) {
  const fs::path root = tmp_.path() / "debian";
  fs::create_directories(root / "bin");  // a root file system: /etc and /bin
  test::WriteFile(root / "etc/os-release",
                  "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
                  "ID=debian\nVERSION_ID=\"12\"\n");
  test::WriteFile(root / "var/lib/dpkg/status",
                  "Package: libssl3\nStatus: install ok installed\nSource: openssl\n"
                  "Version: 3.0.11-1~deb12u2\n\n"
                  "Package: libexpat1\nStatus: install ok installed\nSource: expat\n"
                  "Version: 2.5.0-1\n\n"
                  "Package: busybox\nStatus: install ok installed\nVersion: 1:1.35.0-4+b3\n");
  auto facts = Assess(root);
  const Fact* ssl = BackportPackage(facts, "libssl3", "Debian:12");
  ASSERT_TRUE(ssl);
  EXPECT_EQ(ssl->value["source_package"], "openssl");
  std::map<std::string, const Fact*> by_id;
  for (const Fact* v : facts.OfKind(facts::kVulnerability)) by_id[v->value["id"]] = v;
  // libssl3 3.0.11-1~deb12u2 is the revision that fixed CVE-2023-5678: no match, although its
  // upstream 3.0.11 is in the NVD's range.
  EXPECT_FALSE(by_id.count("CVE-2023-5678"));
  EXPECT_FALSE(by_id.count("DEBIAN-CVE-2023-5678"));
  // libexpat1 2.5.0-1 is a revision before Debian's fix 2.5.0-1+deb12u1: matched by Debian's
  // record, in dpkg's order, and it says so.
  ASSERT_TRUE(by_id.count("DEBIAN-CVE-2023-52425"));
  const json& expat = by_id["DEBIAN-CVE-2023-52425"]->value;
  EXPECT_EQ(expat["rule"], "ecosystem range");
  EXPECT_EQ(expat["why"], "2.5.0-1 < 2.5.0-1+deb12u1 (Debian:12)");
  EXPECT_EQ(expat["kev"]["date_added"], "2026-10-01");
  EXPECT_DOUBLE_EQ(expat["epss"]["percentile"].get<double>(), 0.81);
  // busybox: Debian has no record of it: the NVD's CPE range decides, on the upstream version.
  ASSERT_TRUE(by_id.count("CVE-2022-48174"));
  EXPECT_EQ(by_id["CVE-2022-48174"]->value["rule"], "CPE range");
  // The scan lists the backport that ruled the upstream match out.
  const auto scans = facts.OfKind(facts::kVulnerabilityScan);
  ASSERT_EQ(scans.size(), 1u);
  ASSERT_TRUE(scans[0]->value.contains("not_affected")) << scans[0]->value.dump();
  const json& out = scans[0]->value["not_affected"];
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]["id"], "CVE-2023-5678");
  EXPECT_EQ(out[0]["rule"], "backport by distribution revision");

  // The KEV CVE (CVSS 7.5, High) is raised to Critical and its finding comes first, before
  // busybox's CVSS 9.8 (Critical) one.
  auto r = test::RunCheck("fw.components.known-vulnerabilities", facts, cfg_);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_TRUE(
      r.findings[0].title.starts_with("expat 2.5.0 has 1 known vulnerability, 1 known "
                                      "exploited (CISA KEV)"))
      << r.findings[0].title;
  EXPECT_EQ(r.findings[0].severity, Severity::kCritical);
  EXPECT_NE(r.findings[0].message.find("[ecosystem range] [known exploited: CISA KEV since "
                                       "2026-10-01] [EPSS 0.020, percentile 0.810]"),
            std::string::npos)
      << r.findings[0].message;
  EXPECT_TRUE(r.findings[1].title.starts_with("busybox 1.35.0")) << r.findings[1].title;
  EXPECT_NE(r.findings[1].message.find("[CPE range]"), std::string::npos);
}

TEST_F(Backports, OpenWrtAndAlpinePackagesInTheirOwnOrder) {
  const fs::path owrt = tmp_.path() / "openwrt";
  test::WriteFile(owrt / "etc/openwrt_release",
                  "DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='23.05.3'\nDISTRIB_REVISION='r23809'\n");
  test::WriteFile(owrt / "usr/lib/opkg/status",
                  "Package: dropbear\nVersion: 2022.82-3\nStatus: install ok installed\n");
  auto fixed = Assess(owrt);
  ASSERT_TRUE(BackportPackage(fixed, "dropbear", "OpenWrt:23.05.3"));
  EXPECT_TRUE(fixed.OfKind(facts::kVulnerability).empty())
      << fixed.OfKind(facts::kVulnerability)[0]->value.dump();
  test::WriteFile(owrt / "usr/lib/opkg/status",
                  "Package: dropbear\nVersion: 2022.82-2\nStatus: install ok installed\n");
  auto before = Assess(owrt);
  const auto v = before.OfKind(facts::kVulnerability);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0]->value["id"], "OPENWRT-2021-36369");
  EXPECT_EQ(v[0]->value["why"], "2022.82-2 < 2022.82-3 (OpenWrt:23.05)");

  const fs::path alpine = tmp_.path() / "alpine";
  test::WriteFile(alpine / "etc/alpine-release", "3.19.1\n");
  test::WriteFile(alpine / "lib/apk/db/installed",
                  "C:Q1abc=\nP:busybox\nV:1.36.1-r15\nA:x86_64\no:busybox\n\n");
  auto apk = Assess(alpine);
  const Fact* bb = BackportPackage(apk, "busybox", "Alpine:v3.19");
  ASSERT_TRUE(bb);
  EXPECT_EQ(bb->value["version"], "1.36.1");
  EXPECT_EQ(bb->value["purl"], "pkg:apk/alpine/busybox@1.36.1-r15");
  // No Alpine record of it: the CPE range decides on the upstream version.
  const auto m = apk.OfKind(facts::kVulnerability);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0]->value["id"], "CVE-2022-48174");
}

}  // namespace
}  // namespace iotcop
