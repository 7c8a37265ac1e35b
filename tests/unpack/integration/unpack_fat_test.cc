// File: tests/unpack/integration/unpack_fat_test.cc
// FAT12/16/32: images made with Debian's mkfs.fat and mtools' mcopy (long names, nested folders, a
// file of many clusters) must give back the known tree byte for byte; unblob's FAT12 and FAT16
// samples must list as unblob's reference does; cluster loops, lying sizes and truncated images
// give warnings naming an offset, never a crash or a write outside the output folder.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include <fmt/format.h>

#include "support/disk_fixture.h"
#include "support/fs_fixture.h"
#include "support/test_support.h"
#include "unpack/handler.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

struct FatCase {
  const char* name;
  int bits;
  int kib;
};

class UnpackFat : public ::testing::TestWithParam<FatCase> {};

TEST_P(UnpackFat, KnownTreeComesBack) {
  if (!test::HaveFatTools()) GTEST_SKIP() << "mkfs.fat or mcopy not installed";
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFatTree(tmp / "src"));
  ASSERT_TRUE(test::MakeFatImage(tmp / "src", tmp / "fs.img", GetParam().bits, GetParam().kib));
  auto chunk = FindHandler("fat")->Identify(AsBytes(test::ReadFile(tmp / "fs.img")), 0);
  ASSERT_TRUE(chunk);
  EXPECT_NE(chunk->description.find(fmt::format("FAT{} 'FIXTURE'", GetParam().bits)),
            std::string::npos)
      << chunk->description;
  auto r = test::Unpack(tmp / "fs.img", tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "fat");
  ASSERT_NE(root, UINT32_MAX);
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.modes = false}), 15u);
  EXPECT_NE(r.tree.Find(root, "/www/A long file name.html"), nullptr);
  EXPECT_NE(r.tree.Find(root, "/Caf\xc3\xa9 menu.txt"), nullptr);
  test::ExpectInside(r, tmp / "out");
}

INSTANTIATE_TEST_SUITE_P(Fat, UnpackFat,
                         ::testing::Values(FatCase{"fat12", 12, 2048}, FatCase{"fat16", 16, 8192},
                                           FatCase{"fat32", 32, 34000}),
                         [](const ::testing::TestParamInfo<FatCase>& i) { return i.param.name; });

fs::path FatVendorDir() {
  return fs::path(IOTCOP_SOURCE_DIR) / ".." / "shared" / "corpus" / "vendor";
}

// unblob's samples (made with mkfs.fat): every file of its reference listing, with its size.
TEST(UnpackFatSamples, UnblobFat12AndFat16MatchTheReferenceListing) {
  const fs::path dir = FatVendorDir();
  int seen = 0;
  for (const char* name :
       {"filesystem__fat__fat12__cherry.fat12", "filesystem__fat__fat16__banana.fat16"}) {
    if (!fs::exists(dir / name)) continue;
    ++seen;
    SCOPED_TRACE(name);
    test::TempDir tmp;
    auto r = test::Unpack(dir / name, tmp / "out");
    for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
    const std::uint32_t root = test::RootOf(r.tree, "fat");
    ASSERT_NE(root, UINT32_MAX);
    std::ifstream expected(dir / "expected" / (std::string(name) + ".txt"));
    std::string line;
    int files = 0;
    while (std::getline(expected, line)) {
      if (line.rfind("f ", 0) != 0) continue;
      const auto sp = line.find(' ', 2);
      const std::uint64_t size = std::stoull(line.substr(2, sp - 2));
      const std::string path = line.substr(sp + 2);  // "./x" -> "/x"
      const Entry* e = r.tree.Find(root, path);
      ASSERT_NE(e, nullptr) << path;
      EXPECT_EQ(e->size, size) << path;
      ++files;
    }
    EXPECT_EQ(files, 4);
    std::size_t ours = 0;
    for (const auto& e : r.tree.entries()) ours += e.root == root && e.type == EntryType::kFile;
    EXPECT_EQ(ours, 4u);
  }
  if (seen == 0) GTEST_SKIP() << "unblob samples not present in " << dir;
}

// The geometry a hostile test needs to patch an image: FAT and root directory offsets.
struct FatTestGeometry {
  std::uint64_t fat_at, root_at, cluster;
};

FatTestGeometry FatTestGeometryOf(const std::string& img) {
  const auto* b = reinterpret_cast<const std::uint8_t*>(img.data());
  const std::uint64_t bps = LoadLe<std::uint16_t>(b + 11), reserved = LoadLe<std::uint16_t>(b + 14);
  const std::uint64_t nfats = b[16], fatsz = LoadLe<std::uint16_t>(b + 22);
  return {reserved * bps, (reserved + nfats * fatsz) * bps, bps * b[13]};
}

