// File: tests/unpack/integration/unpack_yaffs2_test.cc
// YAFFS2: Debian has no mkyaffs2image, so this test carries its own small writer, written from the
// format description (struct yaffs_obj_hdr, packed tags 2 in the spare area), independent of the
// reader. The known tree must come back byte for byte in several geometries and both byte orders;
// rewritten and deleted objects read as on a device; hostile images warn and never escape. The
// binwalk sample of the corpus (image 17) must give its 13 files.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>

#include "support/fs_fixture.h"
#include "support/test_support.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

struct Layout {
  std::string name;
  std::uint32_t page = 2048, spare = 64, tag_offset = 0;
  bool big = false;
  bool header_tags = false;  // pack type/parent/size into the tags of header chunks
  bool ecc = false;          // fill the 12 bytes after the tags as an ECC would
};
void PrintTo(const Layout& l, std::ostream* os) { *os << l.name; }

// A YAFFS2 image writer: object headers and data chunks, each a page plus its spare area.
class YaffsWriter {
 public:
  explicit YaffsWriter(Layout l) : l_(std::move(l)) {}

  struct Header {
    std::uint32_t type = 1, parent = 1, mode = 0100644, uid = 0, gid = 0, rdev = 0;
    std::uint64_t size = 0;
    std::int32_t equiv = -1;
    std::string name, alias;
  };

  void WriteHeader(std::uint32_t obj, const Header& h) {
    std::string page(l_.page, '\xff');
    Put(page, 0, h.type);
    Put(page, 4, h.parent);
    std::string name = h.name;
    name.resize(256, '\0');
    page.replace(10, 256, name);
    Put(page, 268, h.mode);
    Put(page, 272, h.uid);
    Put(page, 276, h.gid);
    for (int t = 0; t < 3; ++t) Put(page, 280 + 4 * t, 1700000000);
    Put(page, 292, static_cast<std::uint32_t>(h.size));
    Put(page, 296, static_cast<std::uint32_t>(h.equiv));
    if (h.type == 2) {
      std::string alias = h.alias;
      alias.resize(160, '\0');
      page.replace(300, 160, alias);
    }
    Put(page, 460, h.rdev);
    Put(page, 496, static_cast<std::uint32_t>(h.size >> 32));
    std::uint32_t tag_obj = obj, tag_chunk = 0, tag_bytes = 0xffff;
    if (l_.header_tags) {
      tag_obj |= h.type << 28;
      tag_chunk = 0x80000000u | h.parent;
      tag_bytes = static_cast<std::uint32_t>(h.size);
    }
    Emit(page, tag_obj, tag_chunk, tag_bytes);
  }

  // Data chunks 1..n of object `obj`.
  void WriteData(std::uint32_t obj, const std::string& content) {
    for (std::size_t off = 0, id = 1; off < content.size(); off += l_.page, ++id) {
      const std::string part = content.substr(off, l_.page);
      WriteChunk(obj, static_cast<std::uint32_t>(id), part);
    }
  }
  void WriteChunk(std::uint32_t obj, std::uint32_t id, const std::string& part) {
    std::string page = part;
    page.resize(l_.page, '\xff');
    Emit(page, obj, id, static_cast<std::uint32_t>(part.size()));
  }
  void NextBlock() { ++seq_; }
  void SetSeq(std::uint32_t s) { seq_ = s; }
  std::uint32_t seq() const { return seq_; }

  // Writes every entry of `src` (folders before their contents; hardlinks by inode).
  void WriteTree(const fs::path& src) {
    std::map<std::string, std::uint32_t> ids{{"", 1}};
    std::map<std::pair<dev_t, ino_t>, std::uint32_t> inodes;
    std::vector<fs::path> paths;
    for (auto it = fs::recursive_directory_iterator(src); it != fs::recursive_directory_iterator();
         ++it) {
      paths.push_back(it->path());
    }
    std::sort(paths.begin(), paths.end());  // parents sort before children
    std::uint32_t next = 257;
    for (const auto& p : paths) {
      struct stat st {};
      ASSERT_EQ(::lstat(p.c_str(), &st), 0) << p;
      const std::string rel = p.lexically_relative(src).generic_string();
      const std::string parent_rel = fs::path(rel).parent_path().generic_string();
      const std::uint32_t id = next++;
      ids[rel] = id;
      Header h;
      h.parent = ids.at(parent_rel);
      h.name = p.filename().string();
      h.mode = st.st_mode;
      h.uid = st.st_uid;
      h.gid = st.st_gid;
      std::string content;
      if (S_ISDIR(st.st_mode)) {
        h.type = 3;
      } else if (S_ISLNK(st.st_mode)) {
        h.type = 2;
        h.alias = fs::read_symlink(p).string();
      } else if (S_ISREG(st.st_mode)) {
        auto [it, fresh] = inodes.insert({{st.st_dev, st.st_ino}, id});
        if (!fresh) {
          h.type = 4;
          h.equiv = static_cast<std::int32_t>(it->second);
        } else {
          content = test::ReadFile(p);
          h.size = content.size();
        }
      } else {
        h.type = 5;
        h.rdev = static_cast<std::uint32_t>(st.st_rdev);
      }
      WriteHeader(id, h);
      WriteData(id, content);
    }
  }

