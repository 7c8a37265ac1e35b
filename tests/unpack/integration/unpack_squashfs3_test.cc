// File: tests/unpack/integration/unpack_squashfs3_test.cc
// SquashFS 3.x / 2.x and the vendor variants: Debian has no mksquashfs 3 (nor sasquatch), so this
// test carries its own writer, written from the format description (the Linux 2.6 squashfs_fs.h
// structures and their SWAP macros, which give every bitfield's position; big-endian images pack
// the fields from the most significant bit) and laid out as mksquashfs 3.x does: data blocks and
// fragment blocks, inode table, directory table, fragment table, uid and gid tables. It is
// independent of the reader. The known tree plus device nodes, a fifo, a socket, a sparse file and
// an extended directory must come back byte for byte in every version, byte order and block
// compression (zlib, LZMA-alone blocks, raw LZMA); renamed magics are found; hostile images warn
// with an offset and never escape.
#include <gtest/gtest.h>
#include <lzma.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "support/fs_fixture.h"
#include "support/test_support.h"
#include "unpack/handler.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

// Block compression: zlib, LZMA-alone with the size (sqlzma), LZMA with the 5-byte header (no
// size), raw LZMA with lc=3 lp=0 pb=2 or with lc=1 lp=2 pb=2.
enum class Sq3Comp { kZlib, kLzmaAlone, kLzmaNoSize, kLzmaRaw, kLzmaRawLc1Lp2 };

struct Sq3Layout {
  std::string name;
  unsigned major = 3, minor = 1;
  bool big = false;
  Sq3Comp comp = Sq3Comp::kZlib;
  std::uint32_t block_log = 16;
  bool check = false;      // SQUASHFS_CHECK: a marker byte 0xff after each metadata block header
  bool zlib_data = false;  // data blocks in zlib whatever `comp` (sqlzma images mix them)
};
void PrintTo(const Sq3Layout& l, std::ostream* os) { *os << l.name; }

// One node of the tree to write.
struct Sq3Node {
  std::string name;
  unsigned type = 2;  // 1 dir, 2 file, 3 symlink, 4 blkdev, 5 chrdev, 6 fifo, 7 socket
  std::uint32_t mode = 0644, uid = 0, gid = 0;
  std::string data;  // file content or symlink target
  std::uint16_t rdev = 0;
  std::pair<dev_t, ino_t> inode{0, 0};  // hardlinks share it (files read from disk)
  std::vector<Sq3Node> children;
  bool self_loop = false;  // directory: add an entry "self" pointing at its own inode
  bool bad_fragment = false;
};

// Writes bitfields at the positions of the squashfs_fs.h structures in either byte order.
class Sq3Bits {
 public:
  Sq3Bits(std::size_t bytes, bool big) : b_(bytes, '\0'), big_(big) {}
  Sq3Bits& Put(unsigned pos, unsigned len, std::uint64_t v) {
    for (unsigned i = 0; i < len; ++i) {
      const unsigned bit = big_ ? pos + len - 1 - i : pos + i;
      if ((v >> i) & 1) {
        b_[bit / 8] = static_cast<char>(b_[bit / 8] | (big_ ? 0x80 >> (bit % 8) : 1 << (bit % 8)));
      }
    }
    return *this;
  }
  const std::string& str() const { return b_; }

 private:
  std::string b_;
  bool big_;
};

std::string Sq3Compress(Sq3Comp c, const std::string& in, std::uint32_t dict) {
  if (c == Sq3Comp::kZlib) {
    uLongf len = compressBound(in.size());
    std::string out(len, '\0');
    EXPECT_EQ(compress2(reinterpret_cast<Bytef*>(out.data()), &len,
                        reinterpret_cast<const Bytef*>(in.data()), in.size(), 9),
              Z_OK);
    out.resize(len);
    return out;
  }
  lzma_options_lzma opt;
  lzma_lzma_preset(&opt, 6);
  opt.dict_size = std::max<std::uint32_t>(dict, 4096);
  const bool lc1 = c == Sq3Comp::kLzmaRawLc1Lp2;
  opt.lc = lc1 ? 1 : 3;
  opt.lp = lc1 ? 2 : 0;
  opt.pb = 2;
  lzma_stream z = LZMA_STREAM_INIT;
  lzma_filter filters[] = {{LZMA_FILTER_LZMA1, &opt}, {LZMA_VLI_UNKNOWN, nullptr}};
  const bool alone = c == Sq3Comp::kLzmaAlone || c == Sq3Comp::kLzmaNoSize;
  const lzma_ret init = alone ? lzma_alone_encoder(&z, &opt) : lzma_raw_encoder(&z, filters);
  EXPECT_EQ(init, LZMA_OK);
  std::string out(in.size() + in.size() / 2 + 1024, '\0');
  z.next_in = reinterpret_cast<const std::uint8_t*>(in.data());
  z.avail_in = in.size();
  z.next_out = reinterpret_cast<std::uint8_t*>(out.data());
  z.avail_out = out.size();
  EXPECT_EQ(lzma_code(&z, LZMA_FINISH), LZMA_STREAM_END);
  out.resize(z.total_out);
  lzma_end(&z);
  if (c == Sq3Comp::kLzmaAlone) {  // the sqlzma patch records the real size
    for (int i = 0; i < 8; ++i) out[5 + i] = static_cast<char>((in.size() >> (8 * i)) & 0xff);
  }
  if (c == Sq3Comp::kLzmaNoSize) out.erase(5, 8);
  return out;
}

