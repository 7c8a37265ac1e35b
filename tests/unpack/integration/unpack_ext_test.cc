// ext2/3/4 fixtures built with mke2fs -d and genext2fs from the known tree must unpack to the same
// tree byte for byte; hostile variants (truncated, corrupt superblock, directory loops, inode
// numbers out of range, lying sizes, bad extents) give warnings with offsets and never escape.
#include <gtest/gtest.h>

#include "support/fs_fixture.h"
#include "support/test_support.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

struct ExtCase {
  std::string name;
  std::string tool;
  std::string build;
  bool owners = true;
};

class ExtFixture : public ::testing::TestWithParam<ExtCase> {};

TEST_P(ExtFixture, SameTreeBackByteForByte) {
  const ExtCase& c = GetParam();
  if (!test::HaveTool(c.tool)) GTEST_SKIP() << c.tool << " not installed";
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFsTree(tmp / "src"));
  const fs::path img = test::BuildImage(tmp.path(), tmp / "src", c.build);
  ASSERT_FALSE(img.empty());
  auto r = test::Unpack(img, tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "ext");
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.owners = c.owners}), 60u);
  test::ExpectInside(r, tmp / "out");
}

const std::string kMke2fs = "mke2fs -q -F -E root_owner=$(id -u):$(id -g) -N 256 -d \"$SRC\" ";

INSTANTIATE_TEST_SUITE_P(
    Ext, ExtFixture,
    ::testing::Values(
        ExtCase{"ext2_1k", "mke2fs", kMke2fs + "-t ext2 -b 1024 \"$OUT\" 4M"},
        ExtCase{"ext3_2k", "mke2fs", kMke2fs + "-t ext3 -b 2048 \"$OUT\" 8M"},
        ExtCase{"ext4_4k_csum", "mke2fs",
                kMke2fs + "-t ext4 -b 4096 -O metadata_csum,64bit \"$OUT\" 8M"},
        ExtCase{"ext4_1k_extents", "mke2fs", kMke2fs + "-t ext4 -b 1024 \"$OUT\" 6M"},
        ExtCase{"genext2fs", "genext2fs", "genext2fs -b 2048 -d \"$SRC\" \"$OUT\"", false},
        ExtCase{
            "carved_after_junk", "mke2fs",
            kMke2fs +
                "-t ext4 \"$T/fs\" 6M; { head -c 777 /dev/urandom; cat \"$T/fs\"; } > \"$OUT\""}),
    [](const ::testing::TestParamInfo<ExtCase>& i) { return i.param.name; });

// A fresh ext4 image of the known tree in `tmp`.
fs::path MakeExt4(const test::TempDir& tmp, const std::string& extra = "") {
  if (!test::MakeFsTree(tmp / "src")) return {};
  return test::BuildImage(tmp.path(), tmp / "src", kMke2fs + "-t ext4 -b 1024 \"$OUT\" 6M" + extra);
}

TEST(ExtHostile, DeviceNodesFromADeviceTable) {
  if (!test::HaveTool("genext2fs")) GTEST_SKIP() << "genext2fs not installed";
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFsTree(tmp / "src"));
  test::WriteFile(tmp / "devs",
                  "/dev d 755 0 0 - - - - -\n/dev/console c 600 0 0 5 1 0 0 -\n"
                  "/dev/mtdblock3 b 640 0 6 31 3 0 0 -\n");
  const fs::path img = test::BuildImage(tmp.path(), tmp / "src",
                                        "genext2fs -b 2048 -d \"$SRC\" -D \"$T/../devs\" \"$OUT\"");
  ASSERT_FALSE(img.empty());
  // debugfs stores numbers above 255 in the new (i_block[1]) encoding.
  if (test::HaveTool("debugfs")) {
    auto d = test::RunShell("printf 'cd /dev\\nmknod big c 250 300\\n' | debugfs -w -f - '" +
                            img.string() + "'");
    ASSERT_EQ(d.exit_code, 0) << d.err;
  }
  ASSERT_FALSE(img.empty());
  auto r = test::Unpack(img, tmp / "out");
  const std::uint32_t root = test::RootOf(r.tree, "ext");
  ASSERT_NE(root, UINT32_MAX);
  const Entry* con = r.tree.Find(root, "/dev/console", false);
  ASSERT_NE(con, nullptr);
  EXPECT_EQ(con->type, EntryType::kCharDev);
  EXPECT_EQ(con->major, 5u);
  EXPECT_EQ(con->minor, 1u);
  EXPECT_EQ(con->mode, 0600u);
  const Entry* mtd = r.tree.Find(root, "/dev/mtdblock3", false);
  ASSERT_NE(mtd, nullptr);
  EXPECT_EQ(mtd->type, EntryType::kBlockDev);
  EXPECT_EQ(mtd->major, 31u);
  EXPECT_EQ(mtd->minor, 3u);
  EXPECT_EQ(mtd->gid, 6u);
  if (test::HaveTool("debugfs")) {
    const Entry* big = r.tree.Find(root, "/dev/big", false);
    ASSERT_NE(big, nullptr);
    EXPECT_EQ(big->major, 250u);
    EXPECT_EQ(big->minor, 300u);
  }
  EXPECT_FALSE(fs::exists(tmp / "out" / "dev" / "console"));
}