  const std::string& image() const { return out_; }

 private:
  void Put(std::string& s, std::size_t at, std::uint32_t v) const {
    for (int i = 0; i < 4; ++i) {
      const int shift = l_.big ? 8 * (3 - i) : 8 * i;
      s[at + i] = static_cast<char>((v >> shift) & 0xff);
    }
  }
  void Emit(const std::string& page, std::uint32_t obj, std::uint32_t chunk, std::uint32_t bytes) {
    std::string spare(l_.spare, '\xff');
    Put(spare, l_.tag_offset, seq_);
    Put(spare, l_.tag_offset + 4, obj);
    Put(spare, l_.tag_offset + 8, chunk);
    Put(spare, l_.tag_offset + 12, bytes);
    if (l_.ecc && l_.tag_offset + 28 <= l_.spare) spare.replace(l_.tag_offset + 16, 12, 12, '\x5a');
    out_ += page;
    out_ += spare;
  }

  Layout l_;
  std::uint32_t seq_ = 0x1000;
  std::string out_;
};

const Layout kLayouts[] = {
    {"p2048_s64_le", 2048, 64, 0, false, false, false},
    {"p4096_s128_be_tags_at_2_ecc", 4096, 128, 2, true, true, true},
    {"p512_s16_le_header_tags", 512, 16, 0, false, true, false},
    {"p8192_s448_be", 8192, 448, 0, true, false, false},
};

class Yaffs2Fixture : public ::testing::TestWithParam<Layout> {};

TEST_P(Yaffs2Fixture, SameTreeBackByteForByte) {
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFsTree(tmp / "src"));
  YaffsWriter w(GetParam());
  w.WriteTree(tmp / "src");
  // Erased pages at the end, as in a NAND dump.
  std::string img = w.image() + std::string(3 * (GetParam().page + GetParam().spare), '\xff');
  test::WriteFile(tmp / "fs.yaffs2", img);
  auto r = test::Unpack(tmp / "fs.yaffs2", tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "yaffs2");
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.modes = true, .owners = true}),
            60u);
  // The hardlink shares its target's content; the trailing erased pages are padding.
  const Entry* hard = r.tree.Find(root, "/www/cgi-bin/hard.cgi", false);
  ASSERT_NE(hard, nullptr);
  EXPECT_EQ(test::ReadFile(hard->disk), "hello");
  ASSERT_FALSE(r.unknown.empty());
  EXPECT_EQ(r.unknown.back().offset, w.image().size());
  EXPECT_TRUE(r.unknown.back().note.starts_with("padding"));
  test::ExpectInside(r, tmp / "out");
}

INSTANTIATE_TEST_SUITE_P(Layouts, Yaffs2Fixture, ::testing::ValuesIn(kLayouts),
                         [](const ::testing::TestParamInfo<Layout>& i) { return i.param.name; });

TEST(Yaffs2, CarvedAfterJunk) {
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFsTree(tmp / "src"));
  YaffsWriter w(kLayouts[0]);
  w.WriteTree(tmp / "src");
  test::WriteFile(tmp / "img", test::ReadFile("/bin/ls").substr(0, 777) + w.image());
  auto r = test::Unpack(tmp / "img", tmp / "out");
  const std::uint32_t root = test::RootOf(r.tree, "yaffs2");
  ASSERT_NE(root, UINT32_MAX);
  EXPECT_EQ(r.tree.roots()[root].origin.back().offset, 777u);
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.modes = true}), 60u);
}

