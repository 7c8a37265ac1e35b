// File: tests/unpack/integration/unpack_openssl_salted_test.cc
// OpenSSL salted firmware (Foscam): a gzip'd tar of the known tree encrypted by the openssl tool
// itself (`openssl enc -aes-128-cbc -md md5 -k PASSWORD`, random salt) with one of the published
// Foscam firmware passwords must give back the known tree through openssl_salted > gzip > tar.
// Hostile variants: an unknown password, a cut image, a damaged padding block: not claimed, and the
// coverage note names the region as encrypted with the OpenSSL salted scheme.
#include <gtest/gtest.h>

#include "support/container_fixture.h"
#include "support/fs_fixture.h"

namespace iotcop::unpack {
namespace {

// The tree as a .tar.gz encrypted with `password`.
std::string SaltedTestBuild(const test::TempDir& tmp, const std::string& password) {
  if (!std::filesystem::exists(tmp / "src") && !test::MakeFsTree(tmp / "src")) return "";
  auto r = test::RunShell("set -e; cd " + test::Q(tmp.path()) +
                          "; tar -C src -czf tree.tgz .; openssl enc -aes-128-cbc -md md5 -salt "
                          "-k " +
                          test::Q(password) + " -in tree.tgz -out fw.enc 2>/dev/null");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? test::ReadFile(tmp / "fw.enc") : "";
}

bool HaveSaltedTools() {
  return test::HaveTool("openssl") && test::HaveTool("tar") && test::HaveTool("gzip");
}

bool SaltedNamedInCoverage(const UnpackResult& r) {
  for (const auto& u : r.unknown) {
    if (u.offset == 0 && u.note.find("OpenSSL") != std::string::npos &&
        u.note.find("encrypted") != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(OpensslSalted, PublishedFoscamPasswordGivesTheKnownTree) {
  if (!HaveSaltedTools()) GTEST_SKIP() << "openssl, tar or gzip not installed";
  test::TempDir tmp;
  for (const std::string password : {"WWyift*v2", "WWzift*v4"}) {
    const std::string img = SaltedTestBuild(tmp, password);
    ASSERT_GT(img.size(), 1000u);
    ASSERT_EQ(img.substr(0, 8), "Salted__");
    const std::string name = "fw-" + std::to_string(password.size()) + ".bin";
    auto r = test::UnpackBytes(tmp, name, img);
    for (const auto& p : r.problems) ADD_FAILURE() << password << ": problem: " << p.message;
    const std::uint32_t root = test::RootOf(r.tree, "tar");
    ASSERT_NE(root, UINT32_MAX) << password;
    const auto& o = r.tree.roots()[root].origin;
    ASSERT_GE(o.size(), 3u);
    EXPECT_EQ(o[0].handler, "openssl_salted");
    EXPECT_EQ(o[0].length, img.size());
    EXPECT_EQ(o[1].handler, "gzip");
    EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root), 60u) << password;
    test::ExpectInside(r, tmp / ("out-" + name));
  }
}

TEST(OpensslSaltedHostile, UnknownPasswordCutAndDamagedAreNamedNotClaimed) {
  if (!HaveSaltedTools()) GTEST_SKIP() << "openssl, tar or gzip not installed";
  test::TempDir tmp;
  const std::string good = SaltedTestBuild(tmp, "Wyift*v2");
  ASSERT_GT(good.size(), 1000u);
  const std::string unknown = SaltedTestBuild(tmp, "not-a-published-password");
  // The last byte of the block before the last: the padding length decrypts to a value over 16.
  std::string damaged = good;
  damaged[damaged.size() - 17] = static_cast<char>(damaged[damaged.size() - 17] ^ 0x40);
  for (const auto& [name, img] :
       {std::pair{"unknown", unknown}, std::pair{"cut", good.substr(0, good.size() - 7)},
        std::pair{"damaged", damaged}}) {
    auto r = test::UnpackBytes(tmp, name, img);
    EXPECT_EQ(test::RootOf(r.tree, "tar"), UINT32_MAX) << name;
    EXPECT_TRUE(SaltedNamedInCoverage(r)) << name;
    test::ExpectInside(r, tmp / (std::string("out-") + name));
  }
}

}  // namespace
}  // namespace iotcop::unpack
