// File: tests/unpack/integration/unpack_tplink_safeloader_test.cc
// TP-Link safeloader: a factory image written here from the layout of OpenWrt's tplink-safeloader
// (image size, MD5 of the published salt and the rest computed by the openssl tool, vendor block,
// "fwup-ptn" table at 0x1014 with bases from there) around partition-table, soft-version,
// support-list, an LZMA os-image and a SquashFS file-system of the known tree made by Debian's xz
// and mksquashfs, must give back the known tree through tplink_safeloader > squashfs with the
// file-system scanned in place. Hostile variants: a wrong MD5 is a warning naming offset 4; an
// image size or partition beyond the data, a garbled table are not claimed (the SquashFS is still
// carved); a cut image unpacks what it can.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <vector>

#include "support/container_fixture.h"
#include "support/fs_fixture.h"

namespace iotcop::unpack {
namespace {

constexpr const char* kSafeTestSaltHex = "7a2b15ed9b98596de504ab44ac2a9f4e";

struct SafeTestPart {
  std::string name;
  std::string data;
};

// MD5 of the published salt followed by `rest`, by the openssl tool.
std::string SafeTestMd5(const test::TempDir& tmp, const std::string& rest) {
  std::string salt;
  for (int i = 0; i < 32; i += 2)
    salt += static_cast<char>(std::stoi(std::string(kSafeTestSaltHex + i, 2), nullptr, 16));
  test::WriteFile(tmp / "md5-in.bin", salt + rest);
  auto r = test::RunShell("openssl dgst -md5 -binary " + test::Q(tmp / "md5-in.bin") + " > " +
                          test::Q(tmp / "md5-out.bin"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return test::ReadFile(tmp / "md5-out.bin");
}

struct SafeTestImage {
  std::string image;
  std::uint64_t fs_at = 0;  // where the file-system partition starts
};

// generate_factory_image: 0xFF fill, size, MD5, vendor length and text, table at 0x1014 (bases
// from 0x1014, the first partition at 0x800), partitions back to back. `table_extra` is appended
// to the table text (hostile lines).
SafeTestImage SafeTestBuild(const test::TempDir& tmp, const std::vector<SafeTestPart>& parts,
                            const std::string& table_extra = "") {
  SafeTestImage out;
  std::string table;
  std::string body;
  std::uint64_t base = 0x800;
  for (const auto& p : parts) {
    table +=
        fmt::format("fwup-ptn {} base 0x{:05x} size 0x{:05x}\t\r\n", p.name, base, p.data.size());
    if (p.name == "file-system") out.fs_at = 0x1014 + base;
    body += p.data;
    base += p.data.size();
  }
  table += table_extra;
  std::string img(0x1814, '\xff');
  img += body;
  test::PutBe(img, 0, img.size());
  const std::string vendor = "CPE510(TP-LINK|UN|N300-5):1.0\r\n";
  test::PutBe(img, 0x14, vendor.size());
  img.replace(0x18, vendor.size(), vendor);
  img.replace(0x1014, table.size(), table);
  img[0x1014 + table.size()] = '\0';
  img.replace(4, 16, SafeTestMd5(tmp, img.substr(0x14)));
  out.image = img;
  return out;
}

std::vector<SafeTestPart> SafeTestParts(const test::ContainerPayload& p) {
  return {{"partition-table",
           "partition fs-uboot base 0x00000 size 0x20000\n"
           "partition os-image base 0x40000 size 0x1c0000\n"},
          {"soft-version", std::string("\0\0\0\x0c\0\0\0\0soft_ver:1.0.0\n", 23)},
          {"support-list", "SupportList:\r\nCPE510(TP-LINK|UN|N300-5):1.0\r\n"},
          {"os-image", p.kernel},
          {"file-system", p.rootfs}};
}

bool HaveSafeTestTools() {
  return test::HaveTool("mksquashfs") && test::HaveTool("xz") && test::HaveTool("openssl");
}

TEST(TplinkSafeloader, PartitionsScannedInPlace) {
  if (!HaveSafeTestTools()) GTEST_SKIP() << "mksquashfs, xz or openssl not installed";
  test::TempDir tmp;
  const auto p = test::MakeContainerPayload(tmp);
  ASSERT_FALSE(p.rootfs.empty());
  const auto f = SafeTestBuild(tmp, SafeTestParts(p));
  auto r = test::UnpackBytes(tmp, "factory.bin", f.image);
  for (const auto& pr : r.problems) ADD_FAILURE() << "problem: " << pr.message;
  const std::uint32_t root = test::RootOf(r.tree, "squashfs");
  ASSERT_NE(root, UINT32_MAX);
  const auto& o = r.tree.roots()[root].origin;
  ASSERT_GE(o.size(), 2u);
  EXPECT_EQ(o[0].handler, "tplink_safeloader");
  EXPECT_EQ(o[0].offset, 0u);
  EXPECT_EQ(o[0].length, f.image.size());
  EXPECT_EQ(o[1].offset, f.fs_at);  // in place, at the table's base for file-system
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root), 60u);
  test::ExpectInside(r, tmp / "out-factory.bin");
}

// The MD5 does not match (another salt, or a changed byte): claimed, a warning at offset 4, and
// the tree still comes out.
TEST(TplinkSafeloaderHostile, BadMd5IsAWarning) {
  if (!HaveSafeTestTools()) GTEST_SKIP() << "mksquashfs, xz or openssl not installed";
  test::TempDir tmp;
  const auto p = test::MakeContainerPayload(tmp);
  ASSERT_FALSE(p.rootfs.empty());
  std::string img = SafeTestBuild(tmp, SafeTestParts(p)).image;
  img[4] = static_cast<char>(img[4] ^ 1);
  auto r = test::UnpackBytes(tmp, "factory.bin", img);
  EXPECT_TRUE(test::HasProblemAt(r, "MD5", 4));
  test::ExpectSquashfsThrough(r, "tplink_safeloader", "md5");
}

// An image size past the data, a partition past the image size, a table line that does not
// parse: not claimed; the SquashFS is still carved by the scan.
TEST(TplinkSafeloaderHostile, LyingSizesAndBadTableAreNotClaimed) {
  if (!HaveSafeTestTools()) GTEST_SKIP() << "mksquashfs, xz or openssl not installed";
  test::TempDir tmp;
  const auto p = test::MakeContainerPayload(tmp);
  ASSERT_FALSE(p.rootfs.empty());
  const auto parts = SafeTestParts(p);
  std::string big = SafeTestBuild(tmp, parts).image;
  test::PutBe(big, 0, big.size() + 0x1000);
  std::string past =
      SafeTestBuild(tmp, parts, "fwup-ptn extra base 0x800 size 0x7fffffff\t\r\n").image;
  std::string garbled = SafeTestBuild(tmp, parts, "fwup-ptn bad base 0xZZ size 0x10\t\r\n").image;
  for (const auto& [name, img] :
       {std::pair{"size", big}, std::pair{"partition", past}, std::pair{"table", garbled}}) {
    test::ExpectSquashfsThrough(test::UnpackBytes(tmp, name, img), "squashfs", name);
  }
}

TEST(TplinkSafeloaderHostile, TruncatedImage) {
  if (!HaveSafeTestTools()) GTEST_SKIP() << "mksquashfs, xz or openssl not installed";
  test::TempDir tmp;
  const auto p = test::MakeContainerPayload(tmp);
  ASSERT_FALSE(p.rootfs.empty());
  const auto f = SafeTestBuild(tmp, SafeTestParts(p));
  test::WriteFile(tmp / "factory.bin", f.image);
  test::ExpectCutsNotClaimed(tmp / "factory.bin", tmp,
                             {0x20, 0x1020, f.fs_at + 100, f.image.size() - 9},
                             "tplink_safeloader");
}

}  // namespace
}  // namespace iotcop::unpack
