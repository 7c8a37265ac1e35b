// File: tests/unpack/integration/unpack_vmlinux_test.cc
// Linux kernel ELF images: an ELF built here with gcc carrying the kernel banner, with a gzip'd
// cpio initramfs (Debian's cpio) added as .init.ramfs by objcopy, must give a "linux-kernel" note
// the components collector turns into the kernel component, and the initramfs tree byte for byte.
// Ordinary ELF programs (with a banner-like string but no kernel sections, or kernel sections but
// no banner) are not kernels; hostile section names never leave the output folder.
#include <gtest/gtest.h>

#include "core/fact_kinds.h"
#include "firmware/collector.h"
#include "support/fs_fixture.h"
#include "support/test_support.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

constexpr char kBanner[] =
    "Linux version 6.1.42-iotcop (builder@host) (gcc version 12.2.0) #1 SMP PREEMPT Mon Jan 1 "
    "00:00:00 UTC 2024";

bool HaveKernelTools() {
  return test::HaveTool("gcc") && test::HaveTool("objcopy") && test::HaveTool("cpio") &&
         test::HaveTool("gzip");
}

// An ELF from gcc; `banner` puts the kernel banner in .rodata, `section` adds the gzip'd cpio of
// the known tree under that section name (empty: none).
fs::path MakeElf(const test::TempDir& tmp, const std::string& name, bool banner,
                 const std::string& section) {
  if (!fs::exists(tmp / "src") && !test::MakeFsTree(tmp / "src")) return {};
  const std::string text = banner ? std::string(kBanner) : "hello from a program";
  std::string build =
      "cd \"$T\"; printf 'const char linux_banner[] = \"" + text +
      "\";\\nint main(void) { return linux_banner[0]; }\\n' > k.c; gcc -O1 -o k k.c;"
      "(cd \"$SRC\" && find . | cpio -o -H newc --quiet) | gzip -9 > ramfs.cpio.gz;";
  if (section.empty()) {
    build += "cp k \"$OUT\"";
  } else {
    build += "objcopy --add-section '" + section + "'=ramfs.cpio.gz --set-section-flags '" +
             section + "'=alloc,load,readonly,data k \"$OUT\"";
  }
  const fs::path img = test::BuildImage(tmp.path(), tmp / "src", build);
  if (img.empty()) return {};
  const fs::path out = tmp / name;
  fs::rename(img, out);
  return out;
}

bool FromKernel(const Tree& t, std::uint32_t root) {
  const auto& o = t.roots()[root].origin;
  return !o.empty() && o.front().handler == "vmlinux";
}

TEST(Vmlinux, BannerNoteComponentAndInitramfs) {
  if (!HaveKernelTools()) GTEST_SKIP() << "gcc, objcopy, cpio or gzip not installed";
  test::TempDir tmp;
  const fs::path img = MakeElf(tmp, "vmlinux", true, ".init.ramfs");
  ASSERT_FALSE(img.empty());
  auto r = test::Unpack(img, tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  ASSERT_EQ(r.tree.notes().size(), 1u);
  const Note& n = r.tree.notes()[0];
  EXPECT_EQ(n.kind, "linux-kernel");
  EXPECT_EQ(n.text, kBanner);
  EXPECT_EQ(n.container, "vmlinux");
  EXPECT_EQ(test::ReadFile(img).substr(n.offset, 13), "Linux version");
  ASSERT_EQ(n.origin.size(), 1u);
  EXPECT_EQ(n.origin[0].handler, "vmlinux");
  EXPECT_EQ(n.origin[0].length, fs::file_size(img));

  // The initramfs: vmlinux > gzip > cpio, the known tree byte for byte.
  const std::uint32_t root = test::RootOf(r.tree, "cpio");
  ASSERT_NE(root, UINT32_MAX);
  const auto& o = r.tree.roots()[root].origin;
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o[0].handler, "vmlinux");
  EXPECT_EQ(o[1].handler, "gzip");
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.modes = true}), 60u);
  EXPECT_NE(r.tree.roots()[root].name.find("vmlinux.init.ramfs"), std::string::npos)
      << r.tree.roots()[root].name;
  test::ExpectInside(r, tmp / "out");

  // The components collector names the kernel from the note, citing the banner.
  FactStore facts;
  std::vector<Problem> problems;
  firmware::CollectFirmware(firmware::FirmwareInput{r.tree, img.string()}, facts, problems);
  bool kernel = false;
  for (const Fact* f : facts.OfKind(facts::kComponent)) {
    if (f->value.value("name", "") != "linux" || f->evidence.path != "vmlinux") continue;
    kernel = true;
    EXPECT_EQ(f->value.value("version", ""), "6.1.42");
    EXPECT_EQ(f->evidence.path, "vmlinux");
    EXPECT_EQ(f->evidence.offset.value_or(0), n.offset);
    EXPECT_NE(f->evidence.excerpt.find("Linux version 6.1.42"), std::string::npos);
  }
  EXPECT_TRUE(kernel);
  bool os = false;
  for (const Fact* f : facts.OfKind(facts::kOperatingSystem)) {
    os = os || f->value.value("version", "") == "6.1.42";
  }
  EXPECT_TRUE(os);
}

