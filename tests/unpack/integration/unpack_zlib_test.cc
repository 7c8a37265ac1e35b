// File: tests/unpack/integration/unpack_zlib_test.cc
// Raw zlib streams: a cpio of the known tree compressed with Python's zlib (each compression level,
// so each header byte) is decoded and its tree comes back, with the chunk ending exactly at the
// stream's end; a stream inside a container's payload (a GPT-less MBR partition) is found too;
// a bad header check, corrupt and truncated streams are refused or reported at an offset.
#include <gtest/gtest.h>

#include "support/disk_fixture.h"
#include "support/fs_fixture.h"
#include "support/test_support.h"
#include "unpack/handler.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

// The known tree as a newc cpio compressed with zlib at `level` into `out`.
bool MakeZlibCpio(const test::TempDir& tmp, int level, const fs::path& out) {
  if (!fs::exists(tmp / "src") && !test::MakeFsTree(tmp / "src")) return false;
  auto r = test::RunShell("set -e; cd '" + tmp.path().string() +
                          "'; (cd src && find . | cpio -o -H newc --quiet) | python3 -c "
                          "'import sys, zlib; sys.stdout.buffer.write(zlib.compress("
                          "sys.stdin.buffer.read(), " +
                          std::to_string(level) + "))' > '" + out.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0;
}

class UnpackZlib : public ::testing::TestWithParam<int> {};

TEST_P(UnpackZlib, StreamDecodedWithItsExactLength) {
  test::TempDir tmp;
  ASSERT_TRUE(MakeZlibCpio(tmp, GetParam(), tmp / "a.zlib"));
  const std::string z = test::ReadFile(tmp / "a.zlib");
  test::WriteFile(tmp / "fw.bin", z + std::string(3000, '\xff'));
  auto r = test::Unpack(tmp / "fw.bin", tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "cpio");
  ASSERT_NE(root, UINT32_MAX);
  const auto& o = r.tree.roots()[root].origin;
  ASSERT_GE(o.size(), 2u);
  EXPECT_EQ(o[0].handler, "zlib");
  EXPECT_EQ(o[0].offset, 0u);
  EXPECT_EQ(o[0].length, z.size());
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.modes = true}), 60u);
  test::ExpectInside(r, tmp / "out");
}

INSTANTIATE_TEST_SUITE_P(Zlib, UnpackZlib, ::testing::Values(1, 2, 6, 9),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return "level" + std::to_string(i.param);
                         });

// A zlib stream as the payload of an MBR partition: found at the start of the partition's view.
TEST(UnpackZlibContainer, InsideAnMbrPartition) {
  test::TempDir tmp;
  ASSERT_TRUE(MakeZlibCpio(tmp, 9, tmp / "a.zlib"));
  const std::string z = test::ReadFile(tmp / "a.zlib");
  std::string mbr(512, '\0');
  const std::uint32_t sectors = static_cast<std::uint32_t>((z.size() + 511) / 512);
  mbr[446 + 4] = static_cast<char>(0x83);
  mbr[446 + 8] = 1;  // LBA 1
  for (int i = 0; i < 4; ++i) mbr[446 + 12 + i] = static_cast<char>((sectors >> (8 * i)) & 0xff);
  mbr[510] = '\x55';
  mbr[511] = '\xaa';
  std::string disk = mbr + z;
  disk.resize(512 + sectors * 512, '\0');
  test::WriteFile(tmp / "disk.img", disk);
  auto r = test::Unpack(tmp / "disk.img", tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "cpio");
  ASSERT_NE(root, UINT32_MAX);
  const auto& o = r.tree.roots()[root].origin;
  ASSERT_GE(o.size(), 3u);
  EXPECT_EQ(o[0].handler, "mbr");
  EXPECT_EQ(o[1].handler, "zlib");
}

TEST(UnpackZlibHostile, BadHeaderCorruptAndTruncated) {
  test::TempDir tmp;
  ASSERT_TRUE(MakeZlibCpio(tmp, 6, tmp / "a.zlib"));
  const std::string z = test::ReadFile(tmp / "a.zlib");
  const Handler* h = FindHandler("zlib");
  ASSERT_TRUE(h->Identify(AsBytes(z), 0));
  std::string check = z;
  check[1] = static_cast<char>(check[1] ^ 0x01);  // FCHECK no longer a multiple of 31
  EXPECT_FALSE(h->Identify(AsBytes(check), 0));
  std::string junk = z.substr(0, 2) + std::string(1000, '\xff');  // not deflate data
  EXPECT_FALSE(h->Identify(AsBytes(junk), 0));
  // The Adler-32 trailer changed: the stream does not end cleanly, reported, data kept.
  std::string adler = z;
  adler[adler.size() - 1] = static_cast<char>(adler[adler.size() - 1] ^ 0xff);
  test::WriteFile(tmp / "adler.zlib", adler);
  auto r = test::Unpack(tmp / "adler.zlib", tmp / "out-adler");
  EXPECT_TRUE(test::HasProblem(r, "zlib: "));
  test::ExpectInside(r, tmp / "out-adler");
  // Cut before anything decodes: not claimed; cut later: what decoded is kept and reported.
  test::ForEachTruncation(tmp / "a.zlib", tmp.path(), {3, 100});
  test::ForEachTruncation(
      tmp / "a.zlib", tmp.path(), {z.size() / 2, z.size() - 2},
      [](std::uint64_t, const UnpackResult& cut) { EXPECT_TRUE(test::HasProblem(cut, "zlib: ")); });
}

}  // namespace
}  // namespace iotcop::unpack
