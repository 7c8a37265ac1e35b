// File: tests/unpack/integration/unpack_chk_test.cc
// Netgear CHK: a header written here from the published layout of OpenWrt's mkchkimg (its
// checksums computed by a transcription of the published algorithm), an LZMA "kernel" and a
// SquashFS of the known tree made by Debian's xz and mksquashfs, must give back the known tree
// through chk > squashfs with the rootfs scanned in place. Hostile variants: a bad header checksum
// or lying lengths are not claimed (the SquashFS is still carved), a bad rootfs checksum is a
// warning naming its offset, a cut image unpacks what it can.
#include <gtest/gtest.h>

#include <functional>

#include "support/container_fixture.h"
#include "support/fs_fixture.h"

namespace iotcop::unpack {
namespace {

// mkchkimg's netgear_checksum over `s`: running sums, each folded twice to 16 bits.
std::uint32_t ChkTestSum(const std::string& s) {
  std::uint32_t a = 0, b = 0;
  for (unsigned char c : s) {
    a += c;
    b += a;
  }
  for (int i = 0; i < 2; ++i) {
    a = (a & 0xffff) + (a >> 16);
    b = (b & 0xffff) + (b >> 16);
  }
  return (b & 0xffff) << 16 | (a & 0xffff);
}

// The CHK image as mkchkimg writes it; `patch` may change the header before its checksum.
std::string ChkImage(const test::ContainerPayload& p,
                     const std::string& board = "U12H072T00_NETGEAR",
                     const std::function<void(std::string&)>& patch = {}) {
  std::string h(40, '\0');
  test::PutBe(h, 0, 0x2a23245e);
  test::PutBe(h, 4, 40 + board.size());
  h[8] = 1;  // region WW, version 1.1.99
  h[9] = 1;
  h[10] = 1;
  h[11] = 99;
  test::PutBe(h, 0x10, ChkTestSum(p.kernel));
  test::PutBe(h, 0x14, ChkTestSum(p.rootfs));
  test::PutBe(h, 0x18, p.kernel.size());
  test::PutBe(h, 0x1c, p.rootfs.size());
  test::PutBe(h, 0x20, ChkTestSum(p.kernel + p.rootfs));
  h += board;
  if (patch) patch(h);
  test::PutBe(h, 0x24, ChkTestSum(h));
  return h + p.kernel + p.rootfs;
}

bool HaveChkTools() { return test::HaveTool("mksquashfs") && test::HaveTool("xz"); }

TEST(Chk, KernelAndRootfsScannedInPlace) {
  if (!HaveChkTools()) GTEST_SKIP() << "mksquashfs or xz not installed";
  test::TempDir tmp;
  const auto p = test::MakeContainerPayload(tmp);
  ASSERT_FALSE(p.rootfs.empty());
  const std::string img = ChkImage(p);
  auto r = test::UnpackBytes(tmp, "fw.chk", img);
  for (const auto& pr : r.problems) ADD_FAILURE() << "problem: " << pr.message;
  const std::uint32_t root = test::RootOf(r.tree, "squashfs");
  ASSERT_NE(root, UINT32_MAX);
  const auto& o = r.tree.roots()[root].origin;
  ASSERT_GE(o.size(), 2u);
  EXPECT_EQ(o[0].handler, "chk");
  EXPECT_EQ(o[0].offset, 0u);
  EXPECT_EQ(o[0].length, img.size());
  EXPECT_EQ(o[1].offset, 58 + p.kernel.size());  // in place: header, kernel, then the rootfs
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root), 60u);
  test::ExpectInside(r, tmp / "out-fw.chk");
}

// A header checksum that does not match, a board id of control bytes, lengths past the data: not
// claimed; the SquashFS is still carved by the scan.
TEST(ChkHostile, BadHeaderChecksumAndLyingLengthsAreNotClaimed) {
  if (!HaveChkTools()) GTEST_SKIP() << "mksquashfs or xz not installed";
  test::TempDir tmp;
  const auto p = test::MakeContainerPayload(tmp);
  ASSERT_FALSE(p.rootfs.empty());
  std::string bad_sum = ChkImage(p);
  bad_sum[0x27] = static_cast<char>(bad_sum[0x27] ^ 1);
  const auto huge = [](std::string& h) { test::PutBe(h, 0x1c, 0x7fffffff); };
  for (const auto& [name, img] :
       {std::pair{"headersum", bad_sum}, std::pair{"board", ChkImage(p, "U12\x01\x02")},
        std::pair{"rootfslen", ChkImage(p, "U12H072T00_NETGEAR", huge)}}) {
    test::ExpectSquashfsThrough(test::UnpackBytes(tmp, name, img), "squashfs", name);
  }
}

// A rootfs that does not match its checksum: claimed (the header checksum holds) with a warning
// naming the rootfs checksum's offset; the tree still comes out.
TEST(ChkHostile, BadRootfsChecksumIsAWarning) {
  if (!HaveChkTools()) GTEST_SKIP() << "mksquashfs or xz not installed";
  test::TempDir tmp;
  const auto p = test::MakeContainerPayload(tmp);
  ASSERT_FALSE(p.rootfs.empty());
  auto r = test::UnpackBytes(tmp, "fw.chk", ChkImage(p, "U12H072T00_NETGEAR", [](std::string& h) {
                               test::PutBe(h, 0x14, 0x12345678);
                             }));
  EXPECT_TRUE(test::HasProblemAt(r, "rootfs checksum", 0x14));
  test::ExpectSquashfsThrough(r, "chk", "rootfs checksum");
}

TEST(ChkHostile, TruncatedImage) {
  if (!HaveChkTools()) GTEST_SKIP() << "mksquashfs or xz not installed";
  test::TempDir tmp;
  const auto p = test::MakeContainerPayload(tmp);
  ASSERT_FALSE(p.rootfs.empty());
  const std::string img = ChkImage(p);
  test::WriteFile(tmp / "fw.chk", img);
  test::ExpectCutsNotClaimed(tmp / "fw.chk", tmp, {30, 58, img.size() / 2, img.size() - 9}, "chk");
}

}  // namespace
}  // namespace iotcop::unpack
