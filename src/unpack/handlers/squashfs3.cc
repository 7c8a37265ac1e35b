// File: unpack/handlers/squashfs3.cc
// SquashFS 3.x and 2.x in both byte orders, with the standard and the vendor-renamed magics, read
// by hand (libsquashfs reads only 4.0): superblock, metadata blocks (inode and directory tables),
// uid/gid tables, fragment table, data blocks with zlib or the LZMA block variants of router
// firmware (LZMA-alone streams, or raw LZMA with fixed properties), detected per image.
//
// Big-endian images store the bitfield structures packed from the most significant bit (the
// layout a big-endian compiler gives, which the Linux 2.6 squashfs_fs.h SQUASHFS_SWAP_* macros
// describe by bit position): every structure is read here as a bit string at those positions, from
// the least significant bit in little-endian images and from the most significant in big-endian
// ones.
#include <lzma.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/jail.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kSqMetaSize = 8192;
constexpr std::uint32_t kSqInvalidFrag = 0xffffffff;
constexpr std::uint32_t kSqBlockUncompressed = 1u << 24;
constexpr std::uint64_t kSqSuperSize = 119;
constexpr std::uint32_t kSqNoGuid = 255;  // guid index meaning "same as the uid"
// Decompressed metadata (inode, directory and fragment tables) kept in memory, at most.
constexpr std::uint64_t kSqMetaCap = 256ull << 20;

// A field of a packed bitfield structure at bit `pos` of `p`, `len` bits wide (len <= 64).
std::uint64_t SqBits(const std::uint8_t* p, unsigned pos, unsigned len, bool big) {
  if (pos % 8 == 0 && len % 8 == 0) {  // byte-aligned: the common case
    std::uint64_t v = 0;
    const unsigned n = len / 8;
    for (unsigned i = 0; i < n; ++i) {
      const std::uint64_t b = p[pos / 8 + i];
      v = big ? (v << 8) | b : v | (b << (8 * i));
    }
    return v;
  }
  std::uint64_t v = 0;
  for (unsigned i = 0; i < len; ++i) {
    const unsigned bit = pos + i;
    if (big) {
      v = (v << 1) | ((p[bit / 8] >> (7 - bit % 8)) & 1u);
    } else {
      v |= std::uint64_t{(p[bit / 8] >> (bit % 8)) & 1u} << i;
    }
  }
  return v;
}

struct SqSuper {
  bool big = false;
  std::string magic;
  unsigned major = 0, minor = 0;
  std::uint32_t inodes = 0, block_size = 0, block_log = 0, fragments = 0;
  std::uint32_t flags = 0, no_uids = 0, no_guids = 0;
  std::uint64_t bytes_used = 0, uid_start = 0, guid_start = 0, inode_table = 0, dir_table = 0,
                frag_table = 0, lookup_table = ~std::uint64_t{0}, root_inode = 0;
  bool check_marker() const { return flags & 0x4; }  // SQUASHFS_CHECK: a marker byte per block
};

// The superblock read in byte order `big`; nullopt when it is not a plausible v2/v3 one.
std::optional<SqSuper> SqParseSuper(const std::uint8_t* p, bool big) {
  auto f = [&](unsigned pos, unsigned len) { return SqBits(p, pos, len, big); };
  SqSuper s;
  s.big = big;
  s.major = static_cast<unsigned>(f(224, 16));
  s.minor = static_cast<unsigned>(f(240, 16));
  if (s.major != 2 && s.major != 3) return std::nullopt;
  if (s.minor > 1) return std::nullopt;
  s.inodes = static_cast<std::uint32_t>(f(32, 32));
  s.block_log = static_cast<std::uint32_t>(f(272, 16));
  s.flags = static_cast<std::uint32_t>(f(288, 8));
  s.no_uids = static_cast<std::uint32_t>(f(296, 8));
  s.no_guids = static_cast<std::uint32_t>(f(304, 8));
  s.root_inode = f(344, 64);
  s.fragments = static_cast<std::uint32_t>(f(440, 32));
  const auto block_size_1 = static_cast<std::uint32_t>(f(256, 16));
  const bool v3 = s.major == 3;
  if (!v3) {
    // 2.x: a 16-bit block size (64 KiB reads as 0).
    if (s.block_log < 12 || s.block_log > 16) return std::nullopt;
    s.block_size = 1u << s.block_log;
    if (block_size_1 != (s.block_size & 0xffff)) return std::nullopt;
  } else {
    s.block_size = static_cast<std::uint32_t>(f(408, 32));
    if (s.block_log < 12 || s.block_log > 20 || s.block_size != (1u << s.block_log)) {
      return std::nullopt;
    }
    if (s.minor >= 1) s.lookup_table = f(888, 64);
  }
  // Table offsets, 32-bit in 2.x and 64-bit in 3.x: bytes_used, uid, guid, inode, directory and
  // fragment tables.
  static constexpr unsigned kPos[2][6] = {{64, 96, 128, 160, 192, 472},
                                          {504, 568, 632, 696, 760, 824}};
  std::uint64_t* const field[] = {&s.bytes_used,  &s.uid_start, &s.guid_start,
                                  &s.inode_table, &s.dir_table, &s.frag_table};
  for (int i = 0; i < 6; ++i) *field[i] = f(kPos[v3 ? 1 : 0][i], v3 ? 64 : 32);
  if (s.inodes == 0 || s.no_uids == 0) return std::nullopt;
  const std::uint64_t super_size = s.major == 2 ? 63 : kSqSuperSize;
  if (s.bytes_used < super_size || s.inode_table < super_size || s.inode_table >= s.dir_table ||
      s.dir_table >= s.bytes_used) {
    return std::nullopt;
  }
  if ((s.root_inode >> 16) >= s.dir_table - s.inode_table || (s.root_inode & 0xffff) >= 8192) {
    return std::nullopt;
  }
  return s;
}