// A FAT16 volume holding one big file (clusters 2, 3, 4...): the FAT entry of cluster 3 pointed
// back at 2 is a loop, cut with a warning naming the FAT entry; a size larger than the chain is
// reported as a short chain; the file is still written as far as it goes.
TEST(UnpackFatHostile, ClusterLoopAndLyingSize) {
  if (!test::HaveFatTools()) GTEST_SKIP() << "mkfs.fat or mcopy not installed";
  test::TempDir tmp;
  ASSERT_TRUE(test::RunShell("mkdir -p '" + (tmp / "src").string() +
                             "' && head -c 100000 /bin/ls > '" +
                             (tmp / "src" / "big.bin").string() + "'")
                  .exit_code == 0);
  ASSERT_TRUE(test::MakeFatImage(tmp / "src", tmp / "fs.img", 16, 8192));
  const std::string img = test::ReadFile(tmp / "fs.img");
  const FatTestGeometry g = FatTestGeometryOf(img);
  // The root's entry for BIG.BIN (mcopy writes the 8.3 name without a long-name entry).
  const auto at = img.find("BIG     BIN", g.root_at);
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(LoadLe<std::uint16_t>(reinterpret_cast<const std::uint8_t*>(img.data()) + at + 26), 2);

  test::Patch(tmp / "fs.img", tmp / "loop.img", g.fat_at + 3 * 2, test::LeBytes(2, 2));
  auto r = test::Unpack(tmp / "loop.img", tmp / "out-loop");
  // Named at the FAT entry that points back (cluster 3's).
  EXPECT_TRUE(test::HasProblemAt(r, "cluster 2 already used", g.fat_at + 3 * 2));
  const std::uint32_t root = test::RootOf(r.tree, "fat");
  ASSERT_NE(root, UINT32_MAX);
  const Entry* e = r.tree.Find(root, "/big.bin");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->size, 2 * g.cluster);  // clusters 2 and 3, then the loop
  test::ExpectInside(r, tmp / "out-loop");

  test::Patch(tmp / "fs.img", tmp / "size.img", at + 28, test::LeBytes(1u << 30, 4));
  r = test::Unpack(tmp / "size.img", tmp / "out-size");
  EXPECT_TRUE(test::HasProblem(r, "cluster chain ends after"));
  test::ExpectInside(r, tmp / "out-size");

  // A cluster number beyond the volume in the directory entry.
  test::Patch(tmp / "fs.img", tmp / "far.img", at + 26, test::LeBytes(0xfff0, 2));
  r = test::Unpack(tmp / "far.img", tmp / "out-far");
  EXPECT_TRUE(test::HasProblem(r, "leaves the volume"));
}

// A subfolder whose cluster is the root's own (FAT32) or an ancestor's: visited once, reported.
TEST(UnpackFatHostile, DirectoryLoopAndTruncation) {
  if (!test::HaveFatTools()) GTEST_SKIP() << "mkfs.fat or mcopy not installed";
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFatTree(tmp / "src"));
  ASSERT_TRUE(test::MakeFatImage(tmp / "src", tmp / "fs.img", 12, 2048));
  const std::string img = test::ReadFile(tmp / "fs.img");
  const FatTestGeometry g = FatTestGeometryOf(img);
  const auto at = img.find("ETC        ", g.root_at);
  ASSERT_NE(at, std::string::npos);
  const std::uint16_t etc =
      LoadLe<std::uint16_t>(reinterpret_cast<const std::uint8_t*>(img.data()) + at + 26);
  // etc/config's entry points back at etc's own cluster.
  const auto cfg = img.find("CONFIG     ");
  ASSERT_NE(cfg, std::string::npos);
  test::Patch(tmp / "fs.img", tmp / "loop.img", cfg + 26, test::LeBytes(etc, 2));
  auto r = test::Unpack(tmp / "loop.img", tmp / "out-loop");
  EXPECT_TRUE(test::HasProblem(r, "already used"));
  EXPECT_NE(test::RootOf(r.tree, "fat"), UINT32_MAX);
  test::ExpectInside(r, tmp / "out-loop");

  test::ForEachTruncation(tmp / "fs.img", tmp.path(), {600, 2000, 5000, 40000, 300000, 1000000},
                          [](std::uint64_t, const UnpackResult&) {});
  test::Truncate(tmp / "fs.img", tmp / "cut.img", 100000);  // inside big.bin
  r = test::Unpack(tmp / "cut.img", tmp / "out-cut");
  EXPECT_TRUE(test::HasProblem(r, "FAT volume truncated"));
  EXPECT_TRUE(test::HasProblem(r, "beyond the end of the data"));
}

}  // namespace
}  // namespace iotcop::unpack
