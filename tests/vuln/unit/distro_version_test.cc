// The distributions' version orders (vuln/version.h): dpkg's, checked against `dpkg
// --compare-versions` itself over every pair of a list that exercises epochs, revisions, '~', '+',
// letters and leading zeros; apk's, checked against the rules of apk-spec(5) / apk-tools.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "vuln/version.h"

namespace iotcop {
namespace {

const std::vector<std::string>& DistroVersionSamples() {
  static const std::vector<std::string> v = {"0",
                                             "1",
                                             "1.0",
                                             "1.0.0",
                                             "1.0~rc1",
                                             "1.0~~",
                                             "1.0~",
                                             "1.0+dfsg",
                                             "1.0-1",
                                             "1.0-1~bpo1",
                                             "1.0-1+deb12u1",
                                             "1.0-1+b1",
                                             "1.0-10",
                                             "1.0-2",
                                             "1:0.9",
                                             "2:0.1",
                                             "1.0a",
                                             "1.0.a",
                                             "1.00",
                                             "1.01",
                                             "1.1",
                                             "1.10",
                                             "1.9",
                                             "1.2.3-4",
                                             "1.2.3-4+deb12u1",
                                             "1.2.3-4+deb11u3",
                                             "1.2.3-5",
                                             "1.2.3-4.1",
                                             "1.2.3",
                                             "3.0.11-1~deb12u2",
                                             "3.0.11-1",
                                             "3.0.13-1~deb12u1",
                                             "2.9.14+dfsg-1.3~deb12u1",
                                             "2.9.14+dfsg-1.3",
                                             "1.36.1-9",
                                             "1:1.36.1-9",
                                             "1.36.1-9ubuntu1",
                                             "0.0.0-0",
                                             "a",
                                             "A",
                                             "1.0-r1",
                                             "1.0-0.r1",
                                             "10.0-1"};
  return v;
}

int DpkgSays(const std::string& a, const std::string& b) {
  auto run = [&](const char* op) {
    const std::string cmd =
        "dpkg --compare-versions '" + a + "' " + op + " '" + b + "' 2>/dev/null";
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
  };
  if (run("lt")) return -1;
  return run("eq") ? 0 : 1;
}

TEST(DistroVersion, DpkgOrderAgreesWithDpkgOnEveryPair) {
  if (std::system("dpkg --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no dpkg here";
  const auto& v = DistroVersionSamples();
  int pairs = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    for (std::size_t j = i; j < v.size(); ++j) {
      const int want = DpkgSays(v[i], v[j]);
      EXPECT_EQ(vuln::CompareDpkgVersions(v[i], v[j]), want) << v[i] << " vs " << v[j];
      EXPECT_EQ(vuln::CompareDpkgVersions(v[j], v[i]), -want) << v[j] << " vs " << v[i];
      ++pairs;
    }
  }
  EXPECT_GT(pairs, 900);
}

TEST(DistroVersion, DpkgBackportRevisionsAreNewerThanTheirBase) {
  EXPECT_EQ(vuln::CompareDpkgVersions("1.2.3-4+deb12u1", "1.2.3-4+deb12u1"), 0);
  EXPECT_LT(vuln::CompareDpkgVersions("1.2.3-4", "1.2.3-4+deb12u1"), 0);
  EXPECT_LT(vuln::CompareDpkgVersions("1.2.3-4+deb12u1", "1.2.3-4+deb12u2"), 0);
  EXPECT_LT(vuln::CompareDpkgVersions("1.0~rc1-1", "1.0-1"), 0);
  EXPECT_GT(vuln::CompareDpkgVersions("1:0.1-1", "9.9-1"), 0);  // the epoch first
  // The generic order, which drops '+' and '~' meanings, is not what decides a package.
  EXPECT_EQ(vuln::SchemeOfEcosystem("Debian:12"), vuln::VersionScheme::kDpkg);
  EXPECT_EQ(vuln::SchemeOfEcosystem("OpenWrt"), vuln::VersionScheme::kDpkg);
  EXPECT_EQ(vuln::SchemeOfEcosystem("Alpine:v3.19"), vuln::VersionScheme::kApk);
  EXPECT_EQ(vuln::SchemeOfEcosystem("Linux"), vuln::VersionScheme::kGeneric);
}

// apk-spec(5) and apk-tools' test/version.data: each pair is older < newer.
TEST(DistroVersion, ApkOrderFollowsApkRules) {
  const std::pair<const char*, const char*> older_newer[] = {{"1.0", "1.0.1"},
                                                             {"1.0_alpha", "1.0"},
                                                             {"1.0_alpha1", "1.0_alpha2"},
                                                             {"1.0_alpha2", "1.0_beta1"},
                                                             {"1.0_beta9", "1.0_pre1"},
                                                             {"1.0_pre1", "1.0_rc1"},
                                                             {"1.0_rc9", "1.0"},
                                                             {"1.0", "1.0_cvs"},
                                                             {"1.0_cvs", "1.0_svn"},
                                                             {"1.0_svn", "1.0_git"},
                                                             {"1.0_git", "1.0_hg"},
                                                             {"1.0_hg", "1.0_p1"},
                                                             {"1.0_p1", "1.0_p2"},
                                                             {"1.0", "1.0a"},
                                                             {"1.0a", "1.0b"},
                                                             {"1.0-r1", "1.0-r2"},
                                                             {"1.0-r9", "1.0-r10"},
                                                             {"1.0", "1.0-r1"},
                                                             {"1.0_p1-r9", "1.0_p2"},
                                                             {"1.01", "1.1"},
                                                             {"1.001", "1.01"},
                                                             {"1.2", "1.10"},
                                                             {"3.0.13-r0", "3.0.13-r1"},
                                                             {"1.36.1-r5", "1.36.1-r29"},
                                                             {"2.89-r0", "2.90-r0"},
                                                             {"1.0_git20200101", "1.0_git20210101"},
                                                             {"9", "10"}};
  for (const auto& [a, b] : older_newer) {
    EXPECT_LT(vuln::CompareApkVersions(a, b), 0) << a << " < " << b;
    EXPECT_GT(vuln::CompareApkVersions(b, a), 0) << b << " > " << a;
    EXPECT_EQ(vuln::CompareApkVersions(a, a), 0) << a;
  }
  EXPECT_EQ(vuln::CompareApkVersions("1.0-r0", "1.0"), 0);
  // Not an apk version: the generic order decides rather than an error.
  EXPECT_LT(vuln::CompareApkVersions("1.0 beta", "1.1"), 0);
}

}  // namespace
}  // namespace iotcop