// A SquashFS 2.x/3.x image writer, laid out as mksquashfs 3.x lays out its images.
class Sq3Writer {
 public:
  explicit Sq3Writer(Sq3Layout l) : l_(std::move(l)), bs_(1u << l_.block_log) {}

  std::string Write(const Sq3Node& root) {
    out_.assign(kSuper, '\0');
    std::uint32_t ino = 1;
    Number(root, ino);
    inode_count_ = ino - 1;
    const std::uint64_t root_ref = Dir(root, inode_count_ + 1);
    FlushFragment();
    FlushMeta(itab_, ibuf_);
    FlushMeta(dtab_, dbuf_);
    const std::uint64_t inode_start = out_.size();
    out_ += itab_;
    const std::uint64_t dir_start = out_.size();
    out_ += dtab_;
    // Fragment table: its metadata blocks, then the index of their offsets.
    const bool v3 = l_.major == 3;
    std::string entries;
    for (const auto& f : frags_) {
      Sq3Bits e(v3 ? 16 : 8, l_.big);
      e.Put(0, v3 ? 64 : 32, f.first).Put(v3 ? 64 : 32, 32, f.second);
      entries += e.str();
    }
    std::vector<std::uint64_t> index;
    for (std::size_t o = 0; o < entries.size(); o += 8192) {
      index.push_back(out_.size());
      std::string tab, buf = entries.substr(o, 8192);
      FlushMeta(tab, buf);
      out_ += tab;
    }
    const std::uint64_t frag_start = out_.size();
    for (auto i : index) out_ += Sq3Bits(v3 ? 8 : 4, l_.big).Put(0, v3 ? 64 : 32, i).str();
    const std::uint64_t uid_start = out_.size();
    for (auto u : uids_) out_ += Sq3Bits(4, l_.big).Put(0, 32, u).str();
    const std::uint64_t guid_start = guids_.empty() ? 0 : out_.size();
    for (auto g : guids_) out_ += Sq3Bits(4, l_.big).Put(0, 32, g).str();
    const std::uint64_t used = out_.size();

    Sq3Bits s(kSuper, l_.big);
    s.Put(0, 32, 0x73717368);        // "hsqs" read in the image's byte order
    s.Put(32, 32, written_inodes_);  // hardlinks share an inode: fewer than the names
    s.Put(224, 16, l_.major).Put(240, 16, l_.minor);
    s.Put(256, 16, bs_ & 0xffff).Put(272, 16, l_.block_log);
    s.Put(288, 8, l_.check ? 4 : 0).Put(296, 8, uids_.size()).Put(304, 8, guids_.size());
    s.Put(312, 32, 1700000000).Put(344, 64, root_ref);
    s.Put(440, 32, frags_.size());
    if (v3) {
      s.Put(408, 32, bs_).Put(504, 64, used).Put(568, 64, uid_start).Put(632, 64, guid_start);
      s.Put(696, 64, inode_start).Put(760, 64, dir_start).Put(824, 64, frag_start);
      s.Put(888, 64, ~std::uint64_t{0});  // no export table
    } else {
      s.Put(64, 32, used).Put(96, 32, uid_start).Put(128, 32, guid_start);
      s.Put(160, 32, inode_start).Put(192, 32, dir_start).Put(472, 32, frag_start);
    }
    out_.replace(0, kSuper, s.str());
    used_ = used;
    out_.resize((out_.size() + 4095) / 4096 * 4096, '\0');  // mksquashfs pads to 4 KiB
    return out_;
  }
  std::uint64_t bytes_used() const { return used_; }
  std::uint64_t block_offset(const std::string& path) const { return data_at_.at(path); }

 private:
  static constexpr std::size_t kSuper = 119;

  void Number(const Sq3Node& n, std::uint32_t& ino) {
    for (const auto& c : n.children) Number(c, ino);
    ++ino;
  }

  std::uint32_t UidIndex(std::uint32_t uid) {
    auto it = std::find(uids_.begin(), uids_.end(), uid);
    if (it != uids_.end()) return static_cast<std::uint32_t>(it - uids_.begin());
    uids_.push_back(uid);
    return static_cast<std::uint32_t>(uids_.size() - 1);
  }
  std::uint32_t GidIndex(std::uint32_t uid, std::uint32_t gid) {
    if (uid == gid) return 255;  // SQUASHFS_GUIDS: the gid is the uid
    auto it = std::find(guids_.begin(), guids_.end(), gid);
    if (it != guids_.end()) return static_cast<std::uint32_t>(it - guids_.begin());
    guids_.push_back(gid);
    return static_cast<std::uint32_t>(guids_.size() - 1);
  }