TEST(ExtHostile, TruncatedAtSeveralOffsetsWarnsAndStaysInside) {
  if (!test::HaveTool("mke2fs")) GTEST_SKIP() << "mke2fs not installed";
  test::TempDir tmp;
  const fs::path img = MakeExt4(tmp);
  ASSERT_FALSE(img.empty());
  const auto size = fs::file_size(img);
  test::ForEachTruncation(img, tmp.path(), {1500, 3000, 40000, size / 3, size / 2, size - 4096},
                          [](std::uint64_t, const UnpackResult& r) {
                            if (test::RootOf(r.tree, "ext") == UINT32_MAX) return;
                            EXPECT_TRUE(test::HasProblem(r, "truncated"))
                                << "no truncation warning";
                            for (const auto& p : r.problems) {
                              if (p.message.find("truncated") != std::string::npos) {
                                EXPECT_TRUE(p.offset.has_value());
                              }
                            }
                          });
}

TEST(ExtHostile, CorruptSuperblockChecksumIsNotExt) {
  if (!test::HaveTool("mke2fs")) GTEST_SKIP() << "mke2fs not installed";
  test::TempDir tmp;
  const fs::path img = MakeExt4(tmp, " -O metadata_csum");
  ASSERT_FALSE(img.empty());
  test::Patch(img, tmp / "bad.img", 1024 + 0x78, "tampered");  // volume label, under the CRC
  auto r = test::Unpack(tmp / "bad.img", tmp / "out");
  EXPECT_EQ(test::RootOf(r.tree, "ext"), UINT32_MAX);
}

TEST(ExtHostile, DirectoryLoopAndOutOfRangeInodeAreReported) {
  if (!test::HaveTool("debugfs")) GTEST_SKIP() << "debugfs not installed";
  test::TempDir tmp;
  const fs::path img = MakeExt4(tmp);
  ASSERT_FALSE(img.empty());
  // A second name for /etc inside /etc/init.d: a directory loop.
  auto d = test::RunShell("debugfs -w -R 'ln /etc /etc/init.d/loop' '" + img.string() + "'");
  ASSERT_EQ(d.exit_code, 0) << d.err;
  // Point the entry for "shadow" at an inode that does not exist.
  std::string bytes = test::ReadFile(img);
  const std::size_t at = bytes.find(std::string("\x06\x01shadow", 8));
  ASSERT_NE(at, std::string::npos);
  test::Patch(img, tmp / "bad.img", at - 6, std::string("\x00\xff\xff\x0f", 4));
  auto r = test::Unpack(tmp / "bad.img", tmp / "out");
  const std::uint32_t root = test::RootOf(r.tree, "ext");
  ASSERT_NE(root, UINT32_MAX);
  EXPECT_TRUE(test::HasProblem(r, "loop")) << "loop not reported";
  EXPECT_TRUE(test::HasProblem(r, "out of range")) << "bad inode not reported";
  EXPECT_EQ(r.tree.Find(root, "/etc/shadow", false), nullptr);
  EXPECT_NE(r.tree.Find(root, "/etc/init.d/rcS", false), nullptr);
  for (const auto& p : r.problems) {
    if (p.message.find("loop") != std::string::npos) {
      EXPECT_TRUE(p.offset.has_value());
    }
  }
  test::ExpectInside(r, tmp / "out");
}

TEST(ExtHostile, LyingSizeAndBadExtentAreBounded) {
  if (!test::HaveTool("debugfs")) GTEST_SKIP() << "debugfs not installed";
  test::TempDir tmp;
  const fs::path img = MakeExt4(tmp);
  ASSERT_FALSE(img.empty());
  // 1 TiB claimed for a 300 kB file; the first extent of busybox pointed far outside.
  auto d = test::RunShell("debugfs -w -R 'sif /www/big.bin size 0x10000000000' '" + img.string() +
                          "' && debugfs -w -R 'sif /bin/busybox block[5] 0x7fffffff' '" +
                          img.string() + "'");
  ASSERT_EQ(d.exit_code, 0) << d.err;
  auto r = test::Unpack(img, tmp / "out");
  const std::uint32_t root = test::RootOf(r.tree, "ext");
  ASSERT_NE(root, UINT32_MAX);
  EXPECT_TRUE(test::HasProblem(r, "exceeds the limit"));
  EXPECT_TRUE(test::HasProblem(r, "outside the filesystem"));
  const Entry* rcs = r.tree.Find(root, "/etc/init.d/rcS", false);
  ASSERT_NE(rcs, nullptr);
  EXPECT_EQ(test::ReadFile(rcs->disk), "#!/bin/sh\ntelnetd -l /bin/sh\n");
  test::ExpectInside(r, tmp / "out");
}

}  // namespace
}  // namespace iotcop::unpack
