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

}  // namespace
}  // namespace iotcop