// How blocks are compressed. kLzmaRaw has no header: the properties byte and the dictionary
// are fixed for the image.
enum class SqCodecKind { kZlib, kLzmaAlone, kLzmaAloneNoSize, kLzmaRaw, kUnknown };
struct SqCodec {
  SqCodecKind kind = SqCodecKind::kUnknown;
  std::uint8_t props = 0x5d;
  std::uint32_t dict = 0;
  std::string Name() const {
    switch (kind) {
      case SqCodecKind::kZlib:
        return "zlib";
      case SqCodecKind::kLzmaAlone:
        return "LZMA-alone blocks";
      case SqCodecKind::kLzmaAloneNoSize:
        return "LZMA blocks (5-byte header)";
      case SqCodecKind::kLzmaRaw:
        return fmt::format("raw LZMA blocks (lc={} lp={} pb={})", props % 9, (props / 9) % 5,
                           props / 45);
      case SqCodecKind::kUnknown:
        break;
    }
    return "unknown compression";
  }
};

bool SqValidProps(std::uint8_t props) {
  return props < 9 * 5 * 5 && props % 9 + (props / 9) % 5 <= 4;
}

// Runs liblzma's LZMA-alone decoder over `header` (13 bytes) then `in`, into out[0, cap).
// `exact`: the stream must end (end marker or size reached); otherwise running out of input
// after producing data is the end of a stream without marker.
std::optional<std::size_t> SqLzmaRun(const std::uint8_t* header, ByteView in, std::uint8_t* out,
                                     std::size_t cap, bool exact) {
  lzma_stream z = LZMA_STREAM_INIT;
  if (lzma_alone_decoder(&z, 64u << 20) != LZMA_OK) return std::nullopt;
  z.next_in = header;
  z.avail_in = 13;
  z.next_out = out;
  z.avail_out = cap;
  lzma_ret rc = lzma_code(&z, LZMA_RUN);
  if (rc == LZMA_OK) {
    z.next_in = in.data();
    z.avail_in = in.size();
    rc = lzma_code(&z, LZMA_RUN);
    if (rc == LZMA_OK && z.avail_in == 0 && z.avail_out > 0) rc = lzma_code(&z, LZMA_FINISH);
  }
  const std::size_t produced = cap - z.avail_out;
  // A stream without end marker may leave a few bytes of the range coder's flush unread.
  const bool input_done = z.avail_in <= 5;
  lzma_end(&z);
  if (rc == LZMA_STREAM_END) return produced;
  if (!exact && produced > 0 && input_done && (rc == LZMA_OK || rc == LZMA_BUF_ERROR)) {
    return produced;
  }
  return std::nullopt;
}

// Decompresses one block with `c`; the size produced, or nullopt when it does not decode.
std::optional<std::size_t> SqDecode(const SqCodec& c, ByteView in, std::uint8_t* out,
                                    std::size_t cap) {
  switch (c.kind) {
    case SqCodecKind::kZlib: {
      if (in.size() < 2 || (in[0] & 0x0f) != 8 || ((in[0] << 8) | in[1]) % 31 != 0) {
        return std::nullopt;
      }
      uLongf len = cap;
      if (uncompress(out, &len, in.data(), in.size()) != Z_OK) return std::nullopt;
      return len;
    }
    case SqCodecKind::kLzmaAlone: {
      if (in.size() < 14 || !SqValidProps(in[0])) return std::nullopt;
      const std::uint64_t size = LoadLe<std::uint64_t>(in.data() + 5);
      if (size > cap) return std::nullopt;
      return SqLzmaRun(in.data(), in.subspan(13), out, cap, true);
    }
    case SqCodecKind::kLzmaAloneNoSize: {
      if (in.size() < 6 || !SqValidProps(in[0])) return std::nullopt;
      std::array<std::uint8_t, 13> h{};
      std::memcpy(h.data(), in.data(), 5);
      std::memset(h.data() + 5, 0xff, 8);
      return SqLzmaRun(h.data(), in.subspan(5), out, cap, false);
    }
    case SqCodecKind::kLzmaRaw: {
      std::array<std::uint8_t, 13> h{};
      h[0] = c.props;
      const std::uint32_t dict = std::max<std::uint32_t>(c.dict, kSqMetaSize);
      for (int i = 0; i < 4; ++i) h[1 + i] = static_cast<std::uint8_t>(dict >> (8 * i));
      std::memset(h.data() + 5, 0xff, 8);
      return SqLzmaRun(h.data(), in, out, cap, false);
    }
    case SqCodecKind::kUnknown:
      break;
  }
  return std::nullopt;
}

