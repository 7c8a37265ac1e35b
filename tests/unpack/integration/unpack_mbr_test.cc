// File: tests/unpack/integration/unpack_mbr_test.cc
// DOS/MBR partition tables made with util-linux sfdisk (an SD-card-like dump: a FAT16 primary
// partition and an extended partition with a FAT12 logical one, both made with mkfs.fat and
// mcopy): each partition is found, named p1 and p5, and its file system comes back; hostile
// tables (overlaps, a looping EBR chain, a truncated dump) are refused or reported at an offset.
#include <gtest/gtest.h>

#include "support/disk_fixture.h"
#include "support/fs_fixture.h"
#include "support/test_support.h"
#include "unpack/handler.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

bool HaveMbrTools() { return test::HaveFatTools() && test::HaveTool("sfdisk"); }

// An 8 MiB dump: p1 (FAT16, sectors 2048..10239), p2 extended (10240..16383) holding p5 (FAT12).
fs::path MakeMbrDump(const test::TempDir& tmp) {
  if (!test::MakeFatTree(tmp / "src")) return {};
  if (!test::MakeFatImage(tmp / "src", tmp / "p1.img", 16, 4096)) return {};
  if (!test::MakeFatImage(tmp / "src", tmp / "p5.img", 12, 2048)) return {};
  const fs::path disk = tmp / "sd.img";
  auto r = test::RunShell("set -e; cd '" + tmp.path().string() +
                          "'; truncate -s 8M sd.img; printf 'label: dos\\nstart=2048, size=8192, "
                          "type=6\\nstart=10240, size=6144, type=5\\nstart=12288, size=4096, "
                          "type=1\\n' | sfdisk -q sd.img;"
                          " dd if=p1.img of=sd.img bs=512 seek=2048 conv=notrunc status=none;"
                          " dd if=p5.img of=sd.img bs=512 seek=12288 conv=notrunc status=none");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? disk : fs::path();
}

TEST(UnpackMbr, PrimaryAndLogicalPartitionsOfAnSdCardDump) {
  if (!HaveMbrTools()) GTEST_SKIP() << "sfdisk, mkfs.fat or mcopy not installed";
  test::TempDir tmp;
  const fs::path disk = MakeMbrDump(tmp);
  ASSERT_FALSE(disk.empty());
  auto chunk = FindHandler("mbr")->Identify(AsBytes(test::ReadFile(disk)), 0);
  ASSERT_TRUE(chunk);
  EXPECT_EQ(chunk->length, 16384u * 512);
  auto r = test::Unpack(disk, tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const auto roots = test::RootsFrom(r, "mbr", "fat");
  ASSERT_EQ(roots.size(), 2u);
  std::vector<std::uint64_t> offsets;
  for (std::uint32_t root : roots) {
    EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.modes = false}), 15u);
    offsets.push_back(r.tree.roots()[root].origin.back().offset);
  }
  std::sort(offsets.begin(), offsets.end());
  EXPECT_EQ(offsets, (std::vector<std::uint64_t>{2048 * 512, 12288 * 512}));
  std::string names;
  for (std::uint32_t root : roots) names += r.tree.roots()[root].name + " ";
  EXPECT_NE(names.find("p1"), std::string::npos) << names;
  EXPECT_NE(names.find("p5"), std::string::npos) << names;
  test::ExpectInside(r, tmp / "out");
}

TEST(UnpackMbrHostile, OverlapsLoopsAndTruncation) {
  if (!HaveMbrTools()) GTEST_SKIP() << "sfdisk, mkfs.fat or mcopy not installed";
  test::TempDir tmp;
  const fs::path disk = MakeMbrDump(tmp);
  ASSERT_FALSE(disk.empty());
  // p2's start moved into p1: overlapping entries are not a partition table.
  std::string bytes = test::ReadFile(disk);
  std::string overlap = bytes;
  overlap[446 + 16 + 8] = 0x00;
  overlap[446 + 16 + 9] = 0x10;  // LBA 4096
  EXPECT_FALSE(FindHandler("mbr")->Identify(AsBytes(overlap), 0));
  // A boot flag that is neither 0x00 nor 0x80.
  std::string flag = bytes;
  flag[446] = 0x12;
  EXPECT_FALSE(FindHandler("mbr")->Identify(AsBytes(flag), 0));

  // The EBR's link to the next EBR pointing back at itself: p5 once, the loop reported.
  const std::uint64_t ebr = 10240ull * 512;
  test::WriteFile(tmp / "loop.img", bytes);
  test::Patch(tmp / "loop.img", tmp / "loop2.img", ebr + 446 + 16,
              std::string("\x00\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00\x00", 16));
  auto r = test::Unpack(tmp / "loop2.img", tmp / "out-loop");
  EXPECT_TRUE(test::HasProblemAt(r, "EBR chain loops", ebr));
  EXPECT_EQ(test::RootsFrom(r, "mbr", "fat").size(), 2u);
  test::ExpectInside(r, tmp / "out-loop");

  // Cut inside p5: p1 whole, p5 reported as cut at its EBR entry.
  test::Truncate(disk, tmp / "cut.img", 13000ull * 512);
  r = test::Unpack(tmp / "cut.img", tmp / "out-cut");
  EXPECT_TRUE(test::HasProblemAt(r, "partition p5", ebr + 446));
  EXPECT_GE(test::RootsFrom(r, "mbr", "fat").size(), 1u);
  test::ForEachTruncation(disk, tmp.path(), {300, 511, 512, 2048 * 512 + 100, 10240 * 512 + 10});
}

}  // namespace
}  // namespace iotcop::unpack