  // Appends `bytes` to a metadata stream; blocks of 8 KiB are flushed into `table`. Returns the
  // reference (block << 16 | offset) of the first byte.
  std::uint64_t Append(std::string& table, std::string& buf, const std::string& bytes) {
    const std::uint64_t ref = (std::uint64_t{table.size()} << 16) | buf.size();
    buf += bytes;
    while (buf.size() >= 8192) {
      std::string block = buf.substr(0, 8192);
      buf.erase(0, 8192);
      FlushMeta(table, block);
    }
    return ref;
  }
  void FlushMeta(std::string& table, std::string& buf) {
    if (buf.empty()) return;
    const std::string c = Sq3Compress(l_.comp, buf, bs_);
    const bool comp = c.size() < buf.size();
    const std::string& body = comp ? c : buf;
    table += Sq3Bits(2, l_.big).Put(0, 16, body.size() | (comp ? 0 : 0x8000)).str();
    if (l_.check) table += '\xff';
    table += body;
    buf.clear();
  }

  // Compressed data block (or stored, flag bit 24); all-zero blocks are holes (size 0).
  std::uint32_t DataBlock(const std::string& block) {
    if (block.find_first_not_of('\0') == std::string::npos) return 0;
    const std::string c = Sq3Compress(l_.zlib_data ? Sq3Comp::kZlib : l_.comp, block, bs_);
    if (c.size() < block.size()) {
      out_ += c;
      return static_cast<std::uint32_t>(c.size());
    }
    out_ += block;
    return static_cast<std::uint32_t>(block.size()) | (1u << 24);
  }
  void FlushFragment() {
    if (frag_buf_.empty()) return;
    const std::uint64_t at = out_.size();
    frags_.push_back({at, DataBlock(frag_buf_)});
    frag_buf_.clear();
  }

  std::string BaseInode(const Sq3Node& n, unsigned type, std::size_t size, std::uint32_t ino) {
    Sq3Bits b(size, l_.big);
    b.Put(0, 4, type).Put(4, 12, n.mode & 07777).Put(16, 8, UidIndex(n.uid));
    b.Put(24, 8, GidIndex(n.uid, n.gid));
    if (l_.major == 3) b.Put(32, 32, 1700000000).Put(64, 32, ino);
    return b.str();
  }
  // ORs the fields of `bits` into `s` (both laid out from the structure's start).
  static void PutAt(std::string& s, const std::string& bits, std::size_t = 0) {
    for (std::size_t i = 0; i < bits.size(); ++i) s[i] = static_cast<char>(s[i] | bits[i]);
  }

  // Writes the inode of a non-directory node; returns its reference.
  std::uint64_t Leaf(const Sq3Node& n, std::uint32_t ino, const std::string& path) {
    const bool v3 = l_.major == 3;
    if (n.type == 2 && n.inode.second != 0) {
      if (auto it = links_.find(n.inode); it != links_.end()) return it->second;
    }
    std::string inode;
    switch (n.type) {
      case 2: {
        const std::uint64_t start = out_.size();
        data_at_[path] = start;
        const std::uint64_t full = n.data.size() / bs_;
        std::vector<std::uint32_t> sizes;
        for (std::uint64_t i = 0; i < full; ++i)
          sizes.push_back(DataBlock(n.data.substr(i * bs_, bs_)));
        std::uint32_t frag = 0xffffffff, frag_off = 0;
        const std::string tail = n.data.substr(full * bs_);
        if (!tail.empty()) {
          if (frag_buf_.size() + tail.size() > bs_) FlushFragment();
          frag = static_cast<std::uint32_t>(frags_.size());
          frag_off = static_cast<std::uint32_t>(frag_buf_.size());
          frag_buf_ += tail;
        }
        if (n.bad_fragment) frag = 9999;
        const std::size_t len = v3 ? 32 : 24;
        Sq3Bits b(len, l_.big);
        if (v3) {
          b.Put(96, 64, start)
              .Put(160, 32, frag)
              .Put(192, 32, frag_off)
              .Put(224, 32, n.data.size());
        } else {
          b.Put(32, 32, 1700000000).Put(64, 32, start).Put(96, 32, frag).Put(128, 32, frag_off);
          b.Put(160, 32, n.data.size());
        }
        inode = BaseInode(n, 2, len, ino);
        PutAt(inode, b.str(), 0);
        for (auto s : sizes) inode += Sq3Bits(4, l_.big).Put(0, 32, s).str();
        break;
      }
      case 3: {
        const std::size_t len = v3 ? 18 : 6;
        inode = BaseInode(n, 3, len, ino);
        Sq3Bits b(len, l_.big);
        if (v3) b.Put(96, 32, 1);
        b.Put(v3 ? 128 : 32, 16, n.data.size());
        PutAt(inode, b.str(), 0);
        inode += n.data;
        break;
      }
      case 4:
      case 5: {
        const std::size_t len = v3 ? 18 : 6;
        inode = BaseInode(n, n.type, len, ino);
        Sq3Bits b(len, l_.big);
        if (v3) b.Put(96, 32, 1);
        b.Put(v3 ? 128 : 32, 16, n.rdev);
        PutAt(inode, b.str(), 0);
        break;
      }
      default: {
        const std::size_t len = v3 ? 16 : 4;
        inode = BaseInode(n, n.type, len, ino);
        if (v3) PutAt(inode, Sq3Bits(len, l_.big).Put(96, 32, 1).str(), 0);
        break;
      }
    }
    const std::uint64_t ref = Append(itab_, ibuf_, inode);
    ++written_inodes_;
    if (n.type == 2 && n.inode.second != 0) links_[n.inode] = ref;
    return ref;
  }

