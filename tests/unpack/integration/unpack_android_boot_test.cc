// File: tests/unpack/integration/unpack_android_boot_test.cc
// Android boot images: versions 0 to 3 made with Debian's mkbootimg (a gzip "kernel", a gzip'd
// newc cpio ramdisk of the known tree, a DTB for v2), version 4 written here from AOSP's bootimg.h
// (Debian's mkbootimg stops at 3): every section is found at its page, the ramdisk's tree comes
// back; lying sizes and bad page sizes are refused or reported at an offset.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "support/disk_fixture.h"
#include "support/fs_fixture.h"
#include "support/test_support.h"
#include "unpack/handler.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

// k.gz (a gzip'd piece of /bin/ls), rd.gz (the known tree as a gzip'd newc cpio), dtb.
bool MakeBootParts(const test::TempDir& tmp) {
  if (!test::MakeFsTree(tmp / "src")) return false;
  auto r = test::RunShell("set -e; cd '" + tmp.path().string() +
                          "'; head -c 200000 /bin/ls | gzip > k.gz;"
                          " (cd src && find . | cpio -o -H newc --quiet) | gzip > rd.gz;"
                          " head -c 3000 /bin/cat > dtb");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0;
}

// boot_img_hdr_v4: v3's fields then signature_size; 4096-byte pages.
std::string BootV4(const std::string& kernel, const std::string& ramdisk, const std::string& sig) {
  std::string h(1584, '\0');
  h.replace(0, 8, "ANDROID!");
  h.replace(8, 4, test::LeBytes(static_cast<std::uint32_t>(kernel.size()), 4));
  h.replace(12, 4, test::LeBytes(static_cast<std::uint32_t>(ramdisk.size()), 4));
  h.replace(20, 4, test::LeBytes(1584, 4));
  h.replace(40, 4, test::LeBytes(4, 4));
  h.replace(44, 13, "console=ttyS0");
  h.replace(1580, 4, test::LeBytes(static_cast<std::uint32_t>(sig.size()), 4));
  return test::PadTo(h, 4096) + test::PadTo(kernel, 4096) + test::PadTo(ramdisk, 4096) +
         test::PadTo(sig, 4096);
}

std::uint32_t BootCpioRoot(const UnpackResult& r) {
  for (std::uint32_t i = 0; i < r.tree.roots().size(); ++i) {
    const auto& o = r.tree.roots()[i].origin;
    if (!o.empty() && o.front().handler == "android_boot" && o.back().handler == "cpio") return i;
  }
  return UINT32_MAX;
}

class UnpackAndroidBoot : public ::testing::TestWithParam<int> {};

TEST_P(UnpackAndroidBoot, SectionsAndRamdiskTree) {
  const int v = GetParam();
  test::TempDir tmp;
  ASSERT_TRUE(MakeBootParts(tmp));
  const fs::path img = tmp / "boot.img";
  if (v <= 3) {
    if (!test::HaveTool("mkbootimg")) GTEST_SKIP() << "mkbootimg not installed";
    auto b = test::RunShell(
        "cd '" + tmp.path().string() + "' && mkbootimg --header_version " + std::to_string(v) +
        " --kernel k.gz --ramdisk rd.gz --cmdline console=ttyS0 --board iotcop" +
        (v == 2 ? " --dtb dtb" : "") + " -o boot.img");
    ASSERT_EQ(b.exit_code, 0) << b.err;
  } else {
    test::WriteFile(img, BootV4(test::ReadFile(tmp / "k.gz"), test::ReadFile(tmp / "rd.gz"),
                                std::string(300, 'S')));
  }
  auto chunk = FindHandler("android_boot")->Identify(AsBytes(test::ReadFile(img)), 0);
  ASSERT_TRUE(chunk);
  EXPECT_NE(chunk->description.find(fmt::format("v{}", v)), std::string::npos)
      << chunk->description;
  EXPECT_EQ(chunk->length, fs::file_size(img));
  auto r = test::Unpack(img, tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = BootCpioRoot(r);
  ASSERT_NE(root, UINT32_MAX);
  const std::uint64_t page = v >= 3 ? 4096 : 2048;
  const std::uint64_t kpages = (fs::file_size(tmp / "k.gz") + page - 1) / page;
  EXPECT_EQ(r.tree.roots()[root].origin[1].offset, page * (1 + kpages));  // the ramdisk's gzip
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.modes = true}), 60u);
  bool cmdline = false;
  for (const auto& n : r.tree.notes())
    cmdline |= n.kind == "kernel-cmdline" && n.text == "console=ttyS0";
  EXPECT_TRUE(cmdline);
  test::ExpectInside(r, tmp / "out");
}

INSTANTIATE_TEST_SUITE_P(AndroidBoot, UnpackAndroidBoot, ::testing::Values(0, 1, 2, 3, 4),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return "v" + std::to_string(i.param);
                         });

TEST(UnpackAndroidBootHostile, LyingSizesAndPageSizes) {
  test::TempDir tmp;
  ASSERT_TRUE(MakeBootParts(tmp));
  const std::string good =
      BootV4(test::ReadFile(tmp / "k.gz"), test::ReadFile(tmp / "rd.gz"), std::string(300, 'S'));
  const Handler* h = FindHandler("android_boot");
  ASSERT_TRUE(h->Identify(AsBytes(good), 0));
  // A kernel size beyond the data: claimed up to the end, the kernel cut and reported.
  std::string lying = good;
  lying.replace(8, 4, test::LeBytes(0x7fffff00, 4));
  test::WriteFile(tmp / "lying.img", lying);
  auto r = test::Unpack(tmp / "lying.img", tmp / "out-lying");
  EXPECT_TRUE(test::HasProblemAt(r, "boot image kernel truncated", 4096));
  EXPECT_TRUE(test::HasProblemAt(r, "boot image ramdisk", 4096 + 0x80000000ull));
  test::ExpectInside(r, tmp / "out-lying");
  // No kernel, a header size below the structure's: not a boot image.
  std::string nokernel = good;
  nokernel.replace(8, 4, test::LeBytes(0, 4));
  EXPECT_FALSE(h->Identify(AsBytes(nokernel), 0));
  std::string small = good;
  small.replace(20, 4, test::LeBytes(100, 4));
  EXPECT_FALSE(h->Identify(AsBytes(small), 0));
  // v0-v2: a page size that is not a power of two from 2048.
  std::string v0(2048, '\0');
  v0.replace(0, 8, "ANDROID!");
  v0.replace(8, 4, test::LeBytes(10, 4));
  v0 += std::string(2048, 'k');
  for (std::uint32_t page : {0u, 1000u, 3000u, 1u << 20}) {
    v0.replace(36, 4, test::LeBytes(page, 4));
    EXPECT_FALSE(h->Identify(AsBytes(v0), 0)) << page;
  }
  v0.replace(36, 4, test::LeBytes(2048, 4));
  EXPECT_TRUE(h->Identify(AsBytes(v0), 0));
  test::ForEachTruncation(tmp / "lying.img", tmp.path(), {100, 1600, 4096, 5000});
}

}  // namespace
}  // namespace iotcop::unpack
