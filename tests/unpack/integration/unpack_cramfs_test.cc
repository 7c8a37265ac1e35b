// CramFS fixtures from mkfs.cramfs (both byte orders) must unpack to the known tree byte for byte;
// an image with extended (direct, uncompressed) block pointers and holes is built here by hand
// as the kernel documents them; hostile variants warn with offsets and never escape.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>

#include "support/fs_fixture.h"
#include "support/test_support.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

class CramfsFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(CramfsFixture, SameTreeBackByteForByte) {
  if (!test::HaveTool("mkfs.cramfs")) GTEST_SKIP() << "mkfs.cramfs not installed";
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFsTree(tmp / "src"));
  const fs::path img =
      test::BuildImage(tmp.path(), tmp / "src",
                       "mkfs.cramfs -N " + GetParam() + " -n fixture \"$SRC\" \"$OUT\" >/dev/null");
  ASSERT_FALSE(img.empty());
  auto r = test::Unpack(img, tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, test::RootOf(r.tree, "cramfs")), 60u);
  test::ExpectInside(r, tmp / "out");
}

INSTANTIATE_TEST_SUITE_P(Cramfs, CramfsFixture, ::testing::Values("little", "big"));

void Put32(std::string& s, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>(v >> (8 * i));
}
std::uint32_t Get32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<std::uint8_t>(s[at + i]);
  return v;
}
// A little-endian cramfs inode.
std::string Inode(std::uint32_t mode, std::uint32_t size, std::uint32_t namelen4,
                  std::uint32_t off) {
  std::string s(12, '\0');
  Put32(s, 0, mode);
  Put32(s, 4, size);
  Put32(s, 8, namelen4 | ((off / 4) << 6));
  return s;
}
std::string Zlib(const std::string& in) {
  uLongf n = compressBound(in.size());
  std::string out(n, '\0');
  EXPECT_EQ(compress(reinterpret_cast<Bytef*>(out.data()), &n,
                     reinterpret_cast<const Bytef*>(in.data()), in.size()),
            Z_OK);
  out.resize(n);
  return out;
}
void Align(std::string& s) { s.resize((s.size() + 3) & ~std::size_t{3}, '\0'); }
void FixCrc(std::string& img) {
  Put32(img, 32, 0);
  Put32(
      img, 32,
      static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(img.data()), img.size())));
}

TEST(CramfsExtBlockPointers, DirectUncompressedAndHolesReadAsTheKernelDoes) {
  std::string a(6000, '\0'), b(9000, '\0');
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<char>('a' + i % 23);
  for (std::size_t i = 0; i < 8192; ++i)
    b[i] = static_cast<char>('0' + i % 10);  // last block: hole
  constexpr std::uint32_t kUncompressed = 1u << 31, kDirect = 1u << 30;
  std::string img(64, '\0');
  img += Inode(040755, 48, 0, 76);  // root directory: two entries of 24 bytes at 76
  img += Inode(0100644, 6000, 3, 124) + std::string("direct.bin\0\0", 12);
  img += Inode(0100755, 9000, 3, 132) + std::string("mixed.bin\0\0\0", 12);
  const std::size_t ptr_a = img.size(), ptr_b = ptr_a + 8;
  img.resize(ptr_b + 12, '\0');
  // direct.bin: block 0 stored uncompressed and direct, block 1 compressed and direct.
  const std::size_t a0 = img.size();
  img += a.substr(0, 4096);
  const std::size_t a1 = img.size();
  const std::string z1 = Zlib(a.substr(4096));
  img += std::string{static_cast<char>(z1.size() & 0xff), static_cast<char>(z1.size() >> 8)} + z1;
  Align(img);
  Put32(img, ptr_a, static_cast<std::uint32_t>(a0 >> 2) | kUncompressed | kDirect);
  Put32(img, ptr_a + 4, static_cast<std::uint32_t>(a1 >> 2) | kDirect);
  // mixed.bin: block 0 direct uncompressed, block 1 an ordinary pointer that starts where the
  // direct block ends, block 2 a hole (empty block).
  const std::size_t b0 = img.size();
  img += b.substr(0, 4096);
  img += Zlib(b.substr(4096, 4096));
  Put32(img, ptr_b, static_cast<std::uint32_t>(b0 >> 2) | kUncompressed | kDirect);
  Put32(img, ptr_b + 4, static_cast<std::uint32_t>(img.size()));
  Put32(img, ptr_b + 8, static_cast<std::uint32_t>(img.size()));
  Align(img);
  Put32(img, 0, 0x28cd3d45);
  Put32(img, 4, static_cast<std::uint32_t>(img.size()));
  Put32(img, 8, 0x1 | 0x100 | 0x800);  // version 2, holes, extended block pointers
  std::memcpy(img.data() + 16, "Compressed ROMFS", 16);
  Put32(img, 44, 3);
  std::memcpy(img.data() + 48, "xip", 3);
  FixCrc(img);

  test::TempDir tmp;
  test::WriteFile(tmp / "x.img", img);
  auto r = test::Unpack(tmp / "x.img", tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "cramfs");
  ASSERT_NE(root, UINT32_MAX);
  const Entry* ea = r.tree.Find(root, "/direct.bin");
  const Entry* eb = r.tree.Find(root, "/mixed.bin");
  ASSERT_TRUE(ea && eb);
  EXPECT_TRUE(test::ReadFile(ea->disk) == a);
  EXPECT_TRUE(test::ReadFile(eb->disk) == b);
  EXPECT_EQ(eb->mode, 0755u);
}