  struct Listed {
    std::string name;
    std::uint64_t ref;
    unsigned type;
    std::uint32_t ino;
  };

  // Writes a directory's children, its listing and its inode (children first, as mksquashfs).
  std::uint64_t Dir(const Sq3Node& d, std::uint32_t parent_ino, const std::string& path = "") {
    // Inode numbers: children were numbered depth-first before their parent.
    std::vector<Listed> entries;
    std::uint32_t my_ino = next_ino_;
    {
      // Count the inodes below to know this directory's number (children first).
      std::uint32_t n = 0;
      Number(d, n);
      my_ino = next_ino_ + n - 1;
    }
    for (const auto& c : d.children) {
      const std::string cpath = path + "/" + c.name;
      if (c.type == 1) {
        std::uint32_t n = 0;
        Number(c, n);
        const std::uint32_t c_ino = next_ino_ + n - 1;
        entries.push_back({c.name, Dir(c, my_ino, cpath), 1, c_ino});
      } else {
        const std::uint32_t c_ino = next_ino_++;
        entries.push_back({c.name, Leaf(c, c_ino, cpath), c.type, c_ino});
      }
    }
    ++next_ino_;  // this directory's number: my_ino
    const std::uint64_t self_ref = (std::uint64_t{itab_.size()} << 16) | ibuf_.size();
    if (d.self_loop) entries.push_back({"self", self_ref, 1, my_ino});
    std::sort(entries.begin(), entries.end(),
              [](const Listed& a, const Listed& b) { return a.name < b.name; });
    // The listing: runs of entries whose inodes share a metadata block, at most 256 per header.
    const bool v3 = l_.major == 3;
    std::string listing;
    for (std::size_t i = 0; i < entries.size();) {
      std::size_t j = i;
      while (j < entries.size() && j - i < 256 &&
             (entries[j].ref >> 16) == (entries[i].ref >> 16)) {
        ++j;
      }
      Sq3Bits h(v3 ? 9 : 4, l_.big);
      h.Put(0, 8, j - i - 1).Put(8, v3 ? 32 : 24, entries[i].ref >> 16);
      if (v3) h.Put(40, 32, entries[i].ino);
      listing += h.str();
      for (std::size_t k = i; k < j; ++k) {
        const auto& e = entries[k];
        Sq3Bits b(v3 ? 5 : 3, l_.big);
        b.Put(0, 13, e.ref & 0xffff).Put(13, 3, e.type).Put(16, 8, e.name.size() - 1);
        if (v3) {
          b.Put(24, 16,
                static_cast<std::uint16_t>(static_cast<std::int32_t>(e.ino) -
                                           static_cast<std::int32_t>(entries[i].ino)));
        }
        listing += b.str() + e.name;
      }
      i = j;
    }
    const std::uint64_t dref = (std::uint64_t{dtab_.size()} << 16) | dbuf_.size();
    Append(dtab_, dbuf_, listing);
    const std::uint64_t size = listing.size() + (v3 ? 3 : 0);
    // Folders of more than 32 entries are written as extended directories with one index entry.
    const bool ext = entries.size() > 32;
    std::string inode;
    if (!ext) {
      const std::size_t len = v3 ? 28 : 15;
      inode = BaseInode(d, 1, len, my_ino);
      Sq3Bits b(len, l_.big);
      if (v3) {
        b.Put(96, 32, 2).Put(128, 19, size).Put(147, 13, dref & 0xffff).Put(160, 32, dref >> 16);
        b.Put(192, 32, parent_ino);
      } else {
        b.Put(32, 19, size).Put(51, 13, dref & 0xffff).Put(64, 32, 1700000000);
        b.Put(96, 24, dref >> 16);
      }
      PutAt(inode, b.str(), 0);
    } else {
      const std::size_t len = v3 ? 31 : 18;
      inode = BaseInode(d, 8, len, my_ino);
      Sq3Bits b(len, l_.big);
      if (v3) {
        b.Put(96, 32, 2).Put(128, 27, size).Put(155, 13, dref & 0xffff).Put(168, 32, dref >> 16);
        b.Put(200, 16, 1).Put(216, 32, parent_ino);
      } else {
        b.Put(32, 27, size).Put(59, 13, dref & 0xffff).Put(72, 32, 1700000000);
        b.Put(104, 24, dref >> 16).Put(128, 16, 1);
      }
      PutAt(inode, b.str(), 0);
      // One index entry (the reader skips the index): the first name.
      const std::string& name = entries.front().name;
      Sq3Bits x(v3 ? 9 : 8, l_.big);
      if (v3) {
        x.Put(0, 32, 0).Put(32, 32, dref >> 16).Put(64, 8, name.size() - 1);
      } else {
        x.Put(0, 27, 0).Put(27, 29, dref >> 16).Put(56, 8, name.size() - 1);
      }
      inode += x.str() + name;
    }
    const std::uint64_t ref = Append(itab_, ibuf_, inode);
    ++written_inodes_;
    EXPECT_EQ(ref, self_ref);
    return ref;
  }

