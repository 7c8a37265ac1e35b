// File: tests/unpack/integration/unpack_gpt_test.cc
// GUID partition tables made with sgdisk (an eMMC-like dump: a named FAT32 partition and an
// unnamed FAT16 one of type Linux, both made with mkfs.fat and mcopy): each partition is found,
// named by number and name or type, and its file system comes back; a bad header CRC is not a
// GPT, a bad entry-array CRC and a truncated dump are reported at their offsets.
#include <gtest/gtest.h>

#include "support/disk_fixture.h"
#include "support/fs_fixture.h"
#include "support/test_support.h"
#include "unpack/handler.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

bool HaveGptTools() { return test::HaveFatTools() && test::HaveTool("sgdisk"); }

// A 48 MiB dump: p1 "userdata" (FAT32, from sector 2048, 34000 KiB), p2 with no name (FAT16).
fs::path MakeGptDump(const test::TempDir& tmp) {
  if (!test::MakeFatTree(tmp / "src")) return {};
  if (!test::MakeFatImage(tmp / "src", tmp / "p1.img", 32, 34000)) return {};
  if (!test::MakeFatImage(tmp / "src", tmp / "p2.img", 16, 8192)) return {};
  auto r =
      test::RunShell("set -e; cd '" + tmp.path().string() +
                     "'; truncate -s 48M emmc.img;"
                     " sgdisk -n 1:2048:+34000K -c 1:userdata -t 1:0700"
                     " -n 2:0:+8M -t 2:8300 emmc.img >/dev/null;"
                     " dd if=p1.img of=emmc.img bs=512 seek=2048 conv=notrunc status=none;"
                     " p2=$(sgdisk -i 2 emmc.img | sed -n 's/^First sector: \\([0-9]*\\).*/\\1/p');"
                     " dd if=p2.img of=emmc.img bs=512 seek=$p2 conv=notrunc status=none");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? tmp / "emmc.img" : fs::path();
}

TEST(UnpackGpt, NamedPartitionsOfAnEmmcDump) {
  if (!HaveGptTools()) GTEST_SKIP() << "sgdisk, mkfs.fat or mcopy not installed";
  test::TempDir tmp;
  const fs::path disk = MakeGptDump(tmp);
  ASSERT_FALSE(disk.empty());
  auto r = test::Unpack(disk, tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const auto roots = test::RootsFrom(r, "gpt", "fat");
  ASSERT_EQ(roots.size(), 2u);
  std::string names;
  for (std::uint32_t root : roots) {
    EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.modes = false}), 15u);
    names += r.tree.roots()[root].name + " ";
  }
  EXPECT_NE(names.find("p1-userdata"), std::string::npos) << names;
  EXPECT_NE(names.find("p2-linux"), std::string::npos) << names;
  // The MBR handler leaves the protective MBR to the GPT.
  EXPECT_FALSE(FindHandler("mbr")->Identify(AsBytes(test::ReadFile(disk).substr(0, 4096)), 0));
  test::ExpectInside(r, tmp / "out");
}

TEST(UnpackGptHostile, BadCrcsAndTruncation) {
  if (!HaveGptTools()) GTEST_SKIP() << "sgdisk, mkfs.fat or mcopy not installed";
  test::TempDir tmp;
  const fs::path disk = MakeGptDump(tmp);
  ASSERT_FALSE(disk.empty());
  const std::string head = test::ReadFile(disk).substr(0, 34 * 512);
  // A changed header byte: the header CRC fails, not a GPT.
  std::string bad = head;
  bad[512 + 40] ^= 1;
  EXPECT_FALSE(FindHandler("gpt")->Identify(AsBytes(bad), 0));
  // A changed entry (p2's last LBA): the entry-array CRC warning names the array's offset.
  test::Patch(disk, tmp / "entries.img", 1024 + 128 + 40, std::string("\x01", 1));
  auto r = test::Unpack(tmp / "entries.img", tmp / "out-entries");
  EXPECT_TRUE(test::HasProblemAt(r, "entry array CRC-32", 1024));
  test::ExpectInside(r, tmp / "out-entries");
  // An entry outside the usable range is skipped and reported at the entry.
  std::string far(8, '\0');
  far[6] = 0x01;  // first LBA 2^48
  test::Patch(disk, tmp / "far.img", 1024 + 32, far);
  r = test::Unpack(tmp / "far.img", tmp / "out-far");
  EXPECT_TRUE(test::HasProblemAt(r, "outside the usable range", 1024));
  EXPECT_EQ(test::RootsFrom(r, "gpt", "fat").size(), 1u);
  // Cut in the middle of p1: the backup header and p2 are missing, p1 is scanned as far as it goes.
  test::Truncate(disk, tmp / "cut.img", 20ull << 20);
  r = test::Unpack(tmp / "cut.img", tmp / "out-cut");
  EXPECT_TRUE(test::HasProblem(r, "backup header"));
  EXPECT_TRUE(test::HasProblemAt(r, "partition p2-linux", 1024 + 128));
  test::ForEachTruncation(disk, tmp.path(), {600, 1100, 17000, 1100000});
}

}  // namespace
}  // namespace iotcop::unpack
