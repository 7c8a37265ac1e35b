// File: tests/unpack/integration/unpack_encrpted_img_test.cc
// D-Link encrpted_img: a UBI image made by Debian's ubinize around a SquashFS of the known tree,
// encrypted by the openssl tool with AES-256-CBC and the published key and IV (each 128 KiB erase
// block on its own, and as one chained stream), behind the 16-byte header, must give back the
// known tree through encrpted_img > ubi > squashfs. Hostile variants: a size that lies (past the
// data, not whole blocks), another key, a cut image: not claimed, and the coverage note still
// names the scheme as encrypted.
#include <gtest/gtest.h>

#include "support/container_fixture.h"
#include "support/fs_fixture.h"

namespace iotcop::unpack {
namespace {

std::string EncImgTestHex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

const std::string kEncImgTestKey = EncImgTestHex("he9-4+M!)d6=m~we1,q2a3d1n&2*Z^%8");
const std::string kEncImgTestIv = EncImgTestHex("J%1iQl8$=lm-;8AE");

// The UBI image (ubinize, 128 KiB erase blocks, one dynamic SquashFS volume), encrypted per
// erase block (`per_block`) or as one stream, with `key_hex`; header in front.
std::string EncImgTestBuild(const test::TempDir& tmp, bool per_block,
                            const std::string& key_hex = kEncImgTestKey) {
  const std::string fs = test::MakeContainerPayload(tmp).rootfs;
  if (fs.empty()) return "";
  test::WriteFile(tmp / "fs.sqfs", fs);
  const std::string enc = "openssl enc -aes-256-cbc -nopad -K " + key_hex + " -iv " + kEncImgTestIv;
  auto r = test::RunShell(
      "set -e; cd " + test::Q(tmp.path()) +
      "; printf '[rootfs]\\nmode=ubi\\nimage=fs.sqfs\\nvol_id=0\\nvol_type=dynamic\\n"
      "vol_name=rootfs\\n' > ubi.ini; ubinize -o ubi.img -p 128KiB -m 2048 -s 512 ubi.ini;"
      "rm -f peb.* cipher.bin;" +
      (per_block ? "split -b 131072 -d -a 4 ubi.img peb.; for f in peb.*; do " + enc +
                       " -in \"$f\" >> cipher.bin; done"
                 : enc + " -in ubi.img -out cipher.bin"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return "";
  const std::string cipher = test::ReadFile(tmp / "cipher.bin");
  std::string h = "encrpted_img";
  h.resize(16, '\0');
  test::PutBe(h, 12, cipher.size());
  return h + cipher;
}

bool HaveEncImgTools() {
  return test::HaveTool("mksquashfs") && test::HaveTool("xz") && test::HaveTool("openssl") &&
         test::HaveTool("ubinize");
}

bool EncImgNamedInCoverage(const UnpackResult& r) {
  for (const auto& u : r.unknown) {
    if (u.offset == 0 && u.note.find("encrpted_img") != std::string::npos &&
        u.note.find("encrypted") != std::string::npos) {
      return true;
    }
  }
  return false;
}

void EncImgTestExpectTree(const test::TempDir& tmp, const std::string& name,
                          const std::string& img) {
  auto r = test::UnpackBytes(tmp, name, img);
  for (const auto& p : r.problems) ADD_FAILURE() << name << ": problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "squashfs");
  ASSERT_NE(root, UINT32_MAX) << name;
  const auto& o = r.tree.roots()[root].origin;
  ASSERT_GE(o.size(), 3u) << name;
  EXPECT_EQ(o[0].handler, "encrpted_img") << name;
  EXPECT_EQ(o[0].length, img.size()) << name;
  EXPECT_EQ(o[1].handler, "ubi") << name;
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root), 60u) << name;
  test::ExpectInside(r, tmp / ("out-" + name));
}

TEST(EncrptedImg, DecryptsEachEraseBlockToTheKnownTree) {
  if (!HaveEncImgTools()) GTEST_SKIP() << "mksquashfs, xz, ubinize or openssl not installed";
  test::TempDir tmp;
  const std::string img = EncImgTestBuild(tmp, true);
  ASSERT_GT(img.size(), 2u * 0x20000);
  EncImgTestExpectTree(tmp, "blocks.bin", img);
}

// One CBC stream over the whole image: the first block of each erase block is found by chaining.
TEST(EncrptedImg, ChainedStreamAlsoGivesTheKnownTree) {
  if (!HaveEncImgTools()) GTEST_SKIP() << "mksquashfs, xz, ubinize or openssl not installed";
  test::TempDir tmp;
  const std::string img = EncImgTestBuild(tmp, false);
  ASSERT_GT(img.size(), 2u * 0x20000);
  EncImgTestExpectTree(tmp, "stream.bin", img);
}

TEST(EncrptedImgHostile, LyingSizeOtherKeyAndCutAreNotClaimed) {
  if (!HaveEncImgTools()) GTEST_SKIP() << "mksquashfs, xz, ubinize or openssl not installed";
  test::TempDir tmp;
  const std::string img = EncImgTestBuild(tmp, true);
  ASSERT_GT(img.size(), 2u * 0x20000);
  auto with_size = [&](std::uint64_t v) {
    std::string s = img;
    test::PutBe(s, 12, v);
    return s;
  };
  test::TempDir other_tmp;  // MakeFsTree wants a fresh folder
  const std::string other = EncImgTestBuild(other_tmp, true, std::string(64, '7'));
  ASSERT_EQ(other.size(), img.size());
  for (const auto& [name, bytes] :
       {std::pair{"past", with_size(img.size())},
        std::pair{"unaligned", with_size(img.size() - 17)}, std::pair{"otherkey", other},
        std::pair{"cut", img.substr(0, img.size() - 4096)}}) {
    auto r = test::UnpackBytes(tmp, name, bytes);
    EXPECT_EQ(test::RootOf(r.tree, "squashfs"), UINT32_MAX) << name;
    EXPECT_TRUE(EncImgNamedInCoverage(r)) << name;
    test::ExpectInside(r, tmp / (std::string("out-") + name));
  }
}

}  // namespace
}  // namespace iotcop::unpack
