// UBI images made by ubinize: every volume is rebuilt from its LEBs into a blob that the engine
// unpacks further (SquashFS volumes, dynamic and static, must give back the known tree byte for
// byte); hostile variants (bad header CRCs, truncation) warn with offsets and never escape.
#include <gtest/gtest.h>

#include "support/fs_fixture.h"
#include "support/test_support.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

const std::string kUbiBuild =
    "mksquashfs \"$SRC\" \"$T/a.sqfs\" -noappend -quiet -no-progress -comp xz;"
    "mksquashfs \"$SRC\" \"$T/b.sqfs\" -noappend -quiet -no-progress -comp gzip;"
    "printf '[rootfs]\\nmode=ubi\\nimage=%s\\nvol_id=0\\nvol_type=dynamic\\nvol_name=rootfs\\n"
    "[backup]\\nmode=ubi\\nimage=%s\\nvol_id=3\\nvol_type=static\\nvol_name=backup\\n' "
    "\"$T/a.sqfs\" \"$T/b.sqfs\" > \"$T/ubi.ini\";"
    "ubinize -o \"$OUT\" -p 128KiB -m 2048 -s 512 \"$T/ubi.ini\"";

bool HaveUbiTools() { return test::HaveTool("ubinize") && test::HaveTool("mksquashfs"); }

TEST(Ubi, DynamicAndStaticVolumesBackByteForByte) {
  if (!HaveUbiTools()) GTEST_SKIP() << "ubinize or mksquashfs not installed";
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFsTree(tmp / "src"));
  const fs::path img = test::BuildImage(tmp.path(), tmp / "src", kUbiBuild);
  ASSERT_FALSE(img.empty());
  auto r = test::Unpack(img, tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  // Two SquashFS roots, one per volume, each found inside the volume's blob.
  std::size_t roots = 0;
  for (std::uint32_t i = 0; i < r.tree.roots().size(); ++i) {
    const auto& o = r.tree.roots()[i].origin;
    if (o.size() < 2 || o.back().handler != "squashfs" || o[o.size() - 2].handler != "ubi")
      continue;
    ++roots;
    EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, i), 60u) << r.tree.roots()[i].name;
  }
  EXPECT_EQ(roots, 2u);
  test::ExpectInside(r, tmp / "out");
}

TEST(UbiHostile, BadVidCrcAndTruncationAreReported) {
  if (!HaveUbiTools()) GTEST_SKIP() << "ubinize or mksquashfs not installed";
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFsTree(tmp / "src"));
  const fs::path img = test::BuildImage(tmp.path(), tmp / "src", kUbiBuild);
  ASSERT_FALSE(img.empty());
  // The volume-id header of the third erase block (its offset is in the EC header): a flipped
  // sequence number byte breaks its CRC.
  const std::string d = test::ReadFile(img);
  std::uint64_t vid_off = 0;
  for (int i = 16; i < 20; ++i) vid_off = (vid_off << 8) | static_cast<std::uint8_t>(d[i]);
  const std::uint64_t vid = 2 * 131072 + vid_off;
  ASSERT_EQ(d.compare(vid, 4, "UBI!"), 0);
  test::Patch(img, tmp / "bad.ubi", vid + 47, std::string(1, static_cast<char>(d[vid + 47] ^ 1)));
  auto r = test::Unpack(tmp / "bad.ubi", tmp / "out");
  EXPECT_TRUE(test::HasProblem(r, "bad CRC"));
  for (const auto& p : r.problems) {
    if (p.message.find("bad CRC") != std::string::npos) {
      ASSERT_TRUE(p.offset.has_value());
      EXPECT_EQ(*p.offset, vid);
    }
  }
  test::ExpectInside(r, tmp / "out");
  test::ForEachTruncation(img, tmp.path(), {100, 131072 + 5000, d.size() / 2, d.size() - 70000});
}

}  // namespace
}  // namespace iotcop::unpack
