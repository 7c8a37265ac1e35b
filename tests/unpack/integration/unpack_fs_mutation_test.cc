// Mutated filesystem images (ext4, CramFS, ROMFS, FIT, UBI, UBIFS): bytes flipped at random (fixed
// seeds) in real fixtures; unpacking must finish, stay inside the output folder and keep going.
#include <gtest/gtest.h>

#include <random>

#include "support/fs_fixture.h"
#include "support/test_support.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

struct MutationCase {
  std::string name, tool, build;
};

class FsMutation : public ::testing::TestWithParam<MutationCase> {};

TEST_P(FsMutation, FlippedBytesNeverCrashOrEscape) {
  const MutationCase& c = GetParam();
  if (!test::HaveTool(c.tool)) GTEST_SKIP() << c.tool << " not installed";
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFsTree(tmp / "src"));
  const fs::path img = test::BuildImage(tmp.path(), tmp / "src", c.build);
  ASSERT_FALSE(img.empty());
  const std::string orig = test::ReadFile(img);
  std::mt19937_64 rng(0x10c0f5eed);
  for (int round = 0; round < 12; ++round) {
    std::string d = orig;
    // Mostly metadata: the first 64 KiB, where superblocks, tables and directories live.
    const std::size_t span = std::min<std::size_t>(d.size(), 65536);
    for (int k = 0; k < 8; ++k) d[rng() % span] = static_cast<char>(rng());
    for (int k = 0; k < 4; ++k) d[rng() % d.size()] = static_cast<char>(rng());
    test::WriteFile(tmp / "m.img", d);
    const fs::path out = tmp / ("out" + std::to_string(round));
    UnpackOptions o;
    o.out_dir = out;
    o.limits.max_total_bytes = 64u << 20;
    auto r = UnpackImage(tmp / "m.img", o);
    ASSERT_TRUE(r) << r.error().Describe();
    test::ExpectInside(*r, out);
    fs::remove_all(out);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Fs, FsMutation,
    ::testing::Values(
        MutationCase{"ext4", "mke2fs", "mke2fs -q -F -t ext4 -b 1024 -d \"$SRC\" \"$OUT\" 6M"},
        MutationCase{"ext2", "mke2fs", "mke2fs -q -F -t ext2 -b 1024 -d \"$SRC\" \"$OUT\" 4M"},
        MutationCase{"cramfs", "mkfs.cramfs", "mkfs.cramfs \"$SRC\" \"$OUT\" >/dev/null"},
        MutationCase{"romfs", "genromfs", "genromfs -d \"$SRC\" -f \"$OUT\""},
        MutationCase{"ubifs", "mkfs.ubifs",
                     "mkfs.ubifs -r \"$SRC\" -m 2048 -e 126976 -c 200 -o \"$OUT\""},
        MutationCase{
            "ubi", "ubinize",
            "mkfs.ubifs -r \"$SRC\" -m 2048 -e 126976 -c 200 -o \"$T/fs\";"
            "printf '[v]\\nmode=ubi\\nimage=%s\\nvol_id=0\\nvol_type=dynamic\\nvol_name=v\\n' "
            "\"$T/fs\" > \"$T/u.ini\"; ubinize -o \"$OUT\" -p 128KiB -m 2048 \"$T/u.ini\""},
        MutationCase{
            "fit", "mkimage",
            "printf '/dts-v1/;\\n/ { description = \"m\"; #address-cells = <1>; images { a {"
            " description = \"r\"; data = /incbin/(\"%s\"); type = \"ramdisk\"; arch = \"arm\";"
            " os = \"linux\";"
            " compression = \"none\"; hash-1 { algo = \"crc32\"; }; }; };"
            " configurations { default = \"c\"; c { ramdisk = \"a\"; }; }; };\\n' \"$T/r\" > "
            "\"$T/f.its\";"
            "genromfs -d \"$SRC\" -f \"$T/r\"; mkimage -f \"$T/f.its\" \"$OUT\" >/dev/null"}),
    [](const ::testing::TestParamInfo<MutationCase>& i) { return i.param.name; });

}  // namespace
}  // namespace iotcop::unpack