  Sq3Layout l_;
  std::uint32_t bs_;
  std::string out_, itab_, ibuf_, dtab_, dbuf_, frag_buf_;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> frags_;
  std::vector<std::uint32_t> uids_, guids_;
  std::map<std::pair<dev_t, ino_t>, std::uint64_t> links_;
  std::map<std::string, std::uint64_t> data_at_;
  std::uint32_t next_ino_ = 1, inode_count_ = 0, written_inodes_ = 0;
  std::uint64_t used_ = 0;
};

// The node tree of a folder on disk (names sorted, hardlinks by inode).
Sq3Node Sq3FromDisk(const fs::path& p, const std::string& name = "") {
  struct stat st {};
  EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
  Sq3Node n;
  n.name = name;
  n.mode = st.st_mode & 07777;
  n.uid = st.st_uid;
  n.gid = st.st_gid;
  if (S_ISDIR(st.st_mode)) {
    n.type = 1;
    std::vector<fs::path> kids;
    for (const auto& e : fs::directory_iterator(p)) kids.push_back(e.path());
    std::sort(kids.begin(), kids.end());
    for (const auto& k : kids) n.children.push_back(Sq3FromDisk(k, k.filename().string()));
  } else if (S_ISLNK(st.st_mode)) {
    n.type = 3;
    n.data = fs::read_symlink(p).string();
  } else {
    n.type = 2;
    n.data = test::ReadFile(p);
    n.inode = {st.st_dev, st.st_ino};
  }
  return n;
}

Sq3Node* Sq3Child(Sq3Node& d, const std::string& name) {
  for (auto& c : d.children) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// The known tree plus what cannot be made on disk without privileges: device nodes, a fifo and a
// socket with their own owners, a sparse file (one hole block and a tail).
Sq3Node Sq3Tree(const fs::path& src, std::uint32_t block_size) {
  Sq3Node root = Sq3FromDisk(src);
  Sq3Node dev{.name = "dev", .type = 1, .mode = 0755};
  dev.children.push_back(
      {.name = "console", .type = 5, .mode = 0600, .uid = 0, .gid = 5, .rdev = (5 << 8) | 1});
  dev.children.push_back({.name = "initctl", .type = 6, .mode = 0600, .uid = 33, .gid = 33});
  dev.children.push_back({.name = "log", .type = 7, .mode = 0666, .uid = 1000, .gid = 100});
  dev.children.push_back(
      {.name = "mtdblock3", .type = 4, .mode = 0640, .uid = 0, .gid = 6, .rdev = (31 << 8) | 3});
  root.children.push_back(std::move(dev));
  root.children.push_back({.name = "sparse.img",
                           .type = 2,
                           .mode = 0600,
                           .uid = 1000,
                           .gid = 1000,
                           .data = std::string(block_size, '\0') + "end of sparse\n"});
  std::sort(root.children.begin(), root.children.end(),
            [](const Sq3Node& a, const Sq3Node& b) { return a.name < b.name; });
  return root;
}

// The parts of the tree the source folder does not have.
void Sq3ExpectExtras(const Tree& tree, std::uint32_t root, std::uint32_t block_size) {
  const struct {
    const char* path;
    EntryType type;
    std::uint32_t major, minor, mode, uid, gid;
  } nodes[] = {
      {"/dev/console", EntryType::kCharDev, 5, 1, 0600, 0, 5},
      {"/dev/mtdblock3", EntryType::kBlockDev, 31, 3, 0640, 0, 6},
      {"/dev/initctl", EntryType::kFifo, 0, 0, 0600, 33, 33},  // gid stored as "= uid" (255)
      {"/dev/log", EntryType::kSocket, 0, 0, 0666, 1000, 100},
  };
  for (const auto& n : nodes) {
    SCOPED_TRACE(n.path);
    const Entry* e = tree.Find(root, n.path, false);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->type, n.type);
    EXPECT_EQ(e->major, n.major);
    EXPECT_EQ(e->minor, n.minor);
    EXPECT_EQ(e->mode, n.mode);
    EXPECT_EQ(e->uid, n.uid);
    EXPECT_EQ(e->gid, n.gid);
  }
  const Entry* sparse = tree.Find(root, "/sparse.img");
  ASSERT_NE(sparse, nullptr);
  EXPECT_EQ(sparse->uid, 1000u);
  EXPECT_TRUE(test::ReadFile(sparse->disk) == std::string(block_size, '\0') + "end of sparse\n");
}