// The candidates tried on the first compressed metadata block, in order: the self-describing
// formats first, raw LZMA (which decodes almost anything into something) last.
std::vector<SqCodec> SqCandidates(std::uint32_t block_size) {
  std::vector<SqCodec> v = {{SqCodecKind::kZlib, 0, 0},
                            {SqCodecKind::kLzmaAlone, 0, 0},
                            {SqCodecKind::kLzmaAloneNoSize, 0, 0}};
  for (int props : {0x5d, 0x6d, 0x00}) {
    v.push_back({SqCodecKind::kLzmaRaw, static_cast<std::uint8_t>(props), block_size});
  }
  return v;
}

// The reader of one image: superblock, codec and bounded access to the image's bytes.
class SqImage {
 public:
  SqImage(const SqSuper& s, ByteView fs) : s_(s), fs_(fs) {}
  const SqSuper& super() const { return s_; }
  ByteView fs() const { return fs_; }
  SqCodec codec;

  std::uint64_t U(const std::uint8_t* p, unsigned bytes) const {
    return SqBits(p, 0, 8 * bytes, s_.big);
  }

  // The metadata block at `pos`: its payload and where the next one starts.
  struct MetaBlock {
    ByteView payload;
    bool compressed = false;
    std::uint64_t next = 0;
  };
  std::optional<MetaBlock> MetaAt(std::uint64_t pos) const {
    const std::uint64_t hdr = 2 + (s_.check_marker() ? 1 : 0);
    if (!Fits(fs_.size(), pos, hdr)) return std::nullopt;
    const auto h = static_cast<std::uint32_t>(U(fs_.data() + pos, 2));
    const std::uint32_t len = h & 0x7fff;
    if (len == 0 || !Fits(fs_.size(), pos + hdr, len)) return std::nullopt;
    return MetaBlock{fs_.subspan(pos + hdr, len), !(h & 0x8000), pos + hdr + len};
  }

  // Decodes a block with the image's codec, falling back on the self-describing ones (sqlzma
  // images mix zlib and LZMA blocks).
  std::optional<std::size_t> Decode(ByteView in, std::uint8_t* out, std::size_t cap) const {
    if (auto n = SqDecode(codec, in, out, cap)) return n;
    for (auto k : {SqCodecKind::kZlib, SqCodecKind::kLzmaAlone}) {
      if (k == codec.kind) continue;
      if (auto n = SqDecode({k, 0, 0}, in, out, cap)) return n;
    }
    return std::nullopt;
  }

  // An inode header: a known type, and in 3.x an inode number the superblock allows.
  bool PlausibleInode(const std::uint8_t* p, std::size_t n) const {
    if (n < 4) return false;
    const std::uint64_t type = SqBits(p, 0, 4, s_.big);
    if (type < 1 || type > (s_.major == 3 ? 9u : 8u)) return false;
    if (s_.major == 2) return true;
    if (n < 12) return false;
    const std::uint64_t ino = SqBits(p, 64, 32, s_.big);
    return ino >= 1 && ino <= std::uint64_t{s_.inodes} + 1;
  }

  // Finds the codec on the first compressed metadata block of the inode table.
  void DetectCodec() {
    std::vector<std::uint8_t> buf(kSqMetaSize);
    std::uint64_t pos = s_.inode_table;
    for (int i = 0; i < 64 && pos < s_.bytes_used; ++i) {
      auto b = MetaAt(pos);
      if (!b) return;
      if (b->compressed) {
        for (const auto& c : SqCandidates(s_.block_size)) {
          auto n = SqDecode(c, b->payload, buf.data(), buf.size());
          // A metadata block is 8 KiB unless it is the last of its table; the table's first
          // block starts with an inode (raw LZMA with the wrong properties decodes to noise).
          if (n && *n > 0 && (*n == kSqMetaSize || b->next >= s_.dir_table) &&
              (pos != s_.inode_table || PlausibleInode(buf.data(), *n))) {
            codec = c;
            return;
          }
        }
        return;
      }
      pos = b->next;
    }
    codec.kind = SqCodecKind::kZlib;  // nothing compressed to tell by: the standard
  }

 private:
  SqSuper s_;
  ByteView fs_;
};

