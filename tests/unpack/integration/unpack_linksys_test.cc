// File: tests/unpack/integration/unpack_linksys_test.cc
// Linksys/Cybertan code pattern headers: a WRT54G-style image (32-byte header written here from
// the published layout of OpenWrt's addpattern, then a TRX v1 with an LZMA kernel and a SquashFS
// made by Debian's xz and mksquashfs) must give back the known tree through linksys > trx >
// squashfs; implausible headers are not claimed while the TRX inside is still found.
#include <gtest/gtest.h>

#include "support/fs_fixture.h"
#include "support/test_support.h"
#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

void PutLe32(std::string& s, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// TRX v1 (Broadcom): "HDR0", length, CRC-32 from offset 12, flags, version 1, three offsets.
std::string Trx(std::string kernel, const std::string& fs) {
  kernel.resize((kernel.size() + 3) & ~std::size_t{3}, '\0');
  std::string h(28, '\0');
  h.replace(0, 4, "HDR0");
  PutLe32(h, 4, static_cast<std::uint32_t>(28 + kernel.size() + fs.size()));
  h[14] = 1;  // version 1 (little-endian u16 at 14)
  PutLe32(h, 16, 28);
  PutLe32(h, 20, static_cast<std::uint32_t>(28 + kernel.size()));
  std::string img = h + kernel + fs;
  PutLe32(img, 8, ~handlers::Crc32(AsBytes(std::string_view(img).substr(12))));
  return img;
}

// struct code_header: magic[4], res1[4], fwdate[3], fwvern[3], id[4] "U2ND", hw_ver, unused,
// flags[2], res2[10].
std::string CodeHeader(const std::string& pattern, const std::string& res1, int year, int month,
                       int day) {
  std::string h(32, '\0');
  h.replace(0, 4, pattern);
  h.replace(4, 4, res1);
  h[8] = static_cast<char>(year);
  h[9] = static_cast<char>(month);
  h[10] = static_cast<char>(day);
  h[11] = 4;
  h[12] = 21;
  h[13] = 5;
  h.replace(14, 4, "U2ND");
  h[18] = 1;
  h[20] = 0x1f;
  return h;
}

// The TRX of an LZMA "kernel" and a SquashFS of the known tree.
std::string MakeTrx(const test::TempDir& tmp) {
  if (!test::MakeFsTree(tmp / "src")) return {};
  auto b = test::RunShell("set -e; cd '" + tmp.path().string() +
                          "'; mksquashfs src fs.sqfs -noappend -quiet -no-progress -comp xz;"
                          " head -c 100000 /bin/ls | xz --format=lzma > k.lzma");
  EXPECT_EQ(b.exit_code, 0) << b.err;
  if (b.exit_code != 0) return {};
  return Trx(test::ReadFile(tmp / "k.lzma"), test::ReadFile(tmp / "fs.sqfs"));
}

bool HaveLinksysTools() { return test::HaveTool("mksquashfs") && test::HaveTool("xz"); }

TEST(Linksys, W54gHeaderTrxSquashfs) {
  if (!HaveLinksysTools()) GTEST_SKIP() << "mksquashfs or xz not installed";
  test::TempDir tmp;
  const std::string trx = MakeTrx(tmp);
  ASSERT_FALSE(trx.empty());
  test::WriteFile(tmp / "fw.bin", CodeHeader("W54G", std::string(4, '\0'), 24, 11, 30) + trx);
  auto r = test::Unpack(tmp / "fw.bin", tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "squashfs");
  ASSERT_NE(root, UINT32_MAX);
  const auto& o = r.tree.roots()[root].origin;
  ASSERT_GE(o.size(), 3u);
  EXPECT_EQ(o[0].handler, "linksys");
  EXPECT_EQ(o[0].offset, 0u);
  EXPECT_EQ(o[0].length, 32 + trx.size());
  EXPECT_EQ(o[1].handler, "trx");
  EXPECT_EQ(o[1].offset, 32u);
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root), 60u);
  test::ExpectInside(r, tmp / "out");
}

// The "PBOT" marker variant (addpattern -b), with data after the TRX: the chunk ends with the TRX
// and the rest is reported as an unknown region.
TEST(Linksys, PbotVariantEndsWithTheTrx) {
  if (!HaveLinksysTools()) GTEST_SKIP() << "mksquashfs or xz not installed";
  test::TempDir tmp;
  const std::string trx = MakeTrx(tmp);
  ASSERT_FALSE(trx.empty());
  const std::string tail = test::ReadFile("/bin/ls").substr(5000, 3000);
  test::WriteFile(tmp / "fw.bin", CodeHeader("W54S", "PBOT", 7, 1, 12) + trx + tail);
  auto r = test::Unpack(tmp / "fw.bin", tmp / "out");
  const std::uint32_t root = test::RootOf(r.tree, "squashfs");
  ASSERT_NE(root, UINT32_MAX);
  EXPECT_EQ(r.tree.roots()[root].origin[0].handler, "linksys");
  bool tail_reported = false;
  for (const auto& u : r.unknown)
    tail_reported |= u.offset == 32 + trx.size() && u.container == "fw.bin";
  EXPECT_TRUE(tail_reported);
}

// A header with an impossible date or a pattern of control bytes is not claimed; the TRX after
// it is still carved by the scan.
TEST(LinksysHostile, ImplausibleHeadersAreNotClaimed) {
  if (!HaveLinksysTools()) GTEST_SKIP() << "mksquashfs or xz not installed";
  test::TempDir tmp;
  const std::string trx = MakeTrx(tmp);
  ASSERT_FALSE(trx.empty());
  for (const auto& [name, header] :
       {std::pair{"month13", CodeHeader("W54G", std::string(4, '\0'), 24, 13, 1)},
        std::pair{"day0", CodeHeader("W54G", std::string(4, '\0'), 24, 1, 0)},
        std::pair{"pattern",
                  CodeHeader(std::string("\x01\x02\x03\x04", 4), std::string(4, '\0'), 24, 1, 1)},
        std::pair{"res1", CodeHeader("W54G", "ABCD", 24, 1, 1)}}) {
    test::WriteFile(tmp / name, header + trx);
    auto r = test::Unpack(tmp / name, tmp / (std::string("out-") + name));
    const std::uint32_t root = test::RootOf(r.tree, "squashfs");
    ASSERT_NE(root, UINT32_MAX) << name;
    EXPECT_EQ(r.tree.roots()[root].origin[0].handler, "trx") << name;
    EXPECT_EQ(r.tree.roots()[root].origin[0].offset, 32u) << name;
  }
}

// A TRX whose length runs past the end of a cut image: the header's chunk is bounded by the data
// and the cut image unpacks what it can without escaping.
TEST(LinksysHostile, TruncatedImage) {
  if (!HaveLinksysTools()) GTEST_SKIP() << "mksquashfs or xz not installed";
  test::TempDir tmp;
  const std::string trx = MakeTrx(tmp);
  ASSERT_FALSE(trx.empty());
  const std::string img = CodeHeader("W54G", std::string(4, '\0'), 24, 11, 30) + trx;
  test::WriteFile(tmp / "fw.bin", img);
  test::ForEachTruncation(tmp / "fw.bin", tmp.path(), {20, 40, img.size() / 2, img.size() - 7},
                          [&](std::uint64_t cut, const UnpackResult& r) {
                            for (const auto& u : r.unknown) {
                              if (u.container == "cut-" + std::to_string(cut)) {
                                EXPECT_LE(u.offset + u.size, cut);
                              }
                            }
                          });
}

}  // namespace
}  // namespace iotcop::unpack
