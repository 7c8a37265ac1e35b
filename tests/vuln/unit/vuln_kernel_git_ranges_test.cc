// OSV's Linux records (ecosystem "Linux", package "Kernel"), as kernel.org's CNA publishes them
// through OSV: the fix is named by commit in `GIT` ranges, with the affected versions beside it
// in `versions` or an `ECOSYSTEM` range. The kernel's version is matched through those; a record
// whose only ranges are GIT commits cannot decide and is listed as undecided, never as a match and
// never dropped.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.h"
#include "vuln/vulndb.h"

namespace iotcop {
namespace {
using nlohmann::json;

json GitRangesKernelRecord(const std::string& id, const json& extra_ranges, const json& versions) {
  json ranges = {{{"type", "GIT"},
                  {"repo", "https://git.kernel.org/pub/scm/linux/kernel/git/stable/linux.git"},
                  {"events",
                   {{{"introduced", "1da177e4c3f41524e886b7f1b8a0c1fc7321cac2"}},
                    {{"fixed", "3e0d1b8a1c4f2f1d6cd1d7b0b9a4e8c1f2a3b4c5"}}}}}};
  for (const auto& r : extra_ranges) ranges.push_back(r);
  json affected = {{"package", {{"ecosystem", "Linux"}, {"name", "Kernel"}}}, {"ranges", ranges}};
  if (!versions.empty()) affected["versions"] = versions;
  return {{"id", id}, {"summary", id + " summary"}, {"affected", {affected}}};
}

class KernelGitRanges : public ::testing::Test {
 protected:
  void SetUp() override {
    const json feed = json::array(
        {// GIT plus the affected versions listed.
         GitRangesKernelRecord("CVE-2024-0001", json::array(), {"4.9.86", "4.9.87", "4.9.88"}),
         // GIT plus an ECOSYSTEM range on the 4.9 branch.
         GitRangesKernelRecord("CVE-2024-0002",
                               {{{"type", "ECOSYSTEM"},
                                 {"events", {{{"introduced", "4.9"}}, {{"fixed", "4.9.90"}}}}}},
                               json::array()),
         // GIT only: the commits cannot be compared with a version.
         GitRangesKernelRecord("CVE-2024-0003", json::array(), json::array())});
    test::WriteFile(tmp_ / "linux.json", feed.dump());
    auto db = vuln::VulnDb::Open(db_, true);
    ASSERT_TRUE(db) << db.error().Describe();
    auto stats = db->ImportFile(tmp_ / "linux.json");
    ASSERT_TRUE(stats) << stats.error().Describe();
    EXPECT_TRUE(stats->problems.empty());
    EXPECT_EQ(stats->vulnerabilities, 3u);
  }

  vuln::FindResult Kernel(const std::string& version) {
    auto db = vuln::VulnDb::Open(db_, false);
    EXPECT_TRUE(db);
    auto r = db->Find({"linux", "linux_kernel", "linux", version});
    EXPECT_TRUE(r) << r.error().Describe();
    return r ? *r : vuln::FindResult{};
  }

  static std::vector<std::string> Ids(const vuln::FindResult& r) {
    std::vector<std::string> out;
    for (const auto& m : r.matches) out.push_back(m.id);
    return out;
  }

  test::TempDir tmp_;
  std::filesystem::path db_ = tmp_ / "vulndb.sqlite";
};

TEST_F(KernelGitRanges, VersionListAndEcosystemRangeDecideTheGitOnlyRecordIsUndecided) {
  const auto r = Kernel("4.9.87");
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"CVE-2024-0001", "CVE-2024-0002"}));
  ASSERT_EQ(r.undecided.size(), 1u);
  EXPECT_EQ(r.undecided[0].id, "CVE-2024-0003");
  EXPECT_NE(r.undecided[0].why.find("only commit ranges (introduced by commit "
                                    "1da177e4c3f41524e886b7f1b8a0c1fc7321cac2, fixed by commit "
                                    "3e0d1b8a1c4f2f1d6cd1d7b0b9a4e8c1f2a3b4c5)"),
            std::string::npos)
      << r.undecided[0].why;
  EXPECT_NE(r.undecided[0].why.find("linux 4.9.87"), std::string::npos) << r.undecided[0].why;
}

TEST_F(KernelGitRanges, AVersionOutsideTheListAndRangeIsNotMatched) {
  const auto r = Kernel("4.9.95");
  EXPECT_TRUE(r.matches.empty()) << Ids(r).size();
  // The versioned records decided (not affected); the GIT-only one still cannot.
  ASSERT_EQ(r.undecided.size(), 1u);
  EXPECT_EQ(r.undecided[0].id, "CVE-2024-0003");
  EXPECT_EQ(Kernel("4.9.89").matches.size(), 1u);  // the ECOSYSTEM range alone
}

TEST_F(KernelGitRanges, ACommitRangeNeverMatchesAnotherComponent) {
  auto db = vuln::VulnDb::Open(db_, false);
  ASSERT_TRUE(db);
  auto r = db->Find({"busybox", "busybox", "busybox", "1.30.1"});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->matches.empty());
  EXPECT_TRUE(r->undecided.empty());
}

}  // namespace
}  // namespace iotcop