// A metadata table (inode or directory) decoded into memory, addressed as squashfs does: the
// offset of a compressed block relative to the table's start plus an offset in its data.
class SqMetaTable {
 public:
  // Decodes the blocks from `start` up to `end`; warns about the first bad one.
  void Load(const SqImage& img, std::uint64_t start, std::uint64_t end, const char* what,
            ExtractContext& ctx, std::uint64_t base) {
    start_ = start;
    std::uint64_t pos = start;
    std::vector<std::uint8_t> buf(kSqMetaSize);
    while (pos < end) {
      auto b = img.MetaAt(pos);
      if (!b) {
        ctx.Warn(base + pos, fmt::format("{} metadata block header invalid or past the end of the "
                                         "image; the rest of the table is lost",
                                         what));
        return;
      }
      if (data_.size() + kSqMetaSize > kSqMetaCap) {
        ctx.Warn(base + pos,
                 fmt::format("{} larger than {} MiB decoded; stopped", what, kSqMetaCap >> 20));
        return;
      }
      std::size_t n = 0;
      bool ok = true;
      if (b->compressed) {
        auto r = img.Decode(b->payload, buf.data(), buf.size());
        ok = r.has_value();
        n = r.value_or(0);
      } else if (b->payload.size() <= kSqMetaSize) {
        n = b->payload.size();
        std::memcpy(buf.data(), b->payload.data(), n);
      } else {
        ok = false;
      }
      starts_[pos - start] = data_.size();
      if (!ok) {
        ctx.Warn(base + pos,
                 fmt::format("{} metadata block does not decode ({}); entries in it are lost", what,
                             img.codec.Name()));
        // Kept as an empty block: a read starting in it or running into it fails.
        bad_.push_back({pos - start, data_.size(), base + pos});
        n = 0;
        if (bad_.size() >= 16) {
          ctx.Warn(base + pos, fmt::format("{}: 16 corrupt metadata blocks; the rest of the table "
                                           "is not read",
                                           what));
          return;
        }
      }
      data_.insert(data_.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
      pos = b->next;
    }
  }

  // `n` bytes at (block, offset); an error naming where it failed.
  Result<ByteView> At(std::uint64_t block, std::uint64_t offset, std::uint64_t n) const {
    auto it = starts_.find(block);
    if (it == starts_.end()) {
      return MakeError(Errc::kCorrupt, fmt::format("no metadata block at +{:#x}", block), {},
                       start_ + block);
    }
    const std::uint64_t from = it->second + offset;
    if (!Fits(data_.size(), from, n)) {
      return MakeError(Errc::kTruncated, "metadata runs past the end of its table", {},
                       start_ + block);
    }
    for (const auto& b : bad_) {
      // In the bad block itself, or a read from an earlier block running into it.
      if (b.block == block ||
          (it->second < b.at_data && from <= b.at_data && b.at_data < from + n)) {
        return MakeError(Errc::kCorrupt, "in a metadata block that does not decode", {}, b.at);
      }
    }
    return ByteView(data_.data() + from, n);
  }

  // Whole decoded bytes (the fragment table is read as one array).
  ByteView data() const { return data_; }

 private:
  struct Bad {
    std::uint64_t block, at_data, at;  // its key, position in data_, offset in the view
  };
  std::uint64_t start_ = 0;
  std::vector<std::uint8_t> data_;
  std::unordered_map<std::uint64_t, std::uint64_t> starts_;
  std::vector<Bad> bad_;
};

// One inode, decoded for either version and byte order.
struct SqInode {
  unsigned type = 0;  // 1 dir, 2 file, 3 symlink, 4 blkdev, 5 chrdev, 6 fifo, 7 socket, 8 ldir,
                      // 9 lreg
  std::uint32_t mode = 0, uid = 0, gid = 0;
  std::uint64_t start = 0, size = 0;  // files: first data block, size; dirs: listing block, size
  std::uint32_t offset = 0;           // dirs: offset in the listing block; files: in the fragment
  std::uint32_t fragment = kSqInvalidFrag;
  std::uint32_t rdev = 0;
  std::string target;
  std::vector<std::uint32_t> blocks;
};

struct SqFragment {
  std::uint64_t start = 0;
  std::uint32_t size = 0;
};

class SqReader {
 public:
  SqReader(SqImage& img, ExtractContext& ctx, std::uint64_t base, Jail& jail)
      : img_(img), s_(img.super()), ctx_(ctx), base_(base), jail_(jail) {}

  void Warn(std::uint64_t off, std::string msg) { ctx_.Warn(base_ + off, std::move(msg)); }

  // The first table after `after` (tables follow one another: inode, directory, fragments,
  // lookup, uids, guids); bounds the directory table.
  std::uint64_t NextTable(std::uint64_t after) const {
    const std::uint64_t limit = std::min<std::uint64_t>(s_.bytes_used, img_.fs().size());
    std::uint64_t end = limit;
    for (std::uint64_t t : {s_.frag_table, s_.lookup_table, s_.uid_start, s_.guid_start}) {
      if (t > after && t < end) end = t;
    }
    if (first_frag_block_ > after && first_frag_block_ < end) end = first_frag_block_;
    // The export table's blocks come before its index.
    if (s_.lookup_table != ~std::uint64_t{0} && Fits(limit, s_.lookup_table, 8)) {
      const std::uint64_t first = img_.U(img_.fs().data() + s_.lookup_table, 8);
      if (first > after && first < end) end = first;
    }
    return end;
  }

  void LoadIds() {
    auto read = [&](std::uint64_t at, std::uint32_t n, const char* what,
                    std::vector<std::uint32_t>& out) {
      if (n == 0) return;
      if (!Fits(std::min<std::uint64_t>(s_.bytes_used, img_.fs().size()), at, 4ull * n)) {
        Warn(at,
             fmt::format("{} table of {} entries outside the image; owners read as 0", what, n));
        return;
      }
      for (std::uint32_t i = 0; i < n; ++i) {
        out.push_back(static_cast<std::uint32_t>(img_.U(img_.fs().data() + at + 4ull * i, 4)));
      }
    };
    read(s_.uid_start, s_.no_uids, "uid", uids_);
    read(s_.guid_start, s_.no_guids, "gid", guids_);
  }

