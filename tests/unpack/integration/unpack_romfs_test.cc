// ROMFS fixtures from genromfs must unpack to the known tree byte for byte (contents, types, link
// targets; romfs keeps no permission bits); hostile variants warn with offsets and never escape.
#include <gtest/gtest.h>

#include "support/fs_fixture.h"
#include "support/test_support.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

fs::path MakeRomfs(const test::TempDir& tmp, const std::string& wrap = "") {
  if (!test::MakeFsTree(tmp / "src")) return {};
  return test::BuildImage(tmp.path(), tmp / "src",
                          wrap.empty() ? "genromfs -V fixture -d \"$SRC\" -f \"$OUT\""
                                       : "genromfs -V fixture -d \"$SRC\" -f \"$T/fs\"; " + wrap);
}

TEST(Romfs, SameTreeBackByteForByte) {
  if (!test::HaveTool("genromfs")) GTEST_SKIP() << "genromfs not installed";
  test::TempDir tmp;
  const fs::path img = MakeRomfs(tmp);
  ASSERT_FALSE(img.empty());
  auto r = test::Unpack(img, tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "romfs");
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.modes = false}), 60u);
  // The exec flag is the only mode information romfs keeps.
  const Entry* rcs = r.tree.Find(root, "/etc/init.d/rcS", false);
  const Entry* shadow = r.tree.Find(root, "/etc/shadow", false);
  ASSERT_TRUE(rcs && shadow);
  EXPECT_EQ(rcs->mode, 0755u);
  EXPECT_EQ(shadow->mode, 0644u);
  test::ExpectInside(r, tmp / "out");
}

TEST(Romfs, CarvedAfterJunk) {
  if (!test::HaveTool("genromfs")) GTEST_SKIP() << "genromfs not installed";
  test::TempDir tmp;
  const fs::path img = MakeRomfs(
      tmp, "{ head -c 1000 /dev/urandom; cat \"$T/fs\"; head -c 999 /dev/zero; } > \"$OUT\"");
  ASSERT_FALSE(img.empty());
  auto r = test::Unpack(img, tmp / "out");
  EXPECT_GE(
      test::CompareWithSource(tmp / "src", r.tree, test::RootOf(r.tree, "romfs"), {.modes = false}),
      60u);
}

TEST(RomfsHostile, TruncatedAtSeveralOffsets) {
  if (!test::HaveTool("genromfs")) GTEST_SKIP() << "genromfs not installed";
  test::TempDir tmp;
  const fs::path img = MakeRomfs(tmp);
  ASSERT_FALSE(img.empty());
  const auto size = fs::file_size(img);
  test::ForEachTruncation(img, tmp.path(), {100, 600, size / 3, size * 2 / 3},
                          [](std::uint64_t, const UnpackResult& r) {
                            if (test::RootOf(r.tree, "romfs") != UINT32_MAX) {
                              EXPECT_TRUE(test::HasProblem(r, "truncated"));
                            }
                          });
}

TEST(RomfsHostile, BadSuperblockChecksumIsNotRomfs) {
  if (!test::HaveTool("genromfs")) GTEST_SKIP() << "genromfs not installed";
  test::TempDir tmp;
  const fs::path img = MakeRomfs(tmp);
  ASSERT_FALSE(img.empty());
  test::Patch(img, tmp / "bad.img", 16, "X");  // first byte of the volume name
  auto r = test::Unpack(tmp / "bad.img", tmp / "out");
  EXPECT_EQ(test::RootOf(r.tree, "romfs"), UINT32_MAX);
}

TEST(RomfsHostile, HeaderLoopIsReported) {
  if (!test::HaveTool("genromfs")) GTEST_SKIP() << "genromfs not installed";
  test::TempDir tmp;
  const fs::path img = MakeRomfs(tmp);
  ASSERT_FALSE(img.empty());
  std::string d = test::ReadFile(img);
  // A header (past the checksummed first 512 bytes) whose next pointer is itself.
  std::size_t at = std::string::npos;
  for (std::size_t p = 512; p + 24 <= d.size(); p += 16) {
    if (d.compare(p + 16, 7, std::string("m40.ko\0", 7)) == 0) {
      at = p;
      break;
    }
  }
  ASSERT_NE(at, std::string::npos);
  for (int i = 0; i < 3; ++i) d[at + i] = static_cast<char>(at >> (8 * (3 - i)));
  d[at + 3] = static_cast<char>((at & 0xf0) | (d[at + 3] & 0x0f));
  test::WriteFile(tmp / "loop.img", d);
  auto r = test::Unpack(tmp / "loop.img", tmp / "out");
  ASSERT_NE(test::RootOf(r.tree, "romfs"), UINT32_MAX);
  EXPECT_TRUE(test::HasProblem(r, "loop"));
  EXPECT_TRUE(test::HasProblem(r, "checksum"));
  test::ExpectInside(r, tmp / "out");
}

}  // namespace
}  // namespace iotcop::unpack
