// `iotcop vulndb import` with the feed of issue 18: the bundled NVD seed with one record's
// `cpeMatch[].vulnerable` a string. The record is named with its field on standard error, the
// valid records before and after it are imported, and the exit code is 3 (not 70, "internal
// error"); a clean feed exits 0.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.h"
#include "vuln/vulndb.h"

namespace iotcop {
namespace {
using nlohmann::json;
using test::Q;
namespace fs = std::filesystem;

TEST(VulnDbImport, AMalformedFieldSkipsItsRecordNamesItAndExitsThree) {
  test::TempDir t;
  json feed =
      json::parse(test::ReadFile(fs::path(IOTCOP_SOURCE_DIR) / "fuzz/seeds/vulnfeed/nvd.json"));
  json& items = feed["vulnerabilities"];
  ASSERT_EQ(items.size(), 2u);
  json before = items[0];
  before["cve"]["id"] = "CVE-2000-0001";
  items[0]["cve"]["configurations"][0]["nodes"][0]["cpeMatch"][0]["vulnerable"] = "true";
  items.insert(items.begin(), before);
  const fs::path bad = t / "nvd.json";
  test::WriteFile(bad, feed.dump(2));
  const fs::path db = t / "vulns.sqlite";

  const auto r = test::RunIotcop("vulndb import " + Q(bad) + " --db " + Q(db));
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(
      r.err.find(bad.string() + ": record CVE-2021-42374: configurations[0].nodes[0].cpeMatch[0]"
                                ".vulnerable: expected boolean, got string"),
      std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("nvd feed, 2 vulnerabilities"), std::string::npos) << r.out;

  auto vulns = vuln::VulnDb::Open(db, false);
  ASSERT_TRUE(vulns) << vulns.error().Describe();
  EXPECT_EQ(vulns->Count(), 2u);
  auto busybox = vulns->Find({"busybox", "busybox", "busybox", "1.30.1"});
  ASSERT_TRUE(busybox);
  ASSERT_EQ(busybox->matches.size(), 1u);
  EXPECT_EQ(busybox->matches.front().id, "CVE-2000-0001");
  auto dnsmasq = vulns->Find({"thekelleys", "dnsmasq", "dnsmasq", "2.66"});
  ASSERT_TRUE(dnsmasq);
  ASSERT_EQ(dnsmasq->matches.size(), 1u);
  EXPECT_EQ(dnsmasq->matches.front().id, "CVE-2017-1000487");

  const auto clean = test::RunIotcop(
      "vulndb import " + Q(fs::path(IOTCOP_SOURCE_DIR) / "fuzz/seeds/vulnfeed/osv.json") +
      " --db " + Q(db));
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_TRUE(clean.err.empty()) << clean.err;
}

// An OSV record of a distribution whose id (Alpine's older exports) or alias (Debian's) is a bare
// CVE id is a record of its own: importing it keeps the NVD record of that CVE, in either order.
// The NVD record matches by CPE; the distribution's record matches that distribution's packages.
TEST(VulnDbImport, ADistributionRecordNamedByItsCveKeepsTheNvdRecord) {
  test::TempDir t;
  const fs::path nvd = fs::path(IOTCOP_SOURCE_DIR) / "fuzz/seeds/vulnfeed/nvd.json";
  const json alpine = {{"id", "CVE-2021-42374"},
                       {"summary", "busybox: out-of-bounds read in unlzma"},
                       {"affected",
                        {{{"package", {{"ecosystem", "Alpine:v3.14"}, {"name", "busybox"}}},
                          {"ranges",
                           {{{"type", "ECOSYSTEM"},
                             {"events", {{{"introduced", "0"}}, {{"fixed", "1.33.1-r6"}}}}}}}}}}};
  const json debian = {{"id", "DEBIAN-CVE-2021-42374"},
                       {"aliases", {"CVE-2021-42374"}},
                       {"affected",
                        {{{"package", {{"ecosystem", "Debian:11"}, {"name", "busybox"}}},
                          {"ranges",
                           {{{"type", "ECOSYSTEM"},
                             {"events", {{{"introduced", "0"}}, {{"fixed", "1:1.30.1-7"}}}}}}}}}}};
  const fs::path osv = t / "osv.json";
  test::WriteFile(osv, json::array({alpine, debian}).dump(2));
  for (const bool nvd_first : {true, false}) {
    SCOPED_TRACE(nvd_first ? "NVD first" : "OSV first");
    const fs::path db = t / (nvd_first ? "a.sqlite" : "b.sqlite");
    for (const fs::path& feed : nvd_first ? std::vector{nvd, osv} : std::vector{osv, nvd}) {
      const auto r = test::RunIotcop("vulndb import " + Q(feed) + " --db " + Q(db));
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }
    auto vulns = vuln::VulnDb::Open(db, false);
    ASSERT_TRUE(vulns) << vulns.error().Describe();
    EXPECT_EQ(vulns->Count(), 4u);  // two NVD records, the Alpine and the Debian record
    // The one match of `q`, "none" (or "2 matches") otherwise: id, rule and ecosystem.
    const auto only = [&](const vuln::FindQuery& q) -> std::string {
      auto r = vulns->Find(q);
      if (!r) return r.error().Describe();
      if (r->matches.size() != 1) return std::to_string(r->matches.size()) + " matches";
      const vuln::Match& m = r->matches.front();
      return m.id + " " + vuln::MatchRuleName(m.rule) + " " + m.ecosystem;
    };
    // Not a package of a distribution: the NVD record by CPE.
    EXPECT_EQ(only({"busybox", "busybox", "busybox", "1.33.1"}), "CVE-2021-42374 CPE range ");
    // An Alpine package before the fix: the Alpine record decides, named by its own id.
    vuln::FindQuery apk{"busybox",      "busybox",   "busybox",  "1.33.1",
                        "Alpine:v3.14", {"busybox"}, "1.33.1-r3"};
    EXPECT_EQ(only(apk), "CVE-2021-42374 ecosystem range Alpine:v3.14");
    // The fixed Alpine revision: the upstream range is overruled (a backport).
    apk.package_version = "1.33.1-r6";
    auto fixed = vulns->Find(apk);
    ASSERT_TRUE(fixed);
    EXPECT_TRUE(fixed->matches.empty());
    ASSERT_EQ(fixed->not_affected.size(), 1u);
    EXPECT_EQ(fixed->not_affected.front().rule, "backport by distribution revision");
    // A Debian package: the Debian record (alias CVE-2021-42374), not the Alpine one.
    vuln::FindQuery deb{"busybox",   "busybox",   "busybox",   "1.30.1",
                        "Debian:11", {"busybox"}, "1:1.30.1-6"};
    EXPECT_EQ(only(deb), "DEBIAN-CVE-2021-42374 ecosystem range Debian:11");
    auto debian_match = vulns->Find(deb);
    ASSERT_TRUE(debian_match && debian_match->matches.size() == 1u);
    // The NVD record's score and summary are still there to fill in the distribution's.
    EXPECT_FALSE(debian_match->matches.front().summary.empty());
  }
}

}  // namespace
}  // namespace iotcop