  void LoadFragments() {
    if (s_.fragments == 0) return;
    const std::uint64_t entry = s_.major == 2 ? 8 : 16, ptr = s_.major == 2 ? 4 : 8;
    const std::uint64_t bytes = std::uint64_t{s_.fragments} * entry;
    const std::uint64_t nblocks = (bytes + kSqMetaSize - 1) / kSqMetaSize;
    const std::uint64_t limit = std::min<std::uint64_t>(s_.bytes_used, img_.fs().size());
    if (s_.fragments > s_.inodes || !Fits(limit, s_.frag_table, nblocks * ptr)) {
      Warn(s_.frag_table, fmt::format("fragment table of {} entries does not fit in the image; "
                                      "file tails are lost",
                                      s_.fragments));
      return;
    }
    std::vector<std::uint8_t> buf(kSqMetaSize);
    for (std::uint64_t i = 0; i < nblocks; ++i) {
      const std::uint64_t at = img_.U(img_.fs().data() + s_.frag_table + i * ptr, ptr);
      if (i == 0) first_frag_block_ = at;
      auto b = img_.MetaAt(at);
      std::optional<std::size_t> n;
      if (b && b->compressed) {
        n = img_.Decode(b->payload, buf.data(), buf.size());
      } else if (b && b->payload.size() <= kSqMetaSize) {
        std::memcpy(buf.data(), b->payload.data(), b->payload.size());
        n = b->payload.size();
      }
      if (!n) {
        Warn(at, "fragment table block unreadable; the tails it describes are lost");
        return;
      }
      for (std::size_t o = 0; o + entry <= *n; o += entry) {
        if (frags_.size() >= s_.fragments) break;
        frags_.push_back({img_.U(buf.data() + o, static_cast<unsigned>(ptr)),
                          static_cast<std::uint32_t>(img_.U(buf.data() + o + ptr, 4))});
      }
    }
  }

  Status Run() {
    LoadIds();
    LoadFragments();
    inodes_.Load(img_, s_.inode_table, s_.dir_table, "inode table", ctx_, base_);
    dirs_.Load(img_, s_.dir_table, NextTable(s_.dir_table), "directory table", ctx_, base_);
    auto root = ReadInode(s_.root_inode >> 16, s_.root_inode & 0xffff);
    if (!root) {
      return MakeError(root.error().code, "root inode: " + root.error().what, {},
                       base_ + root.error().offset.value_or(s_.inode_table));
    }
    if (root->type != 1 && root->type != 8) {
      return MakeError(Errc::kCorrupt, "root inode is not a directory", {}, base_ + s_.inode_table);
    }
    if (auto st = jail_.MakeDir("/", Meta(*root)); !st) return st;
    std::deque<std::pair<SqInode, std::string>> queue;
    queue.push_back({*root, ""});
    visited_.insert(s_.root_inode);
    while (!queue.empty()) {
      auto [dir, prefix] = std::move(queue.front());
      queue.pop_front();
      if (auto st = List(dir, prefix, queue); !st) return st;
    }
    return Ok();
  }

 private:
  EntryMeta Meta(const SqInode& in) const { return {in.mode & 07777, in.uid, in.gid}; }

  Result<SqInode> ReadInode(std::uint64_t block, std::uint32_t offset) {
    const bool v3 = s_.major == 3;
    const std::uint64_t base_len = v3 ? 12 : 4;
    auto head = inodes_.At(block, offset, base_len);
    if (!head) return head.error();
    auto f = [&](const std::uint8_t* p, unsigned pos, unsigned len) {
      return SqBits(p, pos, len, s_.big);
    };
    const std::uint8_t* p = head->data();
    SqInode in;
    in.type = static_cast<unsigned>(f(p, 0, 4));
    in.mode = static_cast<std::uint32_t>(f(p, 4, 12));
    const auto uid_ix = static_cast<std::uint32_t>(f(p, 16, 8));
    const auto gid_ix = static_cast<std::uint32_t>(f(p, 24, 8));
    in.uid = uid_ix < uids_.size() ? uids_[uid_ix] : 0;
    in.gid = gid_ix == kSqNoGuid ? in.uid : gid_ix < guids_.size() ? guids_[gid_ix] : 0;
    // Header size per type (2.x, 3.x; 0: no such type), then the fields at their bit positions.
    static constexpr std::uint8_t kLen[2][10] = {{0, 15, 24, 6, 6, 6, 4, 4, 18, 0},
                                                 {0, 28, 32, 18, 18, 18, 16, 16, 31, 40}};
    const std::uint64_t len = in.type < 10 ? kLen[v3 ? 1 : 0][in.type] : 0;
    if (len == 0) {
      return MakeError(Errc::kCorrupt,
                       fmt::format("unknown inode type {} (SquashFS {})", in.type, s_.major), {},
                       s_.inode_table + block);
    }
    auto h = inodes_.At(block, offset, len);
    if (!h) return h.error();
    p = h->data();
    switch (in.type) {
      case 1:
        in.size = f(p, v3 ? 128 : 32, 19);
        in.offset = static_cast<std::uint32_t>(f(p, v3 ? 147 : 51, 13));
        in.start = v3 ? f(p, 160, 32) : f(p, 96, 24);
        break;
      case 8:
        in.size = f(p, v3 ? 128 : 32, 27);
        in.offset = static_cast<std::uint32_t>(f(p, v3 ? 155 : 59, 13));
        in.start = v3 ? f(p, 168, 32) : f(p, 104, 24);
        break;
      case 2:
      case 9: {
        if (in.type == 2) {
          in.start = v3 ? f(p, 96, 64) : f(p, 64, 32);
          in.fragment = static_cast<std::uint32_t>(f(p, v3 ? 160 : 96, 32));
          in.offset = static_cast<std::uint32_t>(f(p, v3 ? 192 : 128, 32));
          in.size = f(p, v3 ? 224 : 160, 32);
        } else {
          in.start = f(p, 128, 64);
          in.fragment = static_cast<std::uint32_t>(f(p, 192, 32));
          in.offset = static_cast<std::uint32_t>(f(p, 224, 32));
          in.size = f(p, 256, 64);
        }
        const std::uint64_t nblocks = in.fragment == kSqInvalidFrag
                                          ? (in.size + s_.block_size - 1) >> s_.block_log
                                          : in.size >> s_.block_log;
        // The block list lives in the inode table: a list that does not fit is corrupt.
        if (nblocks > inodes_.data().size() / 4) {
          return MakeError(
              Errc::kCorrupt,
              fmt::format("file of {} bytes: block list longer than the inode table", in.size), {},
              s_.inode_table + block);
        }
        auto list = inodes_.At(block, offset, len + 4 * nblocks);
        if (!list) return list.error();
        in.blocks.reserve(nblocks);
        for (std::uint64_t i = 0; i < nblocks; ++i) {
          in.blocks.push_back(static_cast<std::uint32_t>(img_.U(list->data() + len + 4 * i, 4)));
        }
        break;
      }
      case 3: {
        const std::uint64_t n = f(p, v3 ? 128 : 32, 16);
        auto t = inodes_.At(block, offset, len + n);
        if (!t) return t.error();
        const char* c = reinterpret_cast<const char*>(t->data() + len);
        in.target.assign(c, strnlen(c, n));
        break;
      }
      case 4:
      case 5:
        in.rdev = static_cast<std::uint32_t>(f(p, v3 ? 128 : 32, 16));
        break;
      default:
        break;
    }
    return in;
  }

