// Fixtures built at test time with the real Debian tools from one known tree; every format must
// give back the same tree byte for byte (contents, modes, symlink targets).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <map>

#include "support/fs_fixture.h"
#include "support/test_support.h"
#include "unpack/engine.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

// The known tree: a real binary, text files with their usual modes, setuid, an empty file, an empty
// private folder, a larger file spanning many blocks, relative and absolute symlinks.
void MakeKnownTree(const fs::path& src) {
  const std::string s = src.string();
  auto r = test::RunShell(
      "set -e; mkdir -p '" + s + "'; cd '" + s +
      "'; umask 022;"
      "mkdir -p bin etc/init.d usr/sbin var/empty www/cgi-bin;"
      "cp /bin/ls bin/busybox; chmod 0755 bin/busybox;"
      "printf 'root:x:0:0:root:/root:/bin/sh\\nadmin:x:0:0::/:/bin/sh\\n' > etc/passwd.bak; chmod "
      "0644 etc/passwd.bak;"
      "printf 'root:$1$abc$xyz:0:0:99999:7:::\\n' > etc/shadow; chmod 0600 etc/shadow;"
      "printf '#!/bin/sh\\ntelnetd -l /bin/sh\\n' > etc/init.d/rcS; chmod 0755 etc/init.d/rcS;"
      "cp /bin/true usr/sbin/suidtool; chmod 4755 usr/sbin/suidtool;"
      "chmod 0700 var/empty; : > etc/empty.conf; chmod 0640 etc/empty.conf;"
      "head -c 1500000 /usr/bin/bash > www/big.bin 2>/dev/null || head -c 1500000 /bin/sh > "
      "www/big.bin;"
      "chmod 0644 www/big.bin;"
      "printf 'hello' > www/cgi-bin/index.cgi; chmod 0751 www/cgi-bin/index.cgi;"
      "ln -s /var/passwd etc/passwd; ln -s ../bin/busybox usr/sbin/telnetd; ln -s busybox bin/sh");
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

struct Case {
  std::string name;
  std::vector<std::string> tools;
  std::string build;  // shell; $SRC is the tree, $OUT the image to write, $T a scratch folder
  bool modes = true;  // the format stores permission bits
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::string ReadAll(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

// The root holding the tree: the one with the most entries.
std::uint32_t MainRoot(const Tree& t) {
  std::vector<std::size_t> n(t.roots().size());
  for (const auto& e : t.entries()) n[e.root]++;
  return static_cast<std::uint32_t>(std::max_element(n.begin(), n.end()) - n.begin());
}

void CompareTrees(const fs::path& src, const Tree& tree, std::uint32_t root, bool modes) {
  std::size_t compared = 0;
  for (auto it = fs::recursive_directory_iterator(src); it != fs::recursive_directory_iterator();
       ++it) {
    const fs::path rel = it->path().lexically_relative(src);
    const std::string path = "/" + rel.generic_string();
    struct stat st {};
    ASSERT_EQ(::lstat(it->path().c_str(), &st), 0);
    const Entry* e = tree.Find(root, path, false);
    ASSERT_NE(e, nullptr) << path << " missing";
    ++compared;
    if (S_ISLNK(st.st_mode)) {
      ASSERT_EQ(e->type, EntryType::kSymlink) << path;
      EXPECT_EQ(e->link_target, fs::read_symlink(it->path()).string()) << path;
      continue;
    }
    if (modes) {
      EXPECT_EQ(e->mode & 07777, st.st_mode & 07777) << path;
    }
    if (S_ISDIR(st.st_mode)) {
      EXPECT_EQ(e->type, EntryType::kDir) << path;
      continue;
    }
    ASSERT_EQ(e->type, EntryType::kFile) << path;
    EXPECT_EQ(e->size, static_cast<std::uint64_t>(st.st_size)) << path;
    ASSERT_FALSE(e->disk.empty()) << path;
    EXPECT_TRUE(ReadAll(e->disk) == ReadAll(it->path())) << path << " content differs";
  }
  EXPECT_GE(compared, 15u);
  // Lookups resolve symlinks inside the tree.
  const Entry* sh = tree.Find(root, "/bin/sh");
  ASSERT_NE(sh, nullptr);
  EXPECT_EQ(sh->path, "/bin/busybox");
}

class UnpackFixture : public ::testing::TestWithParam<Case> {};

TEST_P(UnpackFixture, SameTreeBackByteForByte) {
  const Case& c = GetParam();
  for (const auto& tool : c.tools) {
    if (!test::HaveTool(tool)) GTEST_SKIP() << tool << " not installed";
  }
  test::TempDir tmp;
  const fs::path src = tmp / "src";
  MakeKnownTree(src);
  if (HasFatalFailure()) return;
  fs::create_directories(tmp / "t");
  const fs::path img = tmp / "image.bin";
  auto b = test::RunShell("set -e; SRC='" + src.string() + "'; OUT='" + img.string() + "'; T='" +
                          (tmp / "t").string() + "'; " + c.build);
  if (b.exit_code != 0 && b.err.find("not supported") != std::string::npos) {
    GTEST_SKIP() << c.name << ": the tool does not support it: " << b.err;
  }
  ASSERT_EQ(b.exit_code, 0) << b.err;
  UnpackOptions o;
  o.out_dir = tmp / "out";
  auto r = UnpackImage(img, o);
  ASSERT_TRUE(r) << r.error().Describe();
  for (const auto& p : r->problems) ADD_FAILURE() << "problem: " << p.input << " " << p.message;
  CompareTrees(src, r->tree, MainRoot(r->tree), c.modes);
  // Nothing was written outside the output folder.
  for (const auto& e : r->tree.entries()) {
    if (!e.disk.empty()) {
      EXPECT_TRUE(e.disk.string().starts_with(o.out_dir.string())) << e.disk;
    }
  }
}

const std::string kSq = "mksquashfs \"$SRC\" \"$OUT\" -noappend -quiet -no-progress -all-root ";

INSTANTIATE_TEST_SUITE_P(
    Formats, UnpackFixture,
    ::testing::Values(
        Case{"squashfs_gzip", {"mksquashfs"}, kSq + "-comp gzip"},
        Case{"squashfs_xz", {"mksquashfs"}, kSq + "-comp xz"},
        Case{"squashfs_lzo", {"mksquashfs"}, kSq + "-comp lzo"},
        Case{"squashfs_lz4", {"mksquashfs"}, kSq + "-comp lz4"},
        Case{"squashfs_zstd", {"mksquashfs"}, kSq + "-comp zstd"},
        Case{"squashfs_lzma", {"mksquashfs"}, kSq + "-comp lzma"},
        Case{"cpio_newc", {"cpio"}, "cd \"$SRC\" && find . | cpio -o -H newc --quiet > \"$OUT\""},
        Case{"cpio_odc", {"cpio"}, "cd \"$SRC\" && find . | cpio -o -H odc --quiet > \"$OUT\""},
        Case{"cpio_crc", {"cpio"}, "cd \"$SRC\" && find . | cpio -o -H crc --quiet > \"$OUT\""},
        Case{"tar", {"tar"}, "tar -C \"$SRC\" -cf \"$OUT\" ."},
        Case{"tar_gz", {"tar", "gzip"}, "tar -C \"$SRC\" -czf \"$OUT\" ."},
        Case{"tar_xz", {"tar", "xz"}, "tar -C \"$SRC\" -cJf \"$OUT\" ."},
        Case{"tar_lzma", {"tar", "xz"}, "tar -C \"$SRC\" -cf - . | xz --format=lzma > \"$OUT\""},
        Case{"tar_bzip2", {"tar", "bzip2"}, "tar -C \"$SRC\" -cjf \"$OUT\" ."},
        Case{"tar_zstd", {"tar", "zstd"}, "tar -C \"$SRC\" -cf - . | zstd -q > \"$OUT\""},
        Case{"tar_lz4", {"tar", "lz4"}, "tar -C \"$SRC\" -cf - . | lz4 -q > \"$OUT\""},
        Case{"tar_lzop", {"tar", "lzop"}, "tar -C \"$SRC\" -cf - . | lzop -c > \"$OUT\""},
        Case{"zip", {"zip"}, "cd \"$SRC\" && zip -qry \"$OUT.zip\" . && mv \"$OUT.zip\" \"$OUT\""},
        Case{"7z",
             {"7z"},
             "cd \"$SRC\" && 7z a -snl -bd \"$OUT.7z\" . >/dev/null && mv \"$OUT.7z\" \"$OUT\"",
             false},
        Case{"iso9660",
             {"xorriso"},
             "xorriso -as mkisofs -quiet -R -o \"$OUT\" \"$SRC\" 2>/dev/null"},
        Case{"jffs2_le", {"mkfs.jffs2"}, "mkfs.jffs2 -l -r \"$SRC\" -o \"$OUT\""},
        Case{"jffs2_be", {"mkfs.jffs2"}, "mkfs.jffs2 -b -r \"$SRC\" -o \"$OUT\""},
        Case{"jffs2_rtime", {"mkfs.jffs2"}, "mkfs.jffs2 -l -x zlib -r \"$SRC\" -o \"$OUT\""},
        Case{"uimage_squashfs",
             {"mksquashfs", "mkimage"},
             kSq + "-comp xz -e \"$OUT\"; mksquashfs \"$SRC\" \"$T/fs\" -noappend -quiet "
                   "-no-progress -comp xz; "
                   "mkimage -A mips -O linux -T filesystem -C none -n rootfs -d \"$T/fs\" \"$OUT\" "
                   ">/dev/null"},
        Case{"uimage_multi_lzma_kernel_squashfs",
             {"mksquashfs", "mkimage", "xz"},
             "mksquashfs \"$SRC\" \"$T/fs\" -noappend -quiet -no-progress -comp xz;"
             "head -c 200000 /bin/ls | xz --format=lzma > \"$T/k.lzma\";"
             "mkimage -A mips -O linux -T multi -C lzma -n 'Linux-4.14' -d \"$T/k.lzma:$T/fs\" "
             "\"$OUT\" >/dev/null"},
        Case{"uimage_gzip_cpio_header_says_none",
             {"cpio", "mkimage", "gzip"},
             "cd \"$SRC\" && find . | cpio -o -H newc --quiet | gzip -9 > \"$T/rd.gz\";"
             "mkimage -A arm -O linux -T ramdisk -C none -n ramdisk -d \"$T/rd.gz\" \"$OUT\" "
             ">/dev/null"},
        Case{"trx_lzma_kernel_squashfs",
             {"mksquashfs", "xz", "python3"},
             "mksquashfs \"$SRC\" \"$T/fs\" -noappend -quiet -no-progress -comp xz;"
             "head -c 100000 /bin/ls | xz --format=lzma > \"$T/k\";"
             "python3 -c 'import struct,sys,zlib\n"
             "k=open(sys.argv[1],\"rb\").read();f=open(sys.argv[2],\"rb\").read()\n"
             "k+=bytes(-len(k)%4);b=k+f;n=28+len(b)\n"
             "h=bytearray(struct.pack(\"<4sIIHHIII\",b\"HDR0\",n,0,0,1,28,28+len(k),0))\n"
             "struct.pack_into(\"<I\",h,8,zlib.crc32(bytes(h[12:])+b)^0xffffffff)\n"
             "open(sys.argv[3],\"wb\").write(bytes(h)+b)' \"$T/k\" \"$T/fs\" \"$OUT\""},
        Case{"carved_after_junk",
             {"mksquashfs"},
             "mksquashfs \"$SRC\" \"$T/fs\" -noappend -quiet -no-progress -comp gzip;"
             "{ head -c 12345 /bin/ls; cat \"$T/fs\"; head -c 5000 /dev/zero; } > \"$OUT\""}),
    [](const ::testing::TestParamInfo<Case>& i) { return i.param.name; });

// cpio newc carries a hardlink group's data on its last member only: every name of the group
// must come back with the data (the first one was written empty before the data arrived).
TEST(UnpackCpio, NewcHardlinkGroupKeepsItsData) {
  if (!test::HaveTool("cpio")) GTEST_SKIP() << "cpio not installed";
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFsTree(tmp / "src"));
  ASSERT_EQ(test::RunShell("cd '" + (tmp / "src").string() +
                           "' && ln www/cgi-bin/index.cgi "
                           "www/third.cgi && find . | cpio -o -H newc --quiet > ../fs.cpio")
                .exit_code,
            0);
  auto r = test::Unpack(tmp / "fs.cpio", tmp / "out");
  const std::uint32_t root = test::RootOf(r.tree, "cpio");
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root), 60u);
  for (const char* p : {"/www/cgi-bin/index.cgi", "/www/cgi-bin/hard.cgi", "/www/third.cgi"}) {
    const Entry* e = r.tree.Find(root, p, false);
    ASSERT_NE(e, nullptr) << p;
    EXPECT_EQ(e->size, 5u) << p;
    EXPECT_EQ(test::ReadFile(e->disk), "hello") << p;
  }
}

