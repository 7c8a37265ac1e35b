// File: tests/unpack/integration/unpack_seama_test.cc
// SEAMA: entities written here from the published layout of OpenWrt's seama.h/oseama (MD5 by the
// openssl tool) around a SquashFS of the known tree made by Debian's mksquashfs, alone and inside
// a seal with a second entity, must give back the known tree through seama > squashfs. Hostile
// variants: a bad MD5 and a cut image are warnings naming offsets with the SquashFS still found;
// meta data of control bytes or an oversized meta size is not claimed.
#include <gtest/gtest.h>

#include "support/container_fixture.h"
#include "support/fs_fixture.h"

namespace iotcop::unpack {
namespace {

const std::string kSeamaTestMeta = std::string("dev=/dev/mtdblock/1\0type=firmware\0\0\0", 36);

std::string SeamaMd5(const test::TempDir& tmp, const std::string& data) {
  test::WriteFile(tmp / "md5.in", data);
  auto r = test::RunShell("openssl dgst -md5 -binary " + test::Q(tmp / "md5.in") + " > " +
                          test::Q(tmp / "md5.out"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return test::ReadFile(tmp / "md5.out");
}

std::string SeamaEntity(const test::TempDir& tmp, const std::string& meta, const std::string& img) {
  std::string h(28, '\0');
  test::PutBe(h, 0, 0x5ea3a417, 4);
  test::PutBe(h, 6, meta.size(), 2);
  test::PutBe(h, 8, img.size(), 4);
  h.replace(12, 16, SeamaMd5(tmp, img));
  return h + meta + img;
}

std::string SeamaSeal(const std::string& meta, const std::string& entities) {
  std::string h(12, '\0');
  test::PutBe(h, 0, 0x5ea3a417, 4);
  test::PutBe(h, 6, meta.size(), 2);
  test::PutBe(h, 8, entities.size(), 4);
  return h + meta + entities;
}

bool HaveSeamaTools() {
  return test::HaveTool("mksquashfs") && test::HaveTool("xz") && test::HaveTool("openssl");
}

TEST(Seama, EntityWithSquashfs) {
  if (!HaveSeamaTools()) GTEST_SKIP() << "mksquashfs, xz or openssl not installed";
  test::TempDir tmp;
  const std::string fs_img = test::MakeContainerPayload(tmp).rootfs;
  ASSERT_FALSE(fs_img.empty());
  const std::string img = SeamaEntity(tmp, kSeamaTestMeta, fs_img);
  auto r = test::UnpackBytes(tmp, "fw.bin", img);
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "squashfs");
  ASSERT_NE(root, UINT32_MAX);
  const auto& o = r.tree.roots()[root].origin;
  ASSERT_GE(o.size(), 2u);
  EXPECT_EQ(o[0].handler, "seama");
  EXPECT_EQ(o[0].length, img.size());
  EXPECT_EQ(o[1].offset, 28 + kSeamaTestMeta.size());
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root), 60u);
  test::ExpectInside(r, tmp / "out-fw.bin");
}

// A seal (oseama's layout) holding a small entity and the SquashFS entity.
TEST(Seama, SealWithTwoEntities) {
  if (!HaveSeamaTools()) GTEST_SKIP() << "mksquashfs, xz or openssl not installed";
  test::TempDir tmp;
  const std::string fs_img = test::MakeContainerPayload(tmp).rootfs;
  ASSERT_FALSE(fs_img.empty());
  const std::string first = SeamaEntity(tmp, std::string("type=boot\0\0\0", 12),
                                        test::ReadFile("/bin/ls").substr(0, 4000));
  const std::string img = SeamaSeal(std::string("signature=wrgac25_dlink.2013gui_dir880\0\0", 40),
                                    first + SeamaEntity(tmp, kSeamaTestMeta, fs_img));
  auto r = test::UnpackBytes(tmp, "fw.bin", img);
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "squashfs");
  ASSERT_NE(root, UINT32_MAX);
  const auto& o = r.tree.roots()[root].origin;
  ASSERT_GE(o.size(), 3u);
  EXPECT_EQ(o[0].handler, "seama");
  EXPECT_EQ(o[0].length, img.size());
  EXPECT_EQ(o[1].handler, "seama");
  EXPECT_EQ(o[1].offset, 52 + first.size());  // after the seal header and its meta data
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root), 60u);
}

// A bad MD5: a warning at the digest's offset (12), the tree still comes out of the entity.
TEST(SeamaHostile, BadMd5IsAWarning) {
  if (!HaveSeamaTools()) GTEST_SKIP() << "mksquashfs, xz or openssl not installed";
  test::TempDir tmp;
  const std::string fs_img = test::MakeContainerPayload(tmp).rootfs;
  ASSERT_FALSE(fs_img.empty());
  std::string img = SeamaEntity(tmp, kSeamaTestMeta, fs_img);
  img[20] = static_cast<char>(img[20] ^ 0xff);
  auto r = test::UnpackBytes(tmp, "fw.bin", img);
  EXPECT_TRUE(test::HasProblemAt(r, "MD5", 12));
  test::ExpectSquashfsThrough(r, "seama", "bad MD5");
}

// Meta data of control bytes, a meta size past the data, an empty image: not claimed; the
// SquashFS is still carved by the scan.
TEST(SeamaHostile, ImplausibleHeadersAreNotClaimed) {
  if (!HaveSeamaTools()) GTEST_SKIP() << "mksquashfs, xz or openssl not installed";
  test::TempDir tmp;
  const std::string fs_img = test::MakeContainerPayload(tmp).rootfs;
  ASSERT_FALSE(fs_img.empty());
  std::string huge_meta = SeamaEntity(tmp, kSeamaTestMeta, fs_img);
  test::PutBe(huge_meta, 6, 0xfff0, 2);
  std::string empty = SeamaEntity(tmp, kSeamaTestMeta, fs_img);
  test::PutBe(empty, 8, 0, 4);
  for (const auto& [name, img] :
       {std::pair{"control", SeamaEntity(tmp, std::string("\x01\x02\x03\x04", 4), fs_img)},
        std::pair{"hugemeta", huge_meta}, std::pair{"empty", empty}}) {
    test::ExpectSquashfsThrough(test::UnpackBytes(tmp, name, img), "squashfs", name);
  }
}

// An image cut inside the SquashFS: the entity is bounded by the data with a warning naming the
// end; nothing is written outside.
TEST(SeamaHostile, TruncatedImage) {
  if (!HaveSeamaTools()) GTEST_SKIP() << "mksquashfs, xz or openssl not installed";
  test::TempDir tmp;
  const std::string fs_img = test::MakeContainerPayload(tmp).rootfs;
  ASSERT_FALSE(fs_img.empty());
  const std::string img = SeamaEntity(tmp, kSeamaTestMeta, fs_img);
  test::WriteFile(tmp / "fw.bin", img);
  const std::uint64_t cut = img.size() - 1000;
  test::ForEachTruncation(
      tmp / "fw.bin", tmp.path(), {10, 40, img.size() / 2, cut},
      [&](std::uint64_t n, const UnpackResult& r) {
        if (n != cut) return;
        bool warned = false;
        for (const auto& p : r.problems)
          warned |= p.offset == cut && p.message.find("SEAMA image truncated") != std::string::npos;
        EXPECT_TRUE(warned);
      });
}

}  // namespace
}  // namespace iotcop::unpack