  // Reads the listing of `dir` and emits its entries; subdirectories go to `queue`.
  Status List(const SqInode& dir, const std::string& prefix,
              std::deque<std::pair<SqInode, std::string>>& queue) {
    const bool v3 = s_.major == 3;
    const std::string shown = prefix.empty() ? "/" : prefix;
    // 3.x counts 3 bytes for "." and ".." that are not stored.
    const std::uint64_t size = v3 ? (dir.size > 3 ? dir.size - 3 : 0) : dir.size;
    if (size == 0) return Ok();
    // Each listing is read once: two directory inodes sharing one would multiply the entries.
    if (!listings_.insert((dir.start << 16) | dir.offset).second) {
      Warn(s_.dir_table + dir.start,
           fmt::format("{}: listing already read for another directory; skipped", shown));
      return Ok();
    }
    auto listing = dirs_.At(dir.start, dir.offset, size);
    if (!listing) {
      Warn(listing.error().offset.value_or(s_.dir_table),
           fmt::format("{}: directory listing unreadable ({}); skipped", shown,
                       listing.error().what));
      return Ok();
    }
    const std::uint8_t* p = listing->data();
    const std::uint64_t hdr_len = v3 ? 9 : 4, ent_len = v3 ? 5 : 3;
    const std::uint64_t at = s_.dir_table + dir.start;
    std::uint64_t pos = 0;
    while (pos < size) {
      if (pos + hdr_len > size) {
        Warn(at, fmt::format("{}: directory header crosses the listing's end", shown));
        break;
      }
      const std::uint64_t count = SqBits(p + pos, 0, 8, s_.big) + 1;
      const std::uint64_t iblock = SqBits(p + pos, 8, v3 ? 32 : 24, s_.big);
      pos += hdr_len;
      for (std::uint64_t k = 0; k < count; ++k) {
        if (pos + ent_len > size) {
          Warn(at, fmt::format("{}: directory entry crosses the listing's end", shown));
          return Ok();
        }
        const auto ioff = static_cast<std::uint32_t>(SqBits(p + pos, 0, 13, s_.big));
        const std::uint64_t nlen = SqBits(p + pos, 16, 8, s_.big) + 1;
        pos += ent_len;
        if (pos + nlen > size) {
          Warn(at, fmt::format("{}: name crosses the listing's end", shown));
          return Ok();
        }
        const std::string name(reinterpret_cast<const char*>(p + pos), nlen);
        pos += nlen;
        const std::string path = prefix + "/" + name;
        if (name == "." || name == ".." || name.find('/') != std::string::npos ||
            name.find('\0') != std::string::npos) {
          Warn(at, fmt::format("{}: invalid name; skipped", path));
          continue;
        }
        auto st = Emit(iblock, ioff, path, queue);
        if (!st && st.error().code == Errc::kLimitExceeded) return st;
      }
    }
    return Ok();
  }

  Status Emit(std::uint64_t iblock, std::uint32_t ioff, const std::string& path,
              std::deque<std::pair<SqInode, std::string>>& queue) {
    const std::uint64_t ref = (iblock << 16) | ioff;
    auto in = ReadInode(iblock, ioff);
    if (!in) {
      Warn(in.error().offset.value_or(s_.inode_table),
           fmt::format("{}: inode unreadable ({}); skipped", path, in.error().what));
      return Ok();
    }
    const EntryMeta meta = Meta(*in);
    switch (in->type) {
      case 1:
      case 8: {
        if (!visited_.insert(ref).second) {
          Warn(s_.inode_table + iblock,
               fmt::format("{}: directory already visited (loop); skipped", path));
          return Ok();
        }
        auto st = jail_.MakeDir(path, meta);
        if (st) queue.push_back({std::move(*in), path});
        return st;
      }
      case 2:
      case 9: {
        if (auto it = files_.find(ref); it != files_.end()) return jail_.Hardlink(path, it->second);
        auto st = WriteFile(*in, path, meta);
        files_.emplace(ref, path);
        return st;
      }
      case 3:
        return jail_.Symlink(path, in->target, meta);
      case 4:
      case 5:
        return jail_.Node(path, in->type == 4 ? EntryType::kBlockDev : EntryType::kCharDev, meta,
                          in->rdev >> 8, in->rdev & 0xff);
      case 6:
        return jail_.Node(path, EntryType::kFifo, meta);
      default:
        return jail_.Node(path, EntryType::kSocket, meta);
    }
  }