// Objects rewritten later (higher sequence number) win, whatever their position; deleted and
// unlinked objects are gone; device nodes and fifos are recorded with their numbers.
TEST(Yaffs2, NewestSequenceWinsAndSpecialObjects) {
  test::TempDir tmp;
  Layout l = kLayouts[0];
  YaffsWriter w(l);
  using H = YaffsWriter::Header;
  w.SetSeq(0x2000);
  w.WriteHeader(257, H{.type = 3, .mode = 040755, .name = "etc"});
  w.WriteHeader(258, H{.parent = 257, .mode = 0100600, .size = 9, .name = "shadow"});
  w.WriteData(258, "root:old\n");
  w.WriteHeader(259, H{.parent = 257, .size = 4, .name = "gone"});
  w.WriteData(259, "bye\n");
  w.WriteHeader(260, H{.type = 3, .mode = 040755, .name = "dev"});
  w.WriteHeader(
      261, H{.type = 5, .parent = 260, .mode = 020620, .rdev = (4 << 8) | 64, .name = "ttyS0"});
  w.WriteHeader(262, H{.type = 5, .parent = 260, .mode = 010644, .name = "initctl"});
  // A newer block: shadow rewritten (longer, two chunks), "gone" deleted, a file unlinked.
  w.SetSeq(0x3000);
  const std::string fresh = "root:$1$new$hash:0:0:99999:7:::\n" + std::string(3000, 'x');
  w.WriteHeader(258, H{.parent = 257, .mode = 0100600, .size = fresh.size(), .name = "shadow"});
  w.WriteData(258, fresh);
  w.WriteHeader(259, H{.parent = 4, .size = 0, .name = "gone"});
  w.WriteHeader(263, H{.parent = 3, .size = 0, .name = "unlinked"});
  // An older copy of shadow's first chunk placed last: its lower sequence number loses.
  w.SetSeq(0x2000);
  w.WriteChunk(258, 1, std::string(2048, 'O'));
  test::WriteFile(tmp / "img", w.image());
  auto r = test::Unpack(tmp / "img", tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "yaffs2");
  ASSERT_NE(root, UINT32_MAX);
  const Entry* shadow = r.tree.Find(root, "/etc/shadow");
  ASSERT_NE(shadow, nullptr);
  EXPECT_EQ(shadow->mode, 0600u);
  EXPECT_TRUE(test::ReadFile(shadow->disk) == fresh);
  EXPECT_EQ(r.tree.Find(root, "/etc/gone"), nullptr);
  EXPECT_EQ(r.tree.Find(root, "/unlinked"), nullptr);
  const Entry* tty = r.tree.Find(root, "/dev/ttyS0", false);
  ASSERT_NE(tty, nullptr);
  EXPECT_EQ(tty->type, EntryType::kCharDev);
  EXPECT_EQ(tty->major, 4u);
  EXPECT_EQ(tty->minor, 64u);
  EXPECT_EQ(tty->mode, 0620u);
  const Entry* fifo = r.tree.Find(root, "/dev/initctl", false);
  ASSERT_NE(fifo, nullptr);
  EXPECT_EQ(fifo->type, EntryType::kFifo);
}

TEST(Yaffs2Hostile, TruncatedAtSeveralOffsets) {
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFsTree(tmp / "src"));
  YaffsWriter w(kLayouts[0]);
  w.WriteTree(tmp / "src");
  test::WriteFile(tmp / "img", w.image());
  const std::uint64_t size = w.image().size();
  // Cut inside a data page of the big file: its header promised more than the chunks hold.
  test::ForEachTruncation(tmp / "img", tmp.path(), {600, 5000, size / 3, size * 2 / 3, size - 100},
                          [](std::uint64_t cut, const UnpackResult& r) {
                            if (cut > 5000) {
                              EXPECT_NE(test::RootOf(r.tree, "yaffs2"), UINT32_MAX) << cut;
                            }
                          });
  test::Truncate(tmp / "img", tmp / "cut", size / 2);
  auto r = test::Unpack(tmp / "cut", tmp / "out-cut");
  EXPECT_TRUE(test::HasProblem(r, "truncated"));
}

