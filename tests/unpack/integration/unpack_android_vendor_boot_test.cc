// File: tests/unpack/integration/unpack_android_vendor_boot_test.cc
// Android vendor_boot images: v3 made with Debian's mkbootimg (a gzip'd newc cpio of the known
// tree and a DTB), v4 with a vendor ramdisk table of two named fragments written here from AOSP's
// bootimg.h (Debian's mkbootimg writes no table): each ramdisk comes back; fragments outside the
// vendor ramdisk are reported at their table entry.
#include <gtest/gtest.h>

#include <cstring>
#include <tuple>

#include "support/disk_fixture.h"
#include "support/fs_fixture.h"
#include "support/test_support.h"
#include "unpack/handler.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

bool MakeVendorParts(const test::TempDir& tmp) {
  if (!test::MakeFsTree(tmp / "src")) return false;
  auto r = test::RunShell("set -e; cd '" + tmp.path().string() +
                          "'; (cd src && find . | cpio -o -H newc --quiet) | gzip > rd.gz;"
                          " mkdir -p two/etc && echo second > two/etc/second.txt;"
                          " (cd two && find . | cpio -o -H newc --quiet) | gzip > rd2.gz;"
                          " head -c 3000 /bin/cat > dtb");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0;
}

// vendor_boot_img_hdr_v4 (2128 bytes, 4096-byte pages): the two ramdisks back to back, the DTB,
// a table of two vendor_ramdisk_table_entry_v4 (108 bytes) and no bootconfig.
std::string VendorBootV4(const std::string& rd1, const std::string& rd2, const std::string& dtb) {
  const std::uint32_t page = 4096;
  std::string table;
  for (const auto& [off, size, name] :
       {std::tuple{0u, static_cast<std::uint32_t>(rd1.size()), "platform"},
        std::tuple{static_cast<std::uint32_t>(rd1.size()), static_cast<std::uint32_t>(rd2.size()),
                   "dlkm"}}) {
    std::string e(108, '\0');
    e.replace(0, 4, test::LeBytes(size, 4));
    e.replace(4, 4, test::LeBytes(off, 4));
    e.replace(8, 4, test::LeBytes(1, 4));
    e.replace(12, std::strlen(name), name);
    table += e;
  }
  std::string h(2128, '\0');
  h.replace(0, 8, "VNDRBOOT");
  h.replace(8, 4, test::LeBytes(4, 4));
  h.replace(12, 4, test::LeBytes(page, 4));
  h.replace(24, 4, test::LeBytes(static_cast<std::uint32_t>(rd1.size() + rd2.size()), 4));
  h.replace(2096, 4, test::LeBytes(2128, 4));
  h.replace(2100, 4, test::LeBytes(static_cast<std::uint32_t>(dtb.size()), 4));
  h.replace(2112, 4, test::LeBytes(static_cast<std::uint32_t>(table.size()), 4));
  h.replace(2116, 4, test::LeBytes(2, 4));
  h.replace(2120, 4, test::LeBytes(108, 4));
  return test::PadTo(h, page) + test::PadTo(rd1 + rd2, page) + test::PadTo(dtb, page) +
         test::PadTo(table, page);
}

TEST(UnpackAndroidVendorBoot, V3FromMkbootimg) {
  if (!test::HaveTool("mkbootimg")) GTEST_SKIP() << "mkbootimg not installed";
  test::TempDir tmp;
  ASSERT_TRUE(MakeVendorParts(tmp));
  auto b = test::RunShell("cd '" + tmp.path().string() +
                          "' && mkbootimg --header_version 3 --vendor_boot vb.img"
                          " --vendor_ramdisk rd.gz --dtb dtb --vendor_cmdline x");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto r = test::Unpack(tmp / "vb.img", tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const auto roots = test::RootsFrom(r, "android_vendor_boot", "cpio");
  ASSERT_EQ(roots.size(), 1u);
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, roots[0], {.modes = true}), 60u);
  test::ExpectInside(r, tmp / "out");
}

TEST(UnpackAndroidVendorBoot, V4RamdiskTable) {
  test::TempDir tmp;
  ASSERT_TRUE(MakeVendorParts(tmp));
  const std::string img = VendorBootV4(test::ReadFile(tmp / "rd.gz"),
                                       test::ReadFile(tmp / "rd2.gz"), test::ReadFile(tmp / "dtb"));
  test::WriteFile(tmp / "vb4.img", img);
  auto r = test::Unpack(tmp / "vb4.img", tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const auto roots = test::RootsFrom(r, "android_vendor_boot", "cpio");
  ASSERT_EQ(roots.size(), 2u);
  std::string names;
  for (std::uint32_t root : roots) names += r.tree.roots()[root].name + " ";
  EXPECT_NE(names.find("vendor_ramdisk0-platform"), std::string::npos) << names;
  EXPECT_NE(names.find("vendor_ramdisk1-dlkm"), std::string::npos) << names;
  std::size_t compared = 0;
  for (std::uint32_t root : roots) {
    if (r.tree.Find(root, "/etc/second.txt")) continue;
    compared = test::CompareWithSource(tmp / "src", r.tree, root, {.modes = true});
  }
  EXPECT_GE(compared, 60u);
}

TEST(UnpackAndroidVendorBootHostile, FragmentsOutsideAndBadHeaders) {
  test::TempDir tmp;
  ASSERT_TRUE(MakeVendorParts(tmp));
  std::string img = VendorBootV4(test::ReadFile(tmp / "rd.gz"), test::ReadFile(tmp / "rd2.gz"),
                                 test::ReadFile(tmp / "dtb"));
  const Handler* h = FindHandler("android_vendor_boot");
  ASSERT_TRUE(h->Identify(AsBytes(img), 0));
  // The table's offset: header page, ramdisk pages, DTB page.
  const std::uint64_t rd =
      test::ReadFile(tmp / "rd.gz").size() + test::ReadFile(tmp / "rd2.gz").size();
  const std::uint64_t table = 4096 + (rd + 4095) / 4096 * 4096 + 4096;
  std::string outside = img;
  outside.replace(table + 108 + 4, 4, test::LeBytes(0x10000000, 4));  // second fragment's offset
  test::WriteFile(tmp / "outside.img", outside);
  auto r = test::Unpack(tmp / "outside.img", tmp / "out-outside");
  EXPECT_TRUE(test::HasProblemAt(r, "vendor ramdisk entry 1", table + 108));
  EXPECT_EQ(test::RootsFrom(r, "android_vendor_boot", "cpio").size(), 1u);
  // More entries than the table holds; a version of 5; a page of 1000: not claimed.
  for (const auto& [at, value] : {std::pair{2116u, 3u}, std::pair{8u, 5u}, std::pair{12u, 1000u}}) {
    std::string bad = img;
    bad.replace(at, 4, test::LeBytes(value, 4));
    EXPECT_FALSE(h->Identify(AsBytes(bad), 0)) << at;
  }
  test::ForEachTruncation(tmp / "outside.img", tmp.path(), {100, 2200, 4096, 5000, table + 10});
}

}  // namespace
}  // namespace iotcop::unpack