// A file of an extracted filesystem that is itself a container (a tar.gz, a tar whose magic sits
// at 0x101, a cpio) is unpacked in turn, below its parent root; ordinary files are not looked at.
TEST(UnpackNested, ContainerFilesInsideAFilesystemAreUnpackedToo) {
  for (const char* t : {"mksquashfs", "tar", "gzip", "cpio"}) {
    if (!test::HaveTool(t)) GTEST_SKIP() << t << " not installed";
  }
  test::TempDir tmp;
  const std::string s = (tmp / "src").string();
  ASSERT_EQ(
      test::RunShell("set -e; mkdir -p '" + s + "/in' '" + s + "/fs/data'; cd '" + s +
                     "/in'; printf 'inner-secret' > inner.txt;"
                     "tar -czf ../fs/data/bundle.tgz inner.txt; tar -cf ../fs/data/plain.tar "
                     "inner.txt; echo inner.txt | cpio -o -H newc --quiet > ../fs/data/x.cpio;"
                     "printf 'just text' > ../fs/data/readme; cd ..;"
                     "mksquashfs fs '" +
                     (tmp / "fs.sqfs").string() + "' -noappend -quiet -no-progress -comp gzip")
          .exit_code,
      0);
  auto r = test::Unpack(tmp / "fs.sqfs", tmp / "out");
  const std::uint32_t sq = test::RootOf(r.tree, "squashfs");
  // parent path -> roots below it holding inner.txt (the tgz's tar is found in the gzip's blob,
  // and keeps the parent of the file the blob came from)
  std::map<std::string, int> found;
  for (std::uint32_t i = 0; i < r.tree.roots().size(); ++i) {
    const Root& root = r.tree.roots()[i];
    const Entry* e = r.tree.Find(i, "/inner.txt", false);
    if (root.parent == sq && e && test::ReadFile(e->disk) == "inner-secret")
      found[root.parent_path]++;
  }
  EXPECT_EQ(found["/data/plain.tar"], 1);
  EXPECT_EQ(found["/data/x.cpio"], 1);
  EXPECT_EQ(found["/data/bundle.tgz"], 1);
  // What the engine went by: the jail marked the three containers as starting with a magic, and
  // not the text file (no root could ever come out of it, so only the mark shows it was skipped).
  for (const char* p : {"/data/plain.tar", "/data/x.cpio", "/data/bundle.tgz"}) {
    const Entry* e = r.tree.Find(sq, p, false);
    ASSERT_NE(e, nullptr) << p;
    EXPECT_TRUE(e->known_magic) << p;
  }
  const Entry* readme = r.tree.Find(sq, "/data/readme", false);
  ASSERT_NE(readme, nullptr);
  EXPECT_FALSE(readme->known_magic);
}