const Sq3Layout kSq3Layouts[] = {
    {"v31_le_zlib", 3, 1, false, Sq3Comp::kZlib, 16},
    {"v31_be_zlib", 3, 1, true, Sq3Comp::kZlib, 16},
    {"v30_be_zlib_128k", 3, 0, true, Sq3Comp::kZlib, 17},
    {"v21_le_zlib", 2, 1, false, Sq3Comp::kZlib, 15},
    {"v21_be_zlib", 2, 1, true, Sq3Comp::kZlib, 15},
    {"v20_le_zlib_64k", 2, 0, false, Sq3Comp::kZlib, 16},
    {"v31_le_lzma_alone", 3, 1, false, Sq3Comp::kLzmaAlone, 16},
    {"v31_be_lzma_alone", 3, 1, true, Sq3Comp::kLzmaAlone, 16},
    {"v31_le_lzma_raw", 3, 1, false, Sq3Comp::kLzmaRaw, 16},
    {"v31_be_lzma_raw", 3, 1, true, Sq3Comp::kLzmaRaw, 17},
    {"v31_le_zlib_check_marker", 3, 1, false, Sq3Comp::kZlib, 16, true},
    {"v21_be_zlib_check_marker", 2, 1, true, Sq3Comp::kZlib, 15, true},
    {"v31_le_lzma_5byte_header", 3, 1, false, Sq3Comp::kLzmaNoSize, 16},
    {"v31_be_lzma_raw_lc1_lp2_pb2", 3, 1, true, Sq3Comp::kLzmaRawLc1Lp2, 16},
    {"v31_le_sqlzma_zlib_data", 3, 1, false, Sq3Comp::kLzmaAlone, 16, false, true},
    {"v21_le_lzma_alone", 2, 1, false, Sq3Comp::kLzmaAlone, 15},
};

// Writes the image of the known tree with layout `l`; returns its path.
fs::path Sq3Image(const test::TempDir& tmp, const Sq3Layout& l, Sq3Writer* w = nullptr,
                  const std::function<void(Sq3Node&)>& edit = {}) {
  if (!fs::exists(tmp / "src")) {
    EXPECT_TRUE(test::MakeFsTree(tmp / "src"));
  }
  Sq3Node root = Sq3Tree(tmp / "src", 1u << l.block_log);
  if (edit) edit(root);
  Sq3Writer local(l);
  Sq3Writer& wr = w ? *w : local;
  test::WriteFile(tmp / "fs.sq3", wr.Write(root));
  return tmp / "fs.sq3";
}

const char* Sq3CodecName(Sq3Comp c) {
  switch (c) {
    case Sq3Comp::kZlib:
      return "zlib";
    case Sq3Comp::kLzmaAlone:
      return "LZMA-alone";
    case Sq3Comp::kLzmaNoSize:
      return "LZMA blocks (5-byte header)";
    case Sq3Comp::kLzmaRaw:
      return "raw LZMA blocks (lc=3 lp=0 pb=2)";
    case Sq3Comp::kLzmaRawLc1Lp2:
      return "raw LZMA blocks (lc=1 lp=2 pb=2)";
  }
  return "";
}

class Sq3Layouts : public ::testing::TestWithParam<Sq3Layout> {};

TEST_P(Sq3Layouts, SameTreeBackByteForByte) {
  const Sq3Layout& l = GetParam();
  test::TempDir tmp;
  Sq3Writer w(l);
  const fs::path img = Sq3Image(tmp, l, &w);
  auto r = test::Unpack(img, tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "squashfs3");
  ASSERT_NE(root, UINT32_MAX);
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.modes = true, .owners = true}),
            60u);
  Sq3ExpectExtras(r.tree, root, 1u << l.block_log);
  const Entry* hard = r.tree.Find(root, "/www/cgi-bin/hard.cgi", false);
  ASSERT_NE(hard, nullptr);
  EXPECT_EQ(test::ReadFile(hard->disk), "hello");
  // The chunk's description names version, byte order and the block compression found.
  const std::string bytes = test::ReadFile(img);
  auto chunk = FindHandler("squashfs3")->Identify(AsBytes(bytes), 0);
  ASSERT_TRUE(chunk);
  const std::string& d = chunk->description;
  EXPECT_NE(d.find(fmt::format("SquashFS {}.{}", l.major, l.minor)), std::string::npos) << d;
  EXPECT_NE(d.find(l.big ? "big endian" : "little endian"), std::string::npos) << d;
  EXPECT_NE(d.find(Sq3CodecName(l.comp)), std::string::npos) << d;
  // The chunk ends at bytes_used: the padding to 4 KiB after it is left to the scan.
  ASSERT_FALSE(r.unknown.empty());
  EXPECT_EQ(r.unknown.back().offset, w.bytes_used());
  EXPECT_TRUE(r.unknown.back().note.starts_with("padding")) << r.unknown.back().note;
  test::ExpectInside(r, tmp / "out");
}

INSTANTIATE_TEST_SUITE_P(UnpackSquashfs3, Sq3Layouts, ::testing::ValuesIn(kSq3Layouts),
                         [](const ::testing::TestParamInfo<Sq3Layout>& i) { return i.param.name; });