// Names that climb, parent loops, parents that are files, a header claiming 4 GiB with chunks
// far apart, a symlink pointing out then a file written "through" it: all contained.
TEST(Yaffs2Hostile, LoopsEvilNamesAndHoles) {
  test::TempDir tmp;
  YaffsWriter w(kLayouts[0]);
  using H = YaffsWriter::Header;
  w.WriteHeader(257, H{.size = 2, .name = "first"});
  w.WriteData(257, "ok");
  w.WriteHeader(258, H{.size = 1, .name = ".."});
  w.WriteHeader(259, H{.size = 1, .name = "a/b"});
  w.WriteHeader(260, H{.type = 3, .parent = 261, .mode = 040755, .name = "loop1"});
  w.WriteHeader(261, H{.type = 3, .parent = 260, .mode = 040755, .name = "loop2"});
  w.WriteHeader(262, H{.parent = 257, .size = 1, .name = "under_a_file"});
  w.WriteHeader(263, H{.type = 2, .mode = 0120777, .name = "out", .alias = "../../../../tmp"});
  w.WriteHeader(264, H{.type = 3, .parent = 263, .mode = 040755, .name = "through"});
  w.WriteHeader(265, H{.size = 4ull << 30, .name = "huge"});
  w.WriteChunk(265, 1, "head");
  w.WriteChunk(265, 1000000, "tail");
  w.WriteHeader(266, H{.parent = 9999, .size = 3, .name = "orphan"});
  w.WriteData(266, "abc");
  w.WriteHeader(267, H{.type = 4, .equiv = 260, .name = "link_to_dir"});
  test::WriteFile(tmp / "img", w.image());
  auto r = test::Unpack(tmp / "img", tmp / "out");
  const std::uint32_t root = test::RootOf(r.tree, "yaffs2");
  ASSERT_NE(root, UINT32_MAX);
  EXPECT_NE(r.tree.Find(root, "/first"), nullptr);
  EXPECT_TRUE(test::HasProblem(r, "invalid name"));
  EXPECT_TRUE(test::HasProblem(r, "loops"));
  EXPECT_TRUE(test::HasProblem(r, "not a directory"));
  EXPECT_TRUE(test::HasProblem(r, "16777216 bytes of missing chunks"));
  EXPECT_TRUE(test::HasProblem(r, "hardlink to object 260"));
  EXPECT_EQ(r.tree.Find(root, "/loop1"), nullptr);
  const Entry* orphan = r.tree.Find(root, "/lost+found/orphan");
  ASSERT_NE(orphan, nullptr);
  EXPECT_EQ(test::ReadFile(orphan->disk), "abc");
  const Entry* huge = r.tree.Find(root, "/huge");
  ASSERT_NE(huge, nullptr);
  EXPECT_LE(huge->size, (16u << 20) + 4096);
  EXPECT_LT(r.bytes_written, 20u << 20);
  test::ExpectInside(r, tmp / "out");
}

TEST(Yaffs2Hostile, RandomDataAfterTheMagicIsNotYaffs) {
  test::TempDir tmp;
  std::string img = std::string("\x01\x00\x00\x00\x01\x00\x00\x00\xff\xff", 10) + "name";
  img += test::ReadFile("/bin/ls").substr(0, 20000);
  test::WriteFile(tmp / "img", img);
  auto r = test::Unpack(tmp / "img", tmp / "out");
  EXPECT_EQ(test::RootOf(r.tree, "yaffs2"), UINT32_MAX);
}

// binwalk's own YAFFS2 test input (corpus image 17, made by mkyaffs2image: 2048+64, tags at 0,
// little endian): 13 source files of YAFFS itself in the root folder.
TEST(Yaffs2Corpus, BinwalkSampleGivesItsFiles) {
  const fs::path corpus = test::CorpusDir();
  if (corpus.empty()) GTEST_SKIP() << "corpus ../shared/corpus absent";
  const fs::path img = corpus / "17_binwalk_yaffs2-sample.bin";
  if (!fs::exists(img)) GTEST_SKIP() << img << " absent";
  test::TempDir tmp;
  auto r = test::Unpack(img, tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "yaffs2");
  ASSERT_NE(root, UINT32_MAX);
  const std::map<std::string, std::uint64_t> want{
      {"yutilsenv.h", 844},    {"yaffs_list.h", 3086},     {"yaffs_packedtags2.h", 1447},
      {"yaffs_trace.h", 1769}, {"mkyaffs2image.c", 15107}, {"yaffs_hweight.c", 1689},
      {"yaffs_guts.h", 27266}, {"yaffs_ecc.c", 7143},      {"yaffs_hweight.h", 656},
      {"yaffs_ecc.h", 1440},   {"mkyaffsimage.c", 13967},  {"yaffs_packedtags2.c", 5169},
      {"yportenv.h", 4903}};
  std::size_t files = 0;
  for (const auto& e : r.tree.entries()) files += e.root == root && e.type == EntryType::kFile;
  EXPECT_EQ(files, want.size());
  for (const auto& [name, size] : want) {
    const Entry* e = r.tree.Find(root, "/" + name, false);
    ASSERT_NE(e, nullptr) << name;
    EXPECT_EQ(e->size, size) << name;
    EXPECT_EQ(e->mode, 0664u) << name;
    EXPECT_EQ(e->uid, 1000u) << name;
  }
  const std::string src = test::ReadFile(r.tree.Find(root, "/mkyaffs2image.c")->disk);
  EXPECT_TRUE(src.starts_with("/*")) << src.substr(0, 40);
  EXPECT_NE(src.find("yaffs_obj_hdr"), std::string::npos);
  // The 4 erased chunks at the end are padding, not an unknown region.
  ASSERT_FALSE(r.unknown.empty());
  EXPECT_EQ(r.unknown.back().offset, 60u * 2112);
  EXPECT_TRUE(r.unknown.back().note.starts_with("padding"));
}

}  // namespace
}  // namespace iotcop::unpack