// An LZMA header may claim any dictionary up to 1 GiB; decoding never needs more than the output
// size, so a stream whose header claims 512 MiB (above the decoder's 256 MiB memory limit) still
// unpacks, and candidates cost no more than their output.
TEST(UnpackLzma, HeaderClaimingAHugeDictionaryStillUnpacks) {
  if (!test::HaveTool("xz")) GTEST_SKIP() << "xz not installed";
  test::TempDir tmp;
  const std::string t = tmp.path().string();
  ASSERT_EQ(test::RunShell("set -e; cd '" + t +
                           "'; head -c 300000 /bin/ls > plain; xz --format=lzma "
                           "--lzma1=preset=6,dict=64KiB < plain > k.lzma;"
                           // dictionary field (bytes 1-4, little endian) := 0x20000000
                           "printf '\\000\\000\\000\\040' | dd of=k.lzma bs=1 seek=1 "
                           "conv=notrunc status=none")
                .exit_code,
            0);
  auto r = test::Unpack(tmp / "k.lzma", tmp / "out");
  const std::string want = test::ReadFile(tmp / "plain");
  bool found = false;
  for (const auto& e : r.tree.entries()) {
    if (e.type == EntryType::kFile && e.size == want.size() && test::ReadFile(e.disk) == want) {
      found = true;
    }
  }
  EXPECT_TRUE(found) << "the decoded stream is not among the extracted files";
}

}  // namespace
}  // namespace iotcop::unpack