// The vendor magics: the same image with the magic renamed is found and read the same; the byte
// order comes from the superblock, not from the name.
TEST(UnpackSquashfs3, RenamedMagicsAfterJunk) {
  test::TempDir tmp;
  const struct {
    Sq3Layout layout;
    const char* magic;
  } cases[] = {
      {kSq3Layouts[6], "shsq"},
      {kSq3Layouts[7], "qshs"},
      {kSq3Layouts[0], "hsqt"},
      {kSq3Layouts[1], "tqsh"},
      {kSq3Layouts[9], "sqlz"},
      {kSq3Layouts[3], "sqsh"},  // a little-endian 2.1 image under the big-endian magic
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.magic);
    const fs::path img = Sq3Image(tmp, c.layout);
    std::string bytes = test::ReadFile(img);
    bytes.replace(0, 4, c.magic);
    const std::string junk = test::ReadFile("/bin/ls").substr(0, 1000);
    test::WriteFile(tmp / "vendor.bin", junk + bytes);
    const fs::path out = tmp / (std::string("out-") + c.magic);
    auto r = test::Unpack(tmp / "vendor.bin", out);
    for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
    const std::uint32_t root = test::RootOf(r.tree, "squashfs3");
    ASSERT_NE(root, UINT32_MAX);
    EXPECT_EQ(r.tree.roots()[root].origin.back().offset, 1000u);
    auto chunk = FindHandler("squashfs3")->Identify(AsBytes(bytes), 0);
    ASSERT_TRUE(chunk);
    EXPECT_NE(chunk->description.find(c.magic), std::string::npos) << chunk->description;
    EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.modes = true}), 60u);
  }
}

// The SquashFS 4 handler keeps its images, also under a vendor's renamed magic (read through
// libsquashfs with the standard magic presented); SquashFS 3 is not handed to it.
TEST(UnpackSquashfs3, Version4StaysWithLibsquashfsEvenRenamed) {
  if (!test::HaveTool("mksquashfs")) GTEST_SKIP() << "mksquashfs not installed";
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFsTree(tmp / "src"));
  const fs::path img =
      test::BuildImage(tmp.path(), tmp / "src", "mksquashfs \"$SRC\" \"$OUT\" -noappend -quiet");
  for (const char* magic : {"hsqs", "shsq", "hsqt"}) {
    SCOPED_TRACE(magic);
    test::Patch(img, tmp / "v4.img", 0, magic);
    auto r = test::Unpack(tmp / "v4.img", tmp / (std::string("out-") + magic));
    for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
    const std::uint32_t root = test::RootOf(r.tree, "squashfs");
    ASSERT_NE(root, UINT32_MAX);
    EXPECT_EQ(test::RootOf(r.tree, "squashfs3"), UINT32_MAX);
    EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.modes = true}), 60u);
  }
}

// Offsets in the superblock (v3, little endian).
constexpr std::uint64_t kSq3BlockSize = 51, kSq3BlockLog = 34, kSq3UidStart = 71, kSq3DirStart = 95;

std::string Sq3Le(std::uint64_t v, int n) {
  std::string s(n, '\0');
  for (int i = 0; i < n; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

TEST(UnpackSquashfs3, HostileSuperblocks) {
  test::TempDir tmp;
  const fs::path img = Sq3Image(tmp, kSq3Layouts[0]);
  // A block size of 2^31: not a 3.x superblock, nothing is allocated for it.
  test::Patch(img, tmp / "bs.img", kSq3BlockSize, Sq3Le(0x80000000u, 4));
  test::Patch(tmp / "bs.img", tmp / "bs.img", kSq3BlockLog, Sq3Le(31, 2));
  auto r = test::Unpack(tmp / "bs.img", tmp / "out-bs");
  EXPECT_EQ(test::RootOf(r.tree, "squashfs3"), UINT32_MAX);
  // The directory table past the end: rejected the same way.
  test::Patch(img, tmp / "dir.img", kSq3DirStart, Sq3Le(1ull << 40, 8));
  r = test::Unpack(tmp / "dir.img", tmp / "out-dir");
  EXPECT_EQ(test::RootOf(r.tree, "squashfs3"), UINT32_MAX);
  // The uid table past the end: a warning naming its offset; the tree still comes out.
  test::Patch(img, tmp / "uid.img", kSq3UidStart, Sq3Le(1ull << 40, 8));
  r = test::Unpack(tmp / "uid.img", tmp / "out-uid");
  const std::uint32_t root = test::RootOf(r.tree, "squashfs3");
  ASSERT_NE(root, UINT32_MAX);
  EXPECT_TRUE(test::HasProblem(r, "uid table")) << r.problems.size();
  bool named = false;
  for (const auto& p : r.problems) named |= p.offset == (1ull << 40);
  EXPECT_TRUE(named);
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.modes = true}), 60u);
  test::ExpectInside(r, tmp / "out-uid");
}

