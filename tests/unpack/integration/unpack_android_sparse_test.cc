// File: tests/unpack/integration/unpack_android_sparse_test.cc
// Android sparse images made with img2simg (android-sdk-libsparse-utils) from an ext4 image of the
// known tree (mke2fs -d): raw and don't-care chunks expand to the original image, whose tree comes
// back; a hand-written image with fill and CRC chunks checks the CRC; lying chunk sizes are not
// claimed, a bad CRC is reported at its chunk, the byte limit is honoured.
#include <gtest/gtest.h>

#include "support/disk_fixture.h"
#include "support/fs_fixture.h"
#include "support/test_support.h"
#include "unpack/handler.h"
#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

std::string SparseHeader(std::uint32_t blk, std::uint32_t blocks, std::uint32_t chunks) {
  return test::LeBytes(0xed26ff3a, 4) + test::LeBytes(1, 2) + test::LeBytes(0, 2) +
         test::LeBytes(28, 2) + test::LeBytes(12, 2) + test::LeBytes(blk, 4) +
         test::LeBytes(blocks, 4) + test::LeBytes(chunks, 4) + test::LeBytes(0, 4);
}

std::string SparseChunk(std::uint16_t type, std::uint32_t blocks, const std::string& body) {
  return test::LeBytes(type, 2) + test::LeBytes(0, 2) + test::LeBytes(blocks, 4) +
         test::LeBytes(12 + body.size(), 4) + body;
}

TEST(UnpackAndroidSparse, Img2simgOfAnExt4Image) {
  if (!test::HaveTool("img2simg") || !test::HaveTool("mke2fs")) {
    GTEST_SKIP() << "img2simg or mke2fs not installed";
  }
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFsTree(tmp / "src"));
  auto b = test::RunShell("set -e; cd '" + tmp.path().string() +
                          "'; mke2fs -q -t ext4 -d src fs.ext4 16M; img2simg fs.ext4 fs.simg");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const std::string simg = test::ReadFile(tmp / "fs.simg");
  auto chunk = FindHandler("android_sparse")->Identify(AsBytes(simg), 0);
  ASSERT_TRUE(chunk);
  EXPECT_EQ(chunk->length, simg.size());
  test::WriteFile(tmp / "fw.bin", std::string(512, '\xff') + simg + std::string(100, '\0'));
  auto r = test::Unpack(tmp / "fw.bin", tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "ext");
  ASSERT_NE(root, UINT32_MAX);
  const auto& o = r.tree.roots()[root].origin;
  ASSERT_GE(o.size(), 2u);
  EXPECT_EQ(o[0].handler, "android_sparse");
  EXPECT_EQ(o[0].offset, 512u);
  EXPECT_EQ(o[0].length, simg.size());
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.modes = true}), 60u);
  test::ExpectInside(r, tmp / "out");
}

// Raw, fill, don't-care and CRC chunks written by hand: the blob is exactly the expansion.
TEST(UnpackAndroidSparse, FillDontCareAndCrcChunks) {
  test::TempDir tmp;
  const std::string tar_src = test::ReadFile("/bin/ls").substr(0, 8192);
  std::string expanded = tar_src + std::string(4096 * 2, '\0');
  for (int i = 0; i < 1024; ++i) expanded += "\x78\x56\x34\x12";
  const std::uint32_t crc = handlers::Crc32(AsBytes(expanded));
  const std::string img = SparseHeader(4096, 5, 4) + SparseChunk(0xcac1, 2, tar_src) +
                          SparseChunk(0xcac3, 2, "") +
                          SparseChunk(0xcac2, 1, test::LeBytes(0x12345678, 4)) +
                          SparseChunk(0xcac4, 0, test::LeBytes(crc, 4));
  test::WriteFile(tmp / "a.simg", img);
  auto r = test::Unpack(tmp / "a.simg", tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  bool found = false;
  for (const auto& blob : fs::recursive_directory_iterator(tmp / "out")) {
    if (blob.is_regular_file() && blob.file_size() == expanded.size()) {
      found |= test::ReadFile(blob.path()) == expanded;
    }
  }
  EXPECT_TRUE(found);
  // The same with a wrong CRC: reported at the CRC chunk (28 + 12 + 8192 + 12 + 16).
  std::string bad = img;
  bad[bad.size() - 1] ^= 0x55;
  test::WriteFile(tmp / "bad.simg", bad);
  r = test::Unpack(tmp / "bad.simg", tmp / "out-bad");
  EXPECT_TRUE(test::HasProblemAt(r, "CRC-32", 28 + 12 + 8192 + 12 + 16));
}

TEST(UnpackAndroidSparseHostile, LyingChunksAndLimits) {
  const Handler* h = FindHandler("android_sparse");
  const std::string raw = std::string(4096, 'a');
  const std::string good =
      SparseHeader(4096, 3, 2) + SparseChunk(0xcac1, 1, raw) + SparseChunk(0xcac3, 2, "");
  ASSERT_TRUE(h->Identify(AsBytes(good), 0));
  // A raw chunk whose total size lies, a block count that does not add up, an unknown chunk type,
  // a block size that is not a multiple of 4, a chunk count beyond the data.
  std::string lying = good;
  lying.replace(28 + 8, 4, test::LeBytes(12 + 8192, 4));
  std::string count = good;
  count.replace(16, 4, test::LeBytes(4, 4));
  std::string type = good;
  type.replace(28, 2, test::LeBytes(0xcac9, 2));
  std::string blk = good;
  blk.replace(12, 4, test::LeBytes(4094, 4));
  std::string chunks = good;
  chunks.replace(20, 4, test::LeBytes(0xffffffff, 4));
  for (const auto* s : {&lying, &count, &type, &blk, &chunks}) {
    EXPECT_FALSE(h->Identify(AsBytes(*s), 0));
  }
  // Expanding beyond the byte limit is refused with a warning naming the header.
  test::TempDir tmp;
  const std::string huge = SparseHeader(4096, 1u << 30, 2) + SparseChunk(0xcac1, 1, raw) +
                           SparseChunk(0xcac3, (1u << 30) - 1, "");
  test::WriteFile(tmp / "huge.simg", huge);
  auto r = test::Unpack(tmp / "huge.simg", tmp / "out");
  EXPECT_TRUE(test::HasProblemAt(r, "beyond the limit", 16));
  test::ExpectInside(r, tmp / "out");
  test::WriteFile(tmp / "good.simg", good);
  test::ForEachTruncation(tmp / "good.simg", tmp.path(), {10, 28, 40, 4000, 4136});
}

}  // namespace
}  // namespace iotcop::unpack