  Status WriteFile(const SqInode& in, const std::string& path, const EntryMeta& meta) {
    auto f = jail_.CreateFile(path, meta);
    if (!f) return f.error();
    auto st = Content(in, path, **f);
    auto closed = (*f)->Close();
    return st ? closed : st;
  }

  Status Content(const SqInode& in, const std::string& path, JailFile& out) {
    const std::uint64_t bs = s_.block_size;
    const std::uint64_t limit = std::min<std::uint64_t>(s_.bytes_used, img_.fs().size());
    if (buf_.size() < bs) buf_.resize(bs);
    std::uint64_t pos = in.start, done = 0;
    for (std::size_t i = 0; i < in.blocks.size(); ++i) {
      const std::uint64_t want = std::min<std::uint64_t>(bs, in.size - done);
      const std::uint32_t e = in.blocks[i];
      const std::uint64_t len = e & ~kSqBlockUncompressed;
      if (len == 0) {  // a hole
        std::fill(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(want), 0);
      } else if (len > bs + 1024 || !Fits(limit, pos, len)) {
        Warn(std::min(pos, limit), fmt::format("{}: block {} ({} bytes) outside the image; file "
                                               "cut short",
                                               path, i, len));
        return Ok();
      } else if (e & kSqBlockUncompressed) {
        if (len < want) {
          Warn(pos, fmt::format("{}: uncompressed block {} is short; file cut short", path, i));
          return Ok();
        }
        std::memcpy(buf_.data(), img_.fs().data() + pos, want);
      } else {
        auto n = img_.Decode(img_.fs().subspan(pos, len), buf_.data(), bs);
        if (!n || *n != want) {
          Warn(pos, fmt::format("{}: block {} does not decode to {} bytes ({}); file cut short",
                                path, i, want, img_.codec.Name()));
          return Ok();
        }
      }
      pos += len;
      done += want;
      if (auto st = out.Write(ByteView(buf_.data(), want)); !st) return st;
    }
    if (done >= in.size) return Ok();
    // The tail, in a fragment block.
    if (in.fragment == kSqInvalidFrag || in.fragment >= frags_.size()) {
      Warn(s_.inode_table, fmt::format("{}: fragment {} does not exist ({} in the table); tail of "
                                       "{} bytes lost",
                                       path, in.fragment, frags_.size(), in.size - done));
      return Ok();
    }
    const std::uint64_t tail = in.size - done;
    auto frag = Fragment(in.fragment);
    if (!frag) {
      Warn(frag.error().offset.value_or(0),
           fmt::format("{}: fragment {} unreadable ({})", path, in.fragment, frag.error().what));
      return Ok();
    }
    if (!Fits(frag->size(), in.offset, tail)) {
      Warn(frags_[in.fragment].start, fmt::format("{}: tail of {} bytes at {} outside fragment {}",
                                                  path, tail, in.offset, in.fragment));
      return Ok();
    }
    return out.Write(frag->subspan(in.offset, tail));
  }

  // Fragment block `i`, decoded (the last one is cached: files sharing it come in a row).
  Result<ByteView> Fragment(std::uint32_t i) {
    if (frag_cached_ == i) return ByteView(frag_buf_.data(), frag_len_);
    const SqFragment& fr = frags_[i];
    const std::uint64_t len = fr.size & ~kSqBlockUncompressed;
    const std::uint64_t limit = std::min<std::uint64_t>(s_.bytes_used, img_.fs().size());
    if (len == 0 || len > s_.block_size + 1024ull || !Fits(limit, fr.start, len)) {
      return MakeError(Errc::kCorrupt, "fragment block outside the image", {},
                       std::min(fr.start, limit));
    }
    frag_buf_.resize(s_.block_size);
    const ByteView in = img_.fs().subspan(fr.start, len);
    if (fr.size & kSqBlockUncompressed) {
      frag_len_ = std::min<std::uint64_t>(len, s_.block_size);
      std::memcpy(frag_buf_.data(), in.data(), frag_len_);
    } else {
      auto n = img_.Decode(in, frag_buf_.data(), frag_buf_.size());
      if (!n) return MakeError(Errc::kCorrupt, "does not decode", {}, fr.start);
      frag_len_ = *n;
    }
    frag_cached_ = i;
    return ByteView(frag_buf_.data(), frag_len_);
  }

