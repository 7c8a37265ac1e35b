// File: tests/unpack/integration/unpack_dahua_test.cc
// Dahua: a zip of the known tree made by Debian's zip, its signatures renamed from "PK" to "DH"
// (the first local header only, as binwalk describes the images; or every local header, central
// directory entry and the end record), alone and behind 4 KiB of other bytes, must give back the
// known tree through the dahua handler read in place. Hostile variants: an end record whose entry
// count or directory offset lies, a central directory pointing past it, a cut image: not
// claimed, nothing written outside the output folder.
#include <gtest/gtest.h>

#include <vector>

#include "support/container_fixture.h"
#include "support/fs_fixture.h"

namespace iotcop::unpack {
namespace {

struct DahuaTestZip {
  std::string bytes;
  std::vector<std::size_t> locals;    // local header offsets
  std::vector<std::size_t> centrals;  // central directory entry offsets
  std::size_t end = 0;                // end record offset
};

std::uint64_t DahuaTestLe(const std::string& s, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(s[at + i]);
  return v;
}

// zip -qry of the known tree, with the offsets of its records read from the end record.
DahuaTestZip DahuaTestMakeZip(const test::TempDir& tmp) {
  DahuaTestZip z;
  if (!test::MakeFsTree(tmp / "src")) return z;
  auto r = test::RunShell("cd " + test::Q(tmp / "src") + " && zip -qry ../tree.zip .");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return z;
  z.bytes = test::ReadFile(tmp / "tree.zip");
  z.end = z.bytes.size() - 22;  // zip writes no archive comment
  EXPECT_EQ(z.bytes.substr(z.end, 4), std::string("PK\x05\x06"));
  std::size_t at = DahuaTestLe(z.bytes, z.end + 16, 4);
  const std::size_t n = DahuaTestLe(z.bytes, z.end + 10, 2);
  for (std::size_t i = 0; i < n; ++i) {
    z.centrals.push_back(at);
    z.locals.push_back(DahuaTestLe(z.bytes, at + 42, 4));
    at += 46 + DahuaTestLe(z.bytes, at + 28, 2) + DahuaTestLe(z.bytes, at + 30, 2) +
          DahuaTestLe(z.bytes, at + 32, 2);
  }
  return z;
}

std::string DahuaTestRename(const DahuaTestZip& z, bool all) {
  std::string s = z.bytes;
  s.replace(0, 2, "DH");
  if (all) {
    for (auto at : z.locals) s.replace(at, 2, "DH");
    for (auto at : z.centrals) s.replace(at, 2, "DH");
    s.replace(z.end, 2, "DH");
  }
  return s;
}

void DahuaTestExpectTree(const test::TempDir& tmp, const std::string& name,
                         const std::string& image, std::uint64_t at) {
  auto r = test::UnpackBytes(tmp, name, image);
  for (const auto& p : r.problems) ADD_FAILURE() << name << ": problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "dahua");
  ASSERT_NE(root, UINT32_MAX) << name;
  const auto& o = r.tree.roots()[root].origin;
  EXPECT_EQ(o[0].offset, at) << name;
  test::CompareOptions opt;
  opt.hardlinks = false;  // zip stores a hardlink as a second copy
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, opt), 60u) << name;
  test::ExpectInside(r, tmp / ("out-" + name));
}

TEST(Dahua, RenamedSignaturesGiveTheKnownTree) {
  if (!test::HaveTool("zip")) GTEST_SKIP() << "zip not installed";
  test::TempDir tmp;
  const auto z = DahuaTestMakeZip(tmp);
  ASSERT_GT(z.locals.size(), 40u);
  DahuaTestExpectTree(tmp, "first.bin", DahuaTestRename(z, false), 0);
  DahuaTestExpectTree(tmp, "all.bin", DahuaTestRename(z, true), 0);
  DahuaTestExpectTree(tmp, "inside.bin", std::string(4096, '\x5a') + DahuaTestRename(z, true),
                      4096);
}

TEST(DahuaHostile, LyingEndRecordAndDirectoryAreNotClaimed) {
  if (!test::HaveTool("zip")) GTEST_SKIP() << "zip not installed";
  test::TempDir tmp;
  const auto z = DahuaTestMakeZip(tmp);
  ASSERT_GT(z.locals.size(), 40u);
  const std::string good = DahuaTestRename(z, true);
  auto patched = [&](std::size_t at, std::uint64_t v, int n) {
    std::string s = good;
    test::PutLe(s, at, v, n);
    return s;
  };
  const auto count = DahuaTestLe(good, z.end + 10, 2);
  const auto cd_off = DahuaTestLe(good, z.end + 16, 4);
  for (const auto& [name, img] : {std::pair{"count", patched(z.end + 10, count + 1, 2)},
                                  std::pair{"cdoff", patched(z.end + 16, cd_off + 1, 4)},
                                  std::pair{"local", patched(z.centrals[3] + 42, 0x7fffff00, 4)},
                                  std::pair{"cut", good.substr(0, good.size() - 30)}}) {
    auto r = test::UnpackBytes(tmp, name, img);
    EXPECT_EQ(test::RootOf(r.tree, "dahua"), UINT32_MAX) << name;
    test::ExpectInside(r, tmp / (std::string("out-") + name));
  }
}

TEST(DahuaHostile, TruncatedImage) {
  if (!test::HaveTool("zip")) GTEST_SKIP() << "zip not installed";
  test::TempDir tmp;
  const auto z = DahuaTestMakeZip(tmp);
  ASSERT_GT(z.locals.size(), 40u);
  test::WriteFile(tmp / "fw.bin", DahuaTestRename(z, true));
  test::ForEachTruncation(tmp / "fw.bin", tmp.path(), {10, 100, z.bytes.size() / 2},
                          [&](std::uint64_t cut, const UnpackResult& r) {
                            EXPECT_EQ(test::RootOf(r.tree, "dahua"), UINT32_MAX) << cut;
                          });
}

}  // namespace
}  // namespace iotcop::unpack