// A program that prints a kernel-like banner, and a program with a kernel section name but no
// banner, are left to the ordinary scan (which still carves the gzip'd cpio of the second).
TEST(Vmlinux, OrdinaryProgramsAreNotKernels) {
  if (!HaveKernelTools()) GTEST_SKIP() << "gcc, objcopy, cpio or gzip not installed";
  test::TempDir tmp;
  const fs::path uname = MakeElf(tmp, "uname", true, "");
  const fs::path nobanner = MakeElf(tmp, "nobanner", false, ".init.ramfs");
  ASSERT_FALSE(uname.empty());
  ASSERT_FALSE(nobanner.empty());
  auto a = test::Unpack(uname, tmp / "out-a");
  EXPECT_TRUE(a.tree.notes().empty());
  auto b = test::Unpack(nobanner, tmp / "out-b");
  EXPECT_TRUE(b.tree.notes().empty());
  const std::uint32_t root = test::RootOf(b.tree, "cpio");
  ASSERT_NE(root, UINT32_MAX);
  EXPECT_FALSE(FromKernel(b.tree, root));
}

// In a root filesystem only the kernel is a kernel: /bin/prog (an ELF with the banner string but
// no kernel sections) and the system's /bin/ls are ordinary files.
TEST(Vmlinux, KernelInsideARootfs) {
  if (!HaveKernelTools() || !test::HaveTool("tar")) GTEST_SKIP() << "tools missing";
  test::TempDir tmp;
  const fs::path k = MakeElf(tmp, "vmlinux", true, ".init.ramfs");
  const fs::path prog = MakeElf(tmp, "prog", true, "");
  ASSERT_FALSE(k.empty());
  ASSERT_FALSE(prog.empty());
  auto b = test::RunShell("set -e; cd '" + tmp.path().string() +
                          "'; mkdir -p rootfs/boot rootfs/bin; cp vmlinux rootfs/boot/vmlinux-6.1;"
                          " cp prog rootfs/bin/prog; cp /bin/ls rootfs/bin/ls;"
                          " tar -C rootfs -cf rootfs.tar .");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto r = test::Unpack(tmp / "rootfs.tar", tmp / "out");
  ASSERT_EQ(r.tree.notes().size(), 1u);
  EXPECT_TRUE(r.tree.notes()[0].container.ends_with("/boot/vmlinux-6.1"))
      << r.tree.notes()[0].container;
  const std::uint32_t root = test::RootOf(r.tree, "cpio");
  ASSERT_NE(root, UINT32_MAX);
  EXPECT_EQ(r.tree.roots()[root].parent_path, "/boot/vmlinux-6.1");
}

// A section name that tries to climb out of the output folder, and a kernel cut short: the scan
// folders stay inside, the cut kernel is not mistaken for a complete one and nothing crashes.
TEST(VmlinuxHostile, EvilSectionNameAndTruncation) {
  if (!HaveKernelTools()) GTEST_SKIP() << "gcc, objcopy, cpio or gzip not installed";
  test::TempDir tmp;
  const fs::path img = MakeElf(tmp, "evil", true, "../../../../../../tmp/escape");
  ASSERT_FALSE(img.empty());
  // objcopy only adds a named section; give it a kernel section name as well.
  auto b = test::RunShell("cd '" + tmp.path().string() +
                          "' && objcopy --add-section .init.text=t/k.c evil evil2");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto r = test::Unpack(tmp / "evil2", tmp / "out");
  ASSERT_EQ(r.tree.notes().size(), 1u);
  const std::uint32_t root = test::RootOf(r.tree, "cpio");
  ASSERT_NE(root, UINT32_MAX);
  EXPECT_TRUE(FromKernel(r.tree, root));
  EXPECT_TRUE(r.tree.roots()[root].disk.string().starts_with((tmp / "out").string()))
      << r.tree.roots()[root].disk;
  EXPECT_FALSE(fs::exists("/tmp/escape"));
  test::ExpectInside(r, tmp / "out");
  const auto size = fs::file_size(tmp / "evil2");
  test::ForEachTruncation(tmp / "evil2", tmp.path(), {40, 100, size / 2, size - 10});
}

}  // namespace
}  // namespace iotcop::unpack
