// File: tests/unpack/integration/unpack_dlob_test.cc
// D-Link DLOB images as binwalk v3 describes them (src/structures/dlob.rs): a first header
// (magic 0x5EA3A417, 32-bit meta-data size, data size 0) with its meta data, then a second header
// with the same magic, its data size and 16 bytes (the MD5 of the data), meta data and the data.
// That is SEAMA's seal holding one entity, and the seama handler opens it: an LZMA kernel and a
// SquashFS of the known tree (Debian's xz and mksquashfs) must come out through seama > seama >
// squashfs; a data MD5 that does not match is a warning naming its offset.
#include <gtest/gtest.h>

#include "support/container_fixture.h"
#include "support/fs_fixture.h"

namespace iotcop::unpack {
namespace {

std::string DlobTestMd5(const test::TempDir& tmp, const std::string& data) {
  test::WriteFile(tmp / "dlob-data.bin", data);
  auto r = test::RunShell("openssl dgst -md5 -binary " + test::Q(tmp / "dlob-data.bin") + " > " +
                          test::Q(tmp / "dlob-md5.bin"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return test::ReadFile(tmp / "dlob-md5.bin");
}

std::string DlobTestBuild(const test::TempDir& tmp, const test::ContainerPayload& p) {
  const std::string meta1("signature=wapac28_dlink.2015_dap1610\0\0\0\0", 40);
  const std::string meta2("dev=/dev/mtdblock/2\0type=firmware\0\0", 36);
  const std::string data = p.kernel + p.rootfs;
  std::string h1(12, '\0');
  test::PutBe(h1, 0, 0x5ea3a417);
  test::PutBe(h1, 4, meta1.size());
  std::string h2(28, '\0');
  test::PutBe(h2, 0, 0x5ea3a417);
  test::PutBe(h2, 4, meta2.size());
  test::PutBe(h2, 8, data.size());
  h2.replace(12, 16, DlobTestMd5(tmp, data));
  return h1 + meta1 + h2 + meta2 + data;
}

bool HaveDlobTools() {
  return test::HaveTool("mksquashfs") && test::HaveTool("xz") && test::HaveTool("openssl");
}

TEST(Dlob, OpensThroughTheSeamaHandler) {
  if (!HaveDlobTools()) GTEST_SKIP() << "mksquashfs, xz or openssl not installed";
  test::TempDir tmp;
  const auto p = test::MakeContainerPayload(tmp);
  ASSERT_FALSE(p.rootfs.empty());
  const std::string img = DlobTestBuild(tmp, p);
  auto r = test::UnpackBytes(tmp, "dlob.bin", img);
  for (const auto& pr : r.problems) ADD_FAILURE() << "problem: " << pr.message;
  const std::uint32_t root = test::RootOf(r.tree, "squashfs");
  ASSERT_NE(root, UINT32_MAX);
  const auto& o = r.tree.roots()[root].origin;
  ASSERT_GE(o.size(), 3u);
  EXPECT_EQ(o[0].handler, "seama");
  EXPECT_EQ(o[0].length, img.size());
  EXPECT_EQ(o[1].handler, "seama");
  EXPECT_EQ(o[1].offset, 12u + 40u);  // the second header, inside the first's payload
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root), 60u);
  test::ExpectInside(r, tmp / "out-dlob.bin");
}

TEST(DlobHostile, DataMd5MismatchIsAWarning) {
  if (!HaveDlobTools()) GTEST_SKIP() << "mksquashfs, xz or openssl not installed";
  test::TempDir tmp;
  const auto p = test::MakeContainerPayload(tmp);
  ASSERT_FALSE(p.rootfs.empty());
  std::string img = DlobTestBuild(tmp, p);
  img[52 + 12] = static_cast<char>(img[52 + 12] ^ 1);
  auto r = test::UnpackBytes(tmp, "dlob.bin", img);
  // The entity is found in the seal's payload, scanned in place as a view of its own starting at
  // the second header: the warning names the MD5 field's offset in that view.
  EXPECT_TRUE(test::HasProblemAt(r, "MD5", 12));
  EXPECT_NE(test::RootOf(r.tree, "squashfs"), UINT32_MAX);
}

}  // namespace
}  // namespace iotcop::unpack
