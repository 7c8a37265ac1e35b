// The jail: nothing it is asked to write can land outside its folder.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/test_support.h"
#include "unpack/handler.h"
#include "unpack/jail.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

struct JailFixture {
  test::TempDir tmp;
  Tree tree;
  Budget budget{Limits{}};
  std::vector<std::string> problems;
  std::unique_ptr<Jail> jail;
  JailFixture() {
    fs::create_directories(tmp / "outside");
    const auto root = tree.AddRoot(Root{"r", "filesystem"});
    auto j = Jail::Open(
        tmp / "out", &tree, root, &budget,
        [this](const std::string& p, const std::string& m) { problems.push_back(p + ": " + m); });
    jail = std::move(*j);
  }
};

TEST(UnpackJail, DotDotAndAbsolutePathsStayInside) {
  JailFixture f;
  ASSERT_TRUE(f.jail->WriteFile("../../outside/a", {}, AsBytes("x")));
  ASSERT_TRUE(f.jail->WriteFile((f.tmp / "outside" / "b").string(), {}, AsBytes("y")));
  EXPECT_TRUE(fs::is_empty(f.tmp / "outside"));
  EXPECT_TRUE(fs::exists(f.tmp / "out" / "outside" / "a"));
  EXPECT_NE(f.tree.Find(0, "/outside/a", false), nullptr);
}

TEST(UnpackJail, NeverWritesThroughASymlink) {
  JailFixture f;
  ASSERT_TRUE(f.jail->Symlink("/lnk", (f.tmp / "outside").string(), {0777}));
  auto st = f.jail->WriteFile("/lnk/evil", {}, AsBytes("x"));
  EXPECT_FALSE(st);
  EXPECT_TRUE(fs::is_empty(f.tmp / "outside"));
  EXPECT_FALSE(f.problems.empty());
  // The link on disk points inside the root (rewritten relative), as stored in the tree.
  const auto disk_target = fs::read_symlink(f.tmp / "out" / "lnk").string();
  EXPECT_FALSE(disk_target.starts_with("/"));
  EXPECT_EQ(f.tree.Find(0, "/lnk", false)->link_target, (f.tmp / "outside").string());
  // A later file at the link's place replaces the link, it does not follow it.
  ASSERT_TRUE(f.jail->WriteFile("/lnk", {}, AsBytes("plain")));
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(f.tmp / "out" / "lnk")));
}

TEST(UnpackJail, EscapingRelativeSymlinkIsRewrittenInside) {
  JailFixture f;
  ASSERT_TRUE(f.jail->Symlink("/www/x", "../../../../../outside", {0777}));
  const fs::path resolved =
      fs::weakly_canonical(f.tmp / "out" / "www" / fs::read_symlink(f.tmp / "out" / "www" / "x"));
  EXPECT_TRUE(resolved.string().starts_with((f.tmp / "out").string())) << resolved;
}

TEST(UnpackJail, HardlinkOutsideRefusedInsideKept) {
  JailFixture f;
  test::WriteFile(f.tmp / "outside" / "secret", "s");
  EXPECT_FALSE(f.jail->Hardlink("/hl", "../outside/secret"));
  struct stat st {};
  ASSERT_EQ(::stat((f.tmp / "outside" / "secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 1u);
  ASSERT_TRUE(f.jail->WriteFile("/bin/busybox", {0755}, AsBytes("bb")));
  ASSERT_TRUE(f.jail->Hardlink("/bin/sh", "/bin/busybox"));
  EXPECT_EQ(test::ReadFile(f.tmp / "out" / "bin" / "sh"), "bb");
}

TEST(UnpackJail, DeviceNodesRecordedNotCreated) {
  JailFixture f;
  ASSERT_TRUE(f.jail->Node("/dev/mem", EntryType::kCharDev, {0600}, 1, 1));
  const Entry* e = f.tree.Find(0, "/dev/mem", false);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->type, EntryType::kCharDev);
  EXPECT_EQ(e->major, 1u);
  EXPECT_FALSE(fs::exists(fs::symlink_status(f.tmp / "out" / "dev" / "mem")));
}

TEST(UnpackJail, LimitsReported) {
  test::TempDir tmp;
  Tree tree;
  Limits l;
  l.max_files = 3;
  l.max_total_bytes = 10;
  Budget budget(l);
  std::vector<std::string> problems;
  auto j =
      Jail::Open(tmp / "out", &tree, tree.AddRoot(Root{}), &budget,
                 [&](const std::string& p, const std::string& m) { problems.push_back(p + m); });
  ASSERT_TRUE(j);
  auto big = (*j)->WriteFile("/a", {}, AsBytes("0123456789abcdef"));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, Errc::kLimitExceeded);
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems.back().find("limit"), std::string::npos);
}

TEST(UnpackJail, SnifferMarksFilesStartingWithAMagicWhateverTheWriteSizes) {
  JailFixture f;
  f.jail->SetSniffer(KnownMagicHeadBytes(), StartsWithKnownMagic);
  // A SquashFS magic split over two writes, a tar magic at 0x101 written a byte at a time, and a
  // file with no magic.
  auto sq = f.jail->CreateFile("/sq", {});
  ASSERT_TRUE(sq);
  ASSERT_TRUE((*sq)->Write(AsBytes("hs")));
  ASSERT_TRUE((*sq)->Write(AsBytes(std::string("qs") + std::string(100, '\0'))));
  ASSERT_TRUE((*sq)->Close());
  std::string tar(1024, 'a');
  tar.replace(0x101, 5, "ustar");
  auto t = f.jail->CreateFile("/t", {});
  ASSERT_TRUE(t);
  for (char c : tar) ASSERT_TRUE((*t)->Write(AsBytes(std::string(1, c))));
  ASSERT_TRUE((*t)->Close());
  ASSERT_TRUE(f.jail->WriteFile("/plain", {}, AsBytes(std::string(5000, 'x'))));
  ASSERT_TRUE(f.jail->Hardlink("/sq2", "/sq"));
  EXPECT_TRUE(f.tree.Find(0, "/sq", false)->known_magic);
  EXPECT_TRUE(f.tree.Find(0, "/t", false)->known_magic);
  EXPECT_FALSE(f.tree.Find(0, "/plain", false)->known_magic);
  EXPECT_TRUE(f.tree.Find(0, "/sq2", false)->known_magic);
  // The magic must be at its own offset: "ustar" at 0 is not a tar.
  ASSERT_TRUE(f.jail->WriteFile("/not-tar", {}, AsBytes("ustar" + std::string(600, 'b'))));
  EXPECT_FALSE(f.tree.Find(0, "/not-tar", false)->known_magic);
}

TEST(UnpackJail, WithoutASnifferNothingIsMarked) {
  JailFixture f;
  ASSERT_TRUE(f.jail->WriteFile("/sq", {}, AsBytes("hsqs" + std::string(100, '\0'))));
  EXPECT_FALSE(f.tree.Find(0, "/sq", false)->known_magic);
}

}  // namespace
}  // namespace iotcop::unpack