fs::path MakeCramfs(const test::TempDir& tmp) {
  if (!test::MakeFsTree(tmp / "src")) return {};
  return test::BuildImage(tmp.path(), tmp / "src",
                          "mkfs.cramfs -N little \"$SRC\" \"$OUT\" >/dev/null");
}

TEST(CramfsHostile, TruncatedAtSeveralOffsets) {
  if (!test::HaveTool("mkfs.cramfs")) GTEST_SKIP() << "mkfs.cramfs not installed";
  test::TempDir tmp;
  const fs::path img = MakeCramfs(tmp);
  ASSERT_FALSE(img.empty());
  const auto size = fs::file_size(img);
  test::ForEachTruncation(img, tmp.path(), {70, 200, 3000, size / 2, size - 100},
                          [](std::uint64_t, const UnpackResult& r) {
                            if (test::RootOf(r.tree, "cramfs") != UINT32_MAX) {
                              EXPECT_TRUE(test::HasProblem(r, "truncated"));
                            }
                          });
}

TEST(CramfsHostile, CrcMismatchAndDirectoryLoopAreReported) {
  if (!test::HaveTool("mkfs.cramfs")) GTEST_SKIP() << "mkfs.cramfs not installed";
  test::TempDir tmp;
  const fs::path img = MakeCramfs(tmp);
  ASSERT_FALSE(img.empty());
  std::string d = test::ReadFile(img);
  // Point the root's "etc" entry at the root directory itself.
  const std::uint32_t root_word = Get32(d, 64 + 8);
  const std::uint32_t root_off = (root_word >> 6) * 4;
  std::size_t pos = root_off, found = 0;
  while (pos + 12 < d.size() && pos < root_off + (Get32(d, 64 + 4) & 0xffffff)) {
    const std::uint32_t w = Get32(d, pos + 8);
    const std::uint32_t namelen = (w & 0x3f) * 4;
    if (d.compare(pos + 12, 4, std::string("etc\0", 4)) == 0) found = pos;
    pos += 12 + namelen;
  }
  ASSERT_NE(found, 0u);
  Put32(d, found + 8, (Get32(d, found + 8) & 0x3f) | ((root_off / 4) << 6));
  test::WriteFile(tmp / "loop.img", d);
  auto r = test::Unpack(tmp / "loop.img", tmp / "out");
  const std::uint32_t root = test::RootOf(r.tree, "cramfs");
  ASSERT_NE(root, UINT32_MAX);
  EXPECT_TRUE(test::HasProblem(r, "CRC"));
  EXPECT_TRUE(test::HasProblem(r, "loop"));
  EXPECT_NE(r.tree.Find(root, "/bin/busybox", false), nullptr);
  test::ExpectInside(r, tmp / "out");
}

TEST(CramfsHostile, LyingSizeIsBoundedByTheInput) {
  if (!test::HaveTool("mkfs.cramfs")) GTEST_SKIP() << "mkfs.cramfs not installed";
  test::TempDir tmp;
  const fs::path img = MakeCramfs(tmp);
  ASSERT_FALSE(img.empty());
  std::string d = test::ReadFile(img);
  // The superblock claims 2 GiB (CRC recomputed so only the size lies).
  Put32(d, 4, 0x7ffffff0);
  FixCrc(d);
  test::WriteFile(tmp / "lie.img", d);
  auto r = test::Unpack(tmp / "lie.img", tmp / "out");
  ASSERT_NE(test::RootOf(r.tree, "cramfs"), UINT32_MAX);
  EXPECT_TRUE(test::HasProblem(r, "truncated"));
  test::ExpectInside(r, tmp / "out");
}

}  // namespace
}  // namespace iotcop::unpack
