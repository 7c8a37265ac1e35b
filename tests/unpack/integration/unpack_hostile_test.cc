// Crafted hostile inputs: path traversal, symlink-then-write, hardlinks and device nodes in
// archives, decompression bombs, deep nesting, overlapping chunks, corrupt chunks followed by good
// ones.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/test_support.h"
#include "unpack/engine.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

bool AnyProblem(const UnpackResult& r, const std::string& needle) {
  for (const auto& p : r.problems) {
    if (p.message.find(needle) != std::string::npos) return true;
  }
  return false;
}

Result<UnpackResult> Unpack(const fs::path& img, const fs::path& out, Limits limits = {}) {
  UnpackOptions o;
  o.out_dir = out;
  o.limits = limits;
  return UnpackImage(img, o);
}

TEST(UnpackHostile, TarTraversalSymlinkHardlinkDevice) {
  if (!test::HaveTool("python3")) GTEST_SKIP() << "python3 needed to craft the archive";
  test::TempDir tmp;
  fs::create_directories(tmp / "outside");
  test::WriteFile(tmp / "outside" / "secret", "s");
  const std::string outside = (tmp / "outside").string();
  test::WriteFile(
      tmp / "craft.py",
      "import tarfile, io\n"
      "t = tarfile.open('" +
          (tmp / "evil.tar").string() +
          "', 'w', format=tarfile.GNU_FORMAT)\n"
          "def add(name, data=b'x', **kw):\n"
          "    i = tarfile.TarInfo(name); i.size = len(data)\n"
          "    for k, v in kw.items(): setattr(i, k, v)\n"
          "    t.addfile(i, io.BytesIO(data) if i.type in (tarfile.REGTYPE,) else None)\n"
          "add('../../outside/dotdot')\n"
          "add('" +
          outside +
          "/absolute')\n"
          "add('lnk', type=tarfile.SYMTYPE, linkname='" +
          outside +
          "', size=0)\n"
          "add('lnk/through-link')\n"
          "add('hl', type=tarfile.LNKTYPE, linkname='../outside/secret', size=0)\n"
          "add('dev/console', type=tarfile.CHRTYPE, devmajor=5, devminor=1, size=0)\n"
          "add('etc/ok', b'fine')\n"
          "t.close()\n");
  auto r = test::RunShell("python3 '" + (tmp / "craft.py").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto u = Unpack(tmp / "evil.tar", tmp / "out");
  ASSERT_TRUE(u) << u.error().Describe();
  // Only the secret we put there is outside; its link count is unchanged.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(tmp / "outside"))
    names.push_back(e.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"secret"});
  struct stat st {};
  ASSERT_EQ(::stat((tmp / "outside" / "secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 1u);
  const Tree& t = u->tree;
  ASSERT_EQ(t.roots().size(), 1u) << t.roots().back().name;
  EXPECT_NE(t.Find(0, "/outside/dotdot", false), nullptr);
  ASSERT_NE(t.Find(0, "/etc/ok"), nullptr);
  EXPECT_EQ(*t.Read(*t.Find(0, "/etc/ok")), "fine");
  const Entry* dev = t.Find(0, "/dev/console", false);
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->type, EntryType::kCharDev);
  EXPECT_EQ(dev->major, 5u);
  EXPECT_EQ(dev->minor, 1u);
  EXPECT_FALSE(fs::exists(fs::symlink_status(t.roots()[0].disk / "dev" / "console")));
  EXPECT_TRUE(AnyProblem(*u, "not a folder"));  // lnk/through-link refused
  EXPECT_TRUE(AnyProblem(*u, "hardlink"));
  for (const auto& e : fs::recursive_directory_iterator(tmp / "out")) {
    EXPECT_TRUE(
        fs::weakly_canonical(e.path()).string().starts_with(fs::canonical(tmp / "out").string()))
        << e.path();
  }
}

TEST(UnpackHostile, XzOfOneGibOfZerosStopsAtTheLimit) {
  if (!test::HaveTool("xz")) GTEST_SKIP() << "xz not installed";
  test::TempDir tmp;
  // 16 concatenated xz streams of 64 MiB of zeros each: what `xz -d` turns into 1 GiB of zeros.
  auto r = test::RunShell("cd '" + tmp.path().string() +
                          "' && head -c 67108864 /dev/zero | xz -0 > z.xz && "
                          "for i in $(seq 16); do cat z.xz; done > bomb.xz");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Limits l;
  l.max_ratio = 100;
  auto u = Unpack(tmp / "bomb.xz", tmp / "out", l);
  ASSERT_TRUE(u);
  EXPECT_TRUE(AnyProblem(*u, "ratio limit"));
  EXPECT_LT(u->bytes_written, 1ull << 30);
  // The limit bounds the 16 streams (each a chunk of its own) together: one view's worth of
  // output, not one per stream.
  EXPECT_LE(u->bytes_written, fs::file_size(tmp / "bomb.xz") * l.max_ratio);
  // The total-bytes limit too.
  Limits l2;
  l2.max_total_bytes = 8u << 20;
  auto u2 = Unpack(tmp / "bomb.xz", tmp / "out2", l2);
  ASSERT_TRUE(u2);
  EXPECT_TRUE(AnyProblem(*u2, "total size limit"));
  EXPECT_LE(u2->bytes_written, 8u << 20);
}

TEST(UnpackHostile, GzipNestedFiftyDeepHitsTheDepthLimit) {
  if (!test::HaveTool("gzip")) GTEST_SKIP() << "gzip not installed";
  test::TempDir tmp;
  auto r = test::RunShell(
      "cd '" + tmp.path().string() +
      "' && echo core > f && for i in $(seq 50); do gzip -c -n f > g && mv g f; done");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto u = Unpack(tmp / "f", tmp / "out");
  ASSERT_TRUE(u);
  EXPECT_TRUE(AnyProblem(*u, "depth limit 16"));
}

TEST(UnpackHostile, FileCountLimit) {
  test::TempDir tmp;
  auto r = test::RunShell(
      "cd '" + tmp.path().string() +
      "' && mkdir d && for i in $(seq 60); do echo $i > d/$i; done && tar cf a.tar d");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Limits l;
  l.max_files = 20;
  auto u = Unpack(tmp / "a.tar", tmp / "out", l);
  ASSERT_TRUE(u);
  EXPECT_TRUE(AnyProblem(*u, "file count limit"));
  EXPECT_LE(u->tree.entries().size(), 21u);
}

TEST(UnpackHostile, CorruptChunkWarnsAndTheRestUnpacks) {
  if (!test::HaveTool("mksquashfs")) GTEST_SKIP() << "mksquashfs not installed";
  test::TempDir tmp;
  const std::string d = tmp.path().string();
  // A SquashFS whose directory table is overwritten, then a good cpio.
  auto r = test::RunShell(
      "cd '" + d +
      "' && mkdir -p t/etc && echo hi > t/etc/hello && "
      "mksquashfs t fs -noappend -quiet -no-progress -comp gzip && "
      "python3 -c \"import "
      "struct;b=bytearray(open('fs','rb').read());o=struct.unpack_from('<Q',b,72)[0];"
      "b[o:o+32]=b'\\xAA'*32;open('fs','wb').write(b)\" && "
      "(cd t && find . | cpio -o -H newc --quiet > ../a.cpio) && cat fs a.cpio > img");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto u = Unpack(tmp / "img", tmp / "out");
  ASSERT_TRUE(u);
  bool named = false;
  for (const auto& p : u->problems) {
    if (p.message.find("squashfs") != std::string::npos && p.offset) named = true;
  }
  EXPECT_TRUE(named);
  bool cpio = false;
  for (std::uint32_t i = 0; i < u->tree.roots().size(); ++i) {
    if (u->tree.roots()[i].origin.back().handler == "cpio" && u->tree.Find(i, "/etc/hello"))
      cpio = true;
  }
  EXPECT_TRUE(cpio);
}

TEST(UnpackHostile, TruncatedGzipKeepsWhatDecodedAndNamesTheOffset) {
  test::TempDir tmp;
  const std::string d = tmp.path().string();
  auto r = test::RunShell(
      "cd '" + d + "' && head -c 400000 /bin/ls | gzip -c > a.gz && head -c 30000 a.gz > img");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto u = Unpack(tmp / "img", tmp / "out");
  ASSERT_TRUE(u);
  ASSERT_FALSE(u->problems.empty());
  EXPECT_TRUE(u->problems[0].offset.has_value());
  EXPECT_NE(u->problems[0].message.find("ends early"), std::string::npos);
  EXPECT_GT(u->bytes_written, 30000u);
}

TEST(UnpackHostile, OverlappingChunksExtractedOnce) {
  if (!test::HaveTool("mkimage")) GTEST_SKIP() << "mkimage not installed";
  test::TempDir tmp;
  const std::string d = tmp.path().string();
  // A uImage whose payload is a tar: the tar's magic is seen inside the uImage's range and must
  // only be extracted once (as the uImage's payload), not again by the outer scan.
  auto r = test::RunShell(
      "cd '" + d +
      "' && mkdir t && echo x > t/x && tar cf a.tar t && "
      "mkimage -T filesystem -C none -d a.tar img >/dev/null && cat img img > twice");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto u = Unpack(tmp / "twice", tmp / "out");
  ASSERT_TRUE(u);
  std::size_t tars = 0;
  for (const auto& root : u->tree.roots()) tars += root.origin.back().handler == "tar";
  EXPECT_EQ(tars, 2u);  // one per uImage copy, none twice
}

}  // namespace
}  // namespace iotcop::unpack
