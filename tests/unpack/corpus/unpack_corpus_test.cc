// The real firmware corpus (../shared/corpus): each image must yield at least 99% of the entries
// listed in filelists/ (type, size of files, link targets); skipped when the corpus is absent.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "support/test_support.h"
#include "unpack/engine.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

struct Expected {
  char type;
  std::uint64_t size = 0;
  std::string path;    // absolute, "/etc/passwd"
  std::string target;  // links
};

std::vector<Expected> LoadList(const fs::path& p) {
  std::vector<Expected> out;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() < 4) continue;
    Expected e;
    e.type = line[0];
    std::string rest = line.substr(2);
    if (e.type == 'f') {
      const auto sp = rest.find(' ');
      e.size = std::stoull(rest.substr(0, sp));
      rest = rest.substr(sp + 1);
    }
    if (e.type == 'l') {
      const auto arrow = rest.find(" -> ");
      e.target = rest.substr(arrow + 4);
      rest = rest.substr(0, arrow);
    }
    e.path = NormalizePath(rest.substr(rest.starts_with("./") ? 1 : 0));
    out.push_back(e);
  }
  return out;
}

bool Matches(const Tree& t, std::uint32_t root, const std::string& prefix, const Expected& e) {
  const Entry* got = t.Find(root, prefix + e.path, false);
  if (!got) return false;
  switch (e.type) {
    case 'd':
      return got->type == EntryType::kDir;
    case 'f':
      return got->type == EntryType::kFile && got->size == e.size;
    case 'l':
      return got->type == EntryType::kSymlink && got->link_target == e.target;
  }
  return true;
}

// Best score over every root and every top-level folder used as the list's "." (a tar of an
// extracted tree has one more level).
double Score(const Tree& t, const std::vector<Expected>& list, std::string* where) {
  double best = 0;
  for (std::uint32_t r = 0; r < t.roots().size(); ++r) {
    std::set<std::string> prefixes{""};
    for (const Entry* e : t.List(r, "/")) {
      if (e->type == EntryType::kDir) prefixes.insert(e->path);
    }
    for (const auto& prefix : prefixes) {
      std::size_t ok = 0;
      for (const auto& e : list) ok += Matches(t, r, prefix, e);
      const double s = list.empty() ? 0 : double(ok) / double(list.size());
      if (s > best) {
        best = s;
        *where = t.roots()[r].name + prefix;
      }
    }
  }
  return best;
}

class UnpackCorpus : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(UnpackCorpus, YieldsListedFiles) {
  const fs::path corpus = test::CorpusDir();
  if (corpus.empty()) GTEST_SKIP() << "corpus ../shared/corpus absent";
  const auto& [prefix, list_name] = GetParam();
  fs::path image;
  for (const auto& f : fs::directory_iterator(corpus)) {
    if (f.path().filename().string().starts_with(prefix)) image = f.path();
  }
  ASSERT_FALSE(image.empty()) << prefix;
  test::TempDir tmp;
  UnpackOptions o;
  o.out_dir = tmp / "out";
  auto r = UnpackImage(image, o);
  ASSERT_TRUE(r) << r.error().Describe();
  const auto list = LoadList(corpus / ".." / "filelists" / list_name);
  ASSERT_FALSE(list.empty());
  std::string where;
  const double score = Score(r->tree, list, &where);
  RecordProperty("score", std::to_string(score));
  std::cout << image.filename().string() << ": " << score * 100 << "% of " << list.size()
            << " listed entries in " << where << "\n";
  EXPECT_GE(score, 0.99) << where;
}

INSTANTIATE_TEST_SUITE_P(Images, UnpackCorpus,
                         ::testing::Values(std::make_pair("03_", "03_librarybox-wr703n.txt"),
                                           std::make_pair("08_", "08_tplink-mt7628.txt"),
                                           std::make_pair("11_", "11_licheepi-jffs2.txt"),
                                           std::make_pair("13_", "13_microzed-cpio.txt"),
                                           std::make_pair("15_", "15_dlink-dcs.txt")));

Result<UnpackResult> UnpackCorpusImage(const std::string& prefix, const fs::path& out) {
  for (const auto& f : fs::directory_iterator(test::CorpusDir())) {
    if (f.path().filename().string().starts_with(prefix)) {
      UnpackOptions o;
      o.out_dir = out;
      return UnpackImage(f.path(), o);
    }
  }
  return MakeError(Errc::kIo, "absent", prefix);
}

TEST(UnpackCorpusSpecial, Image13HeaderLiesAboutCompression) {
  if (test::CorpusDir().empty()) GTEST_SKIP() << "corpus ../shared/corpus absent";
  test::TempDir tmp;
  auto r = UnpackCorpusImage("13_", tmp / "out");
  ASSERT_TRUE(r);
  // The header says "none"; the payload is gzip holding a cpio: found by content.
  bool found = false;
  for (std::uint32_t i = 0; i < r->tree.roots().size(); ++i) {
    const auto& o = r->tree.roots()[i].origin;
    if (o.size() == 3 && o[0].handler == "uimage" && o[1].handler == "gzip" &&
        o[2].handler == "cpio") {
      found = true;
      const Entry* passwd = r->tree.Find(i, "/etc/shadow");
      ASSERT_NE(passwd, nullptr);
      auto text = r->tree.Read(*passwd);
      ASSERT_TRUE(text);
      EXPECT_NE(text->find("root:"), std::string::npos);
    }
  }
  EXPECT_TRUE(found);
}

TEST(UnpackCorpusSpecial, Image08PaddingAndPasswdLink) {
  if (test::CorpusDir().empty()) GTEST_SKIP() << "corpus ../shared/corpus absent";
  test::TempDir tmp;
  auto r = UnpackCorpusImage("08_", tmp / "out");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->tree.SystemRoots().size(), 1u);
  const std::uint32_t root = r->tree.SystemRoots()[0];
  const Entry* link = r->tree.Find(root, "/etc/passwd", false);
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->type, EntryType::kSymlink);
  // The padding after the filesystem (to 3 MiB, with a vendor blob inside) is reported as padding
  // right where the filesystem ends, and nothing is reported as broken.
  ASSERT_FALSE(r->unknown.empty());
  EXPECT_EQ(r->unknown[0].offset, 0x2DCF2Cu);
  EXPECT_TRUE(r->unknown[0].note.starts_with("padding"));
  for (const auto& p : r->problems) ADD_FAILURE() << p.message;
}

TEST(UnpackCorpusSpecial, Image05KernelKeptAsBlob) {
  if (test::CorpusDir().empty()) GTEST_SKIP() << "corpus ../shared/corpus absent";
  test::TempDir tmp;
  auto r = UnpackCorpusImage("05_", tmp / "out");
  ASSERT_TRUE(r);
  bool kernel = false;
  for (const auto& e : r->tree.entries()) {
    if (r->tree.roots()[e.root].kind != "blobs") continue;
    auto text = r->tree.Read(e, 64u << 20);
    if (text && text->find("Linux version 4.9.87") != std::string::npos) kernel = true;
  }
  EXPECT_TRUE(kernel);
}

}  // namespace
}  // namespace iotcop::unpack