  SqImage& img_;
  const SqSuper& s_;
  ExtractContext& ctx_;
  std::uint64_t base_;
  Jail& jail_;
  SqMetaTable inodes_, dirs_;
  std::vector<std::uint32_t> uids_, guids_;
  std::vector<SqFragment> frags_;
  std::uint64_t first_frag_block_ = 0;
  std::unordered_set<std::uint64_t> visited_;
  std::unordered_map<std::uint64_t, std::string> files_;  // inode ref -> first path (hardlinks)
  std::unordered_set<std::uint64_t> listings_;            // (block << 16 | offset) of listings read
  std::vector<std::uint8_t> buf_, frag_buf_;
  std::uint64_t frag_cached_ = ~std::uint64_t{0}, frag_len_ = 0;
};

struct SqState {
  SqSuper super;
  SqCodec codec;
};

class Squashfs3Handler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "squashfs3",
        "SquashFS 3 and 2 (and vendor variants)",
        "SquashFS 3.0/3.1 and 2.0/2.1 images in either byte order, read by a bounded reader of "
        "its own. Magics: \"hsqs\" and \"sqsh\" (standard) and the renamed ones of vendor trees: "
        "\"shsq\" and \"qshs\" (the sqlzma patch of Broadcom and Atheros SDKs), \"hsqt\" and "
        "\"tqsh\" (DD-WRT), \"sqlz\" (named in binwalk's signatures); the byte order and version "
        "come from the superblock (major 2 or 3, block size equal to 2^block_log, inode table "
        "before the directory table before bytes_used, root inode inside the inode table), not "
        "from the magic. Big-endian images are read with their bitfields packed from the most "
        "significant bit. Block compression is found per image on the first metadata block: "
        "zlib, LZMA-alone streams (13-byte header: the sqlzma, DD-WRT and OpenWrt squashfs-3.x "
        "LZMA patches), LZMA with a 5-byte header, or raw LZMA without header (lc=3 lp=0 pb=2, "
        "lc=1 lp=2 pb=2 or lc=0 lp=0 pb=0, dictionary = block size); the chunk description names "
        "it, and zlib and LZMA-alone blocks are also accepted in an image of the other kind. "
        "Inode and directory tables (8 KiB metadata blocks, with the CHECK marker byte when "
        "flagged), uid/gid tables, the fragment table, extended directories (their index is "
        "skipped), large files, holes, symlinks, device nodes (8/8-bit numbers), fifos, sockets "
        "and hardlinks (entries sharing an inode) are read; every table offset, block list, "
        "fragment index, listing size and name is bounded by bytes_used and the image, each "
        "directory inode and each listing is read once (loops warned about), and files and bytes "
        "count against the run's limits. A corrupt block or table is a warning naming its offset "
        "and "
        "the rest of the tree still comes out.",
        {"Linux 2.6 fs/squashfs (squashfs 3.x patch), include/linux/squashfs_fs.h",
         "squashfs-tools 4.x unsquash-2.c, unsquash-3.c, squashfs_compat.h",
         "sqlzma, DD-WRT and OpenWrt squashfs-3.x LZMA patches; binwalk and unblob signatures"},
        "SquashFS 1.x is not read. Little-endian SquashFS 4, with the standard or a renamed "
        "magic, is the squashfs handler's; big-endian SquashFS 4 is not handled. "
        "Raw LZMA with properties other than the three listed is not found. Timestamps are not "
        "recorded. The NFS export (lookup) table is not needed and not read."};
    return d;
  }
  std::vector<Magic> magics() const override {
    std::vector<Magic> m = {{"hsqs", 0, true}, {"sqsh", 0, true}};
    for (const char* k : handlers::kSquashfsVendorMagics) m.push_back({k, 0, true});
    return m;
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto sb = Slice(data, offset, kSqSuperSize);
    if (!sb) return MakeError(Errc::kNotThisFormat, "short superblock");
    const std::string magic(reinterpret_cast<const char*>(sb->data()), 4);
    std::optional<SqSuper> s = SqParseSuper(sb->data(), false);
    if (!s) s = SqParseSuper(sb->data(), true);
    if (!s) return MakeError(Errc::kNotThisFormat, "not a 2.x/3.x superblock");
    s->magic = magic;
    SqState st;
    st.super = *s;
    const ByteView fs =
        data.subspan(offset, std::min<std::uint64_t>(s->bytes_used, data.size() - offset));
    SqImage img(*s, fs);
    img.DetectCodec();
    st.codec = img.codec;
    Chunk c;
    c.offset = offset;
    c.length = fs.size();
    const bool standard = magic == (s->big ? "sqsh" : "hsqs");
    c.description =
        fmt::format("SquashFS {}.{} ({} endian{}), {}, {} inodes, {} bytes", s->major, s->minor,
                    s->big ? "big" : "little", standard ? "" : fmt::format(", magic '{}'", magic),
                    st.codec.Name(), s->inodes, s->bytes_used);
    c.state = st;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& st = std::any_cast<const SqState&>(chunk.state);
    if (st.super.bytes_used > chunk.length) {
      ctx.Warn(chunk.offset + chunk.length,
               fmt::format("SquashFS image truncated: superblock says {} bytes, {} present",
                           st.super.bytes_used, chunk.length));
    }
    if (st.codec.kind == SqCodecKind::kUnknown) {
      return MakeError(Errc::kUnsupported,
                       "block compression not recognised (not zlib, LZMA-alone or raw LZMA)", {},
                       chunk.offset + st.super.inode_table);
    }
    SqImage img(st.super, ctx.view().subspan(chunk.offset, chunk.length));
    img.codec = st.codec;
    auto jail = ctx.NewRoot("filesystem");
    if (!jail) return jail.error();
    SqReader r(img, ctx, chunk.offset, **jail);
    return r.Run();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeSquashfs3Handler() { return std::make_unique<Squashfs3Handler>(); }

}  // namespace iotcop::unpack