// A directory listing itself, and a file whose fragment index is out of range: each is a warning,
// the rest of the tree comes out.
TEST(UnpackSquashfs3, DirectoryLoopAndBadFragment) {
  test::TempDir tmp;
  const fs::path img = Sq3Image(tmp, kSq3Layouts[1], nullptr, [](Sq3Node& root) {
    Sq3Child(*Sq3Child(root, "etc"), "init.d")->self_loop = true;
    Sq3Child(*Sq3Child(root, "etc"), "shadow")->bad_fragment = true;
  });
  auto r = test::Unpack(img, tmp / "out");
  const std::uint32_t root = test::RootOf(r.tree, "squashfs3");
  ASSERT_NE(root, UINT32_MAX);
  EXPECT_TRUE(test::HasProblem(r, "/etc/init.d/self: directory already visited (loop)"));
  EXPECT_TRUE(test::HasProblem(r, "/etc/shadow: fragment 9999 does not exist"));
  const Entry* rcs = r.tree.Find(root, "/etc/init.d/rcS");
  ASSERT_NE(rcs, nullptr);
  EXPECT_EQ(test::ReadFile(rcs->disk), "#!/bin/sh\ntelnetd -l /bin/sh\n");
  const Entry* big = r.tree.Find(root, "/www/big.bin");
  ASSERT_NE(big, nullptr);
  EXPECT_TRUE(test::ReadFile(big->disk) == test::ReadFile(tmp / "src/www/big.bin"));
  test::ExpectInside(r, tmp / "out");
}

// Busybox-style trees: many names sharing one inode (more entries than inodes) all come out, as
// hardlinks to the first.
TEST(UnpackSquashfs3, ManyHardlinksToOneInode) {
  test::TempDir tmp;
  const fs::path img = Sq3Image(tmp, kSq3Layouts[2], nullptr, [](Sq3Node& root) {
    Sq3Node* bin = Sq3Child(root, "bin");
    const Sq3Node busybox = *Sq3Child(*bin, "busybox");
    for (int i = 0; i < 120; ++i) {
      Sq3Node link = busybox;
      link.name = fmt::format("applet{:03}", i);
      bin->children.push_back(link);
    }
    std::sort(bin->children.begin(), bin->children.end(),
              [](const Sq3Node& a, const Sq3Node& b) { return a.name < b.name; });
  });
  auto r = test::Unpack(img, tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "squashfs3");
  ASSERT_NE(root, UINT32_MAX);
  const std::string busybox = test::ReadFile(tmp / "src/bin/busybox");
  for (int i = 0; i < 120; i += 17) {
    const Entry* e = r.tree.Find(root, fmt::format("/bin/applet{:03}", i));
    ASSERT_NE(e, nullptr) << i;
    EXPECT_TRUE(test::ReadFile(e->disk) == busybox) << i;
  }
  EXPECT_NE(r.tree.Find(root, "/bin/applet119"), nullptr);
}

// A corrupt data block: a warning naming the block's offset; the file is cut short and every
// other file is whole.
TEST(UnpackSquashfs3, CorruptDataBlock) {
  test::TempDir tmp;
  Sq3Writer w(kSq3Layouts[0]);
  const fs::path img = Sq3Image(tmp, kSq3Layouts[0], &w);
  const std::uint64_t at = w.block_offset("/www/big.bin");
  test::Patch(img, tmp / "bad.img", at + 2, std::string(16, '\x55'));
  auto r = test::Unpack(tmp / "bad.img", tmp / "out");
  const std::uint32_t root = test::RootOf(r.tree, "squashfs3");
  ASSERT_NE(root, UINT32_MAX);
  bool named = false;
  for (const auto& p : r.problems) {
    named |= p.offset == at && p.message.find("/www/big.bin: block 0") != std::string::npos;
  }
  EXPECT_TRUE(named);
  const Entry* busybox = r.tree.Find(root, "/bin/busybox");
  ASSERT_NE(busybox, nullptr);
  EXPECT_TRUE(test::ReadFile(busybox->disk) == test::ReadFile(tmp / "src/bin/busybox"));
}

// Truncated images: cut in the id tables the tree still comes out (owners lost, warned about);
// cut anywhere else nothing escapes and nothing crashes; every cut is reported with an offset.
TEST(UnpackSquashfs3, Truncated) {
  test::TempDir tmp;
  Sq3Writer w(kSq3Layouts[1]);
  const fs::path img = Sq3Image(tmp, kSq3Layouts[1], &w);
  const std::uint64_t used = w.bytes_used();
  test::Truncate(img, tmp / "cut.img", used - 6);
  auto r = test::Unpack(tmp / "cut.img", tmp / "out");
  const std::uint32_t root = test::RootOf(r.tree, "squashfs3");
  ASSERT_NE(root, UINT32_MAX);
  bool truncated = false;
  for (const auto& p : r.problems) {
    truncated |= p.offset == used - 6 && p.message.find("truncated") != std::string::npos;
  }
  EXPECT_TRUE(truncated);
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.modes = true}), 60u);
  test::ForEachTruncation(img, tmp.path(), {200, used / 3, used / 2, used - 300, used - 40},
                          [](std::uint64_t, const UnpackResult& cut) {
                            for (const auto& p : cut.problems) EXPECT_TRUE(p.offset.has_value());
                          });
}

}  // namespace
}  // namespace iotcop::unpack
