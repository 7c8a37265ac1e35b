// UBIFS images from mkfs.ubifs (every compressor it offers), standalone and inside a UBI image
// from ubinize, must unpack to the known tree byte for byte (contents, modes, owners, link
// targets); hostile variants warn with offsets and never escape.
#include <gtest/gtest.h>

#include "support/fs_fixture.h"
#include "support/test_support.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

const std::string kMkfs = "mkfs.ubifs -r \"$SRC\" -m 2048 -e 126976 -c 200 ";

struct UbifsCase {
  std::string name;
  std::string build;
};

class UbifsFixture : public ::testing::TestWithParam<UbifsCase> {};

TEST_P(UbifsFixture, SameTreeBackByteForByte) {
  if (!test::HaveTool("mkfs.ubifs") || !test::HaveTool("ubinize"))
    GTEST_SKIP() << "mtd-utils not installed";
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFsTree(tmp / "src"));
  const fs::path img = test::BuildImage(tmp.path(), tmp / "src", GetParam().build);
  ASSERT_FALSE(img.empty());
  auto r = test::Unpack(img, tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  EXPECT_GE(
      test::CompareWithSource(tmp / "src", r.tree, test::RootOf(r.tree, "ubifs"), {.owners = true}),
      60u);
  test::ExpectInside(r, tmp / "out");
}

INSTANTIATE_TEST_SUITE_P(
    Ubifs, UbifsFixture,
    ::testing::Values(
        UbifsCase{"lzo", kMkfs + "-x lzo -o \"$OUT\""},
        UbifsCase{"zlib", kMkfs + "-x zlib -o \"$OUT\""},
        UbifsCase{"none", kMkfs + "-x none -o \"$OUT\""},
        UbifsCase{"zstd", kMkfs + "-x zstd -o \"$OUT\""},
        UbifsCase{"in_ubi",
                  kMkfs +
                      "-x zlib -o \"$T/fs.ubifs\";"
                      "printf '[rootfs]\\nmode=ubi\\nimage=%s\\nvol_id=0\\nvol_type=dynamic\\n"
                      "vol_name=rootfs\\nvol_flags=autoresize\\n' \"$T/fs.ubifs\" > \"$T/u.ini\";"
                      "ubinize -o \"$OUT\" -p 128KiB -m 2048 \"$T/u.ini\""}),
    [](const ::testing::TestParamInfo<UbifsCase>& i) { return i.param.name; });

TEST(UbifsHostile, TruncatedAndCorruptNodesAreReported) {
  if (!test::HaveTool("mkfs.ubifs")) GTEST_SKIP() << "mtd-utils not installed";
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFsTree(tmp / "src"));
  const fs::path img = test::BuildImage(tmp.path(), tmp / "src", kMkfs + "-x lzo -o \"$OUT\"");
  ASSERT_FALSE(img.empty());
  const std::string d = test::ReadFile(img);
  // Corrupt one byte of /etc/init.d/rcS (stored uncompressed: LZO does not shrink it): the CRC
  // of its data node breaks and the index branch to it is reported.
  const std::size_t at = d.find("telnetd -l /bin/sh");
  ASSERT_NE(at, std::string::npos);
  test::Patch(img, tmp / "bad.img", at, "X");
  auto r = test::Unpack(tmp / "bad.img", tmp / "out");
  ASSERT_NE(test::RootOf(r.tree, "ubifs"), UINT32_MAX);
  EXPECT_TRUE(test::HasProblem(r, "missing or corrupt"));
  test::ExpectInside(r, tmp / "out");
  test::ForEachTruncation(img, tmp.path(), {3000, 126976 * 3 + 100, d.size() / 2, d.size() - 3000});
}

}  // namespace
}  // namespace iotcop::unpack
