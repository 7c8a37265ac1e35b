// ext2, ext3 and ext4 filesystems: a bounded, read-only reader of the superblock, group
// descriptors, inodes (block maps and extent trees), linear directories (htree directories read
// linearly), fast and slow symlinks and device nodes.
#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/handlers/fs_common.h"
#include "unpack/jail.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kSuperOff = 1024;
constexpr std::uint32_t kExtRootIno = 2;

// Feature bits (include/linux/ext4.h / e2fsprogs lib/ext2fs/ext2_fs.h).
constexpr std::uint32_t kIncompatCompression = 0x1, kIncompatFiletype = 0x2, kIncompatRecover = 0x4,
                        kIncompatJournalDev = 0x8, kIncompatMetaBg = 0x10, kIncompatExtents = 0x40,
                        kIncompat64Bit = 0x80, kIncompatFlexBg = 0x200, kIncompatMmp = 0x100,
                        kIncompatEaInode = 0x400, kIncompatDirData = 0x1000,
                        kIncompatCsumSeed = 0x2000, kIncompatLargeDir = 0x4000,
                        kIncompatInlineData = 0x8000, kIncompatEncrypt = 0x10000,
                        kIncompatCasefold = 0x20000;
constexpr std::uint32_t kKnownIncompat =
    kIncompatFiletype | kIncompatRecover | kIncompatMetaBg | kIncompatExtents | kIncompat64Bit |
    kIncompatFlexBg | kIncompatMmp | kIncompatEaInode | kIncompatDirData | kIncompatCsumSeed |
    kIncompatLargeDir | kIncompatInlineData | kIncompatEncrypt | kIncompatCasefold;
constexpr std::uint32_t kRoCompatMetadataCsum = 0x400;
constexpr std::uint32_t kCompatHasJournal = 0x4;

constexpr std::uint32_t kFlagExtents = 0x80000, kFlagInlineData = 0x10000000, kFlagEncrypt = 0x800;

// CRC-32C (Castagnoli), reflected, without the final inversion (as ext4's ext4_chksum()).
std::uint32_t Crc32cRaw(std::uint32_t crc, ByteView data) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  for (std::uint8_t b : data) crc = table[(crc ^ b) & 0xff] ^ (crc >> 8);
  return crc;
}

struct Super {
  std::uint64_t block_size = 0, blocks = 0, groups = 0;
  std::uint32_t first_data_block = 0, blocks_per_group = 0, inodes_per_group = 0, inodes = 0;
  std::uint32_t inode_size = 128, desc_size = 32;
  std::uint32_t compat = 0, incompat = 0, ro_compat = 0;
  std::string label;
  bool truncated = false;
};

// One contiguous run of a file: `count` blocks from logical block `logical`; physical 0 = zeros.
struct Run {
  std::uint64_t logical, physical, count;
};

class ExtHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "ext",
        "ext2 / ext3 / ext4 filesystem",
        "Superblock magic 0xEF53 at offset 0x438. The superblock is validated (block size 1 KiB to "
        "64 KiB, group geometry consistent with the inode and block counts, inode and descriptor "
        "sizes, no unknown incompatible feature, CRC-32C when metadata_csum is set) and the chunk "
        "is bounded by blocks_count x block size. Files are read through block maps (direct, "
        "indirect, double and triple indirect) or extent trees (depth bounded, uninitialised "
        "extents read as zeros, holes as zeros); directories are parsed linearly (htree index "
        "blocks look like empty entries and are skipped); fast and slow symlinks, device nodes "
        "(old and new encodings), fifos and sockets are recorded with mode, uid and gid; "
        "hardlinks become jail hardlinks. Every block number is checked against the filesystem "
        "and the image; directory loops and inode numbers out of range are reported with the "
        "offset and skipped.",
        {"Linux Documentation/filesystems/ext4/", "e2fsprogs lib/ext2fs/ext2_fs.h"},
        "The journal is not replayed (a filesystem that needs recovery is read as it is on disk, "
        "with a warning). meta_bg descriptor layout, inline data beyond the 60 bytes of i_block, "
        "encrypted files and extended attributes are not read (reported). Metadata checksums "
        "other than the superblock's are not verified."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"\x53\xEF", kSuperOff + 0x38, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto sbv = Slice(data, offset + kSuperOff, 1024);
    if (!sbv) return MakeError(Errc::kNotThisFormat, "short superblock");
    auto sb = ParseSuper(*sbv);
    if (!sb) return sb.error();
    Super s = *sb;
    auto total = CheckedMul(s.blocks, s.block_size);
    if (!total) return MakeError(Errc::kNotThisFormat, "size overflow");
    // The first group descriptor and group 0's inode table must lie inside the image.
    const std::uint64_t gdt = (s.first_data_block + 1ull) * s.block_size;
    auto gd = Slice(data, offset + gdt, s.desc_size);
    if (!gd) return MakeError(Errc::kNotThisFormat, "group descriptors outside the input");
    const std::uint64_t itab = InodeTable(s, *gd);
    if (itab == 0 || itab >= s.blocks) return MakeError(Errc::kNotThisFormat, "bad inode table");
    Chunk c;
    c.offset = offset;
    c.length = std::min<std::uint64_t>(*total, data.size() - offset);
    s.truncated = c.length < *total;
    const char* kind = (s.incompat & (kIncompatExtents | kIncompat64Bit | kIncompatFlexBg)) ? "ext4"
                       : (s.compat & kCompatHasJournal)                                     ? "ext3"
                                                        : "ext2";
    c.description = fmt::format("{} filesystem '{}', {} blocks of {} bytes{}", kind, s.label,
                                s.blocks, s.block_size, s.truncated ? " (truncated)" : "");
    c.state = s;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override;

 private:
  static Result<Super> ParseSuper(ByteView sb) {
    auto u32 = [&](std::size_t o) { return LoadLe<std::uint32_t>(sb.data() + o); };
    auto u16 = [&](std::size_t o) { return LoadLe<std::uint16_t>(sb.data() + o); };
    auto no = [](const char* why) { return MakeError(Errc::kNotThisFormat, why); };
    Super s;
    const std::uint32_t log_bs = u32(0x18);
    if (log_bs > 6) return no("block size");
    s.block_size = 1024ull << log_bs;
    s.inodes = u32(0x00);
    s.first_data_block = u32(0x14);
    s.blocks_per_group = u32(0x20);
    s.inodes_per_group = u32(0x28);
    const std::uint32_t rev = u32(0x4C);
    if (rev > 1) return no("revision");
    s.compat = u32(0x5C);
    s.incompat = rev ? u32(0x60) : 0;
    s.ro_compat = rev ? u32(0x64) : 0;
    if (rev) s.inode_size = u16(0x58);
    s.blocks = u32(0x04);
    if (s.incompat & kIncompat64Bit) {
      s.blocks |= std::uint64_t{u32(0x150)} << 32;
      s.desc_size = u16(0xFE);
      if (s.desc_size < 32 || s.desc_size > 1024 || (s.desc_size & (s.desc_size - 1))) {
        return no("descriptor size");
      }
    }
    if (s.first_data_block > 1 || (s.block_size > 1024 && s.first_data_block != 0)) {
      return no("first data block");
    }
    if (s.blocks <= s.first_data_block + 1) return no("block count");
    if (s.blocks_per_group == 0 || s.blocks_per_group > 8 * s.block_size) return no("blocks/group");
    if (s.inodes_per_group == 0 || s.inodes_per_group > 8 * s.block_size) return no("inodes/group");
    if (s.inode_size < 128 || s.inode_size > s.block_size || (s.inode_size & (s.inode_size - 1))) {
      return no("inode size");
    }
    s.groups = (s.blocks - s.first_data_block + s.blocks_per_group - 1) / s.blocks_per_group;
    if (std::uint64_t{s.inodes} != s.groups * s.inodes_per_group) return no("inode count");
    if (s.incompat & (kIncompatCompression | kIncompatJournalDev))
      return no("not a data filesystem");
    if (s.incompat & ~kKnownIncompat) return no("unknown incompatible feature");
    if ((s.ro_compat & kRoCompatMetadataCsum) &&
        Crc32cRaw(~0u, sb.subspan(0, 0x3FC)) != u32(0x3FC)) {
      return no("superblock checksum");
    }
    const char* label = reinterpret_cast<const char*>(sb.data() + 0x78);
    s.label.assign(label, strnlen(label, 16));
    for (char& ch : s.label) {
      if (ch < 0x20 || ch > 0x7e) ch = '?';
    }
    return s;
  }
  static std::uint64_t InodeTable(const Super& s, ByteView gd) {
    std::uint64_t t = LoadLe<std::uint32_t>(gd.data() + 8);
    if (s.desc_size >= 64) t |= std::uint64_t{LoadLe<std::uint32_t>(gd.data() + 0x28)} << 32;
    return t;
  }
};

// The state of one extraction: the filesystem's bytes and everything needed to read inodes.
class ExtReader {
 public:
  ExtReader(const Super& s, ByteView fs, ExtractContext& ctx, std::uint64_t base)
      : s_(s), fs_(fs), ctx_(ctx), base_(base) {}

  void Warn(std::uint64_t fs_off, std::string msg) { ctx_.Warn(base_ + fs_off, std::move(msg)); }

  // The inode's bytes (inode_size of them, at most 256 used), or nullopt with a warning.
  std::optional<ByteView> Inode(std::uint32_t ino) {
    if (ino == 0 || ino > s_.inodes) return std::nullopt;
    const std::uint64_t group = (ino - 1) / s_.inodes_per_group;
    const std::uint64_t index = (ino - 1) % s_.inodes_per_group;
    if (s_.incompat & kIncompatMetaBg) {
      const std::uint64_t per_block = s_.block_size / s_.desc_size;
      if (group / per_block >= FirstMetaBg()) return std::nullopt;
    }
    const std::uint64_t gd_off =
        (s_.first_data_block + 1ull) * s_.block_size + group * s_.desc_size;
    auto gd = Slice(fs_, gd_off, s_.desc_size);
    if (!gd) {
      Warn(gd_off, fmt::format("group descriptor {} beyond the end of the image", group));
      return std::nullopt;
    }
    std::uint64_t table = LoadLe<std::uint32_t>(gd->data() + 8);
    if (s_.desc_size >= 64) table |= std::uint64_t{LoadLe<std::uint32_t>(gd->data() + 0x28)} << 32;
    if (table == 0 || table >= s_.blocks) {
      Warn(gd_off, fmt::format("group {} has inode table at block {}, outside the filesystem",
                               group, table));
      return std::nullopt;
    }
    const std::uint64_t off = table * s_.block_size + index * s_.inode_size;
    auto v = Slice(fs_, off, s_.inode_size);
    if (!v) {
      Warn(off, fmt::format("inode {} beyond the end of the image (truncated)", ino));
      return std::nullopt;
    }
    return v;
  }
  std::uint64_t InodeOffset(std::uint32_t ino) {
    auto v = Inode(ino);
    return v ? static_cast<std::uint64_t>(v->data() - fs_.data()) : 0;
  }

  // The runs of the file's first `nblocks` blocks, from its extent tree or block map.
  std::vector<Run> Map(std::uint32_t ino, ByteView inode, std::uint64_t nblocks) {
    std::vector<Run> runs;
    const std::uint32_t flags = LoadLe<std::uint32_t>(inode.data() + 0x20);
    budget_ = 1u << 20;  // metadata blocks visited per file
    if (flags & kFlagExtents) {
      Extents(ino, inode.subspan(0x28, 60), InodeOffset(ino) + 0x28, 0, nblocks, runs);
    } else {
      for (std::uint64_t i = 0; i < 12 && i < nblocks; ++i) {
        Add(runs, i, LoadLe<std::uint32_t>(inode.data() + 0x28 + 4 * i), 1);
      }
      std::uint64_t logical = 12, span = 1;
      for (int level = 1; level <= 3 && logical < nblocks; ++level) {
        span *= s_.block_size / 4;
        const std::uint32_t b = LoadLe<std::uint32_t>(inode.data() + 0x28 + 4 * (11 + level));
        Indirect(ino, b, level, logical, nblocks, runs);
        logical += span;
      }
    }
    return runs;
  }

  // Streams `size` bytes of the file described by `runs` to `out` (zeros for holes).
  template <class Out>
  Status Copy(std::uint32_t ino, const std::vector<Run>& runs, std::uint64_t size, Out&& out) {
    static const std::vector<std::uint8_t> zeros(kZeroChunk, 0);
    std::uint64_t done = 0;
    bool warned = false;
    auto zero = [&](std::uint64_t n) -> Status {
      while (n > 0) {
        const std::uint64_t k = std::min<std::uint64_t>(n, zeros.size());
        if (auto st = out(ByteView(zeros.data(), k)); !st) return st;
        n -= k;
        done += k;
      }
      return Ok();
    };
    for (const Run& r : runs) {
      if (done >= size) break;
      const std::uint64_t at = r.logical * s_.block_size;
      if (at > done) {
        if (auto st = zero(std::min(at, size) - done); !st) return st;
      }
      if (at < done) continue;  // overlapping mapping: first one wins
      const std::uint64_t len = std::min(r.count * s_.block_size, size - done);
      if (r.physical == 0) {
        if (auto st = zero(len); !st) return st;
        continue;
      }
      const std::uint64_t src = r.physical * s_.block_size;
      const std::uint64_t have = src < fs_.size() ? std::min(len, fs_.size() - src) : 0;
      if (have > 0) {
        if (auto st = out(fs_.subspan(src, have)); !st) return st;
        done += have;
      }
      if (have < len) {
        if (!warned) {
          Warn(std::min<std::uint64_t>(src + have, fs_.size()),
               fmt::format("inode {}: data block {} beyond the end of the image (truncated); "
                           "zero-filled",
                           ino, r.physical + have / s_.block_size));
          warned = true;
        }
        if (auto st = zero(len - have); !st) return st;
      }
    }
    if (done < size) return zero(size - done);
    return Ok();
  }

  // A whole (small) file into memory: directories and slow symlinks.
  std::optional<std::vector<std::uint8_t>> Slurp(std::uint32_t ino, ByteView inode,
                                                 std::uint64_t size) {
    constexpr std::uint64_t kMax = 64u << 20;
    if (size > kMax) {
      Warn(InodeOffset(ino),
           fmt::format("inode {}: {} bytes is too large for a directory", ino, size));
      return std::nullopt;
    }
    std::vector<std::uint8_t> buf;
    buf.reserve(size);
    const std::uint32_t flags = LoadLe<std::uint32_t>(inode.data() + 0x20);
    if (flags & kFlagInlineData) {
      auto ib = inode.subspan(0x28, 60);
      buf.assign(ib.begin(), ib.begin() + std::min<std::uint64_t>(size, 60));
      if (size > 60) {
        Warn(InodeOffset(ino), fmt::format("inode {}: inline data beyond 60 bytes not read", ino));
      }
      return buf;
    }
    auto runs = Map(ino, inode, (size + s_.block_size - 1) / s_.block_size);
    auto st = Copy(ino, runs, size, [&](ByteView b) -> Status {
      buf.insert(buf.end(), b.begin(), b.end());
      return Ok();
    });
    if (!st) return std::nullopt;
    return buf;
  }

  const Super& super() const { return s_; }
  ByteView fs() const { return fs_; }

 private:
  static constexpr std::size_t kZeroChunk = 64 * 1024;

  std::uint64_t FirstMetaBg() const {
    auto sb = Slice(fs_, kSuperOff, 1024);
    return sb ? LoadLe<std::uint32_t>(sb->data() + 0x104) : 0;
  }

  void Add(std::vector<Run>& runs, std::uint64_t logical, std::uint64_t physical,
           std::uint64_t count) {
    if (physical != 0 && (physical >= s_.blocks || count > s_.blocks - physical)) physical = 0;
    if (!runs.empty()) {
      Run& l = runs.back();
      if (l.logical + l.count == logical &&
          ((l.physical == 0 && physical == 0) ||
           (l.physical != 0 && physical != 0 && l.physical + l.count == physical))) {
        l.count += count;
        return;
      }
    }
    runs.push_back({logical, physical, count});
  }

  bool BlockOk(std::uint32_t ino, std::uint64_t block, std::uint64_t where) {
    if (budget_ == 0) return false;
    --budget_;
    if (block == 0) return false;
    if (block >= s_.blocks || !Fits(fs_.size(), block * s_.block_size, s_.block_size)) {
      Warn(where, fmt::format("inode {}: metadata block {} outside the image", ino, block));
      return false;
    }
    return true;
  }

  void Indirect(std::uint32_t ino, std::uint64_t block, int level, std::uint64_t logical,
                std::uint64_t nblocks, std::vector<Run>& runs) {
    std::uint64_t span = 1;
    for (int i = 1; i < level; ++i) span *= s_.block_size / 4;
    if (!BlockOk(ino, block, InodeOffset(ino))) {
      return;  // a hole (or bad pointer): Copy fills what is not mapped with zeros
    }
    const std::uint8_t* p = fs_.data() + block * s_.block_size;
    for (std::uint64_t i = 0; i < s_.block_size / 4 && logical < nblocks; ++i, logical += span) {
      const std::uint32_t b = LoadLe<std::uint32_t>(p + 4 * i);
      if (level == 1) {
        Add(runs, logical, b, 1);
      } else if (b != 0) {
        Indirect(ino, b, level - 1, logical, nblocks, runs);
      }
    }
  }

  void Extents(std::uint32_t ino, ByteView node, std::uint64_t where, int depth_seen,
               std::uint64_t nblocks, std::vector<Run>& runs) {
    if (node.size() < 12 || LoadLe<std::uint16_t>(node.data()) != 0xF30A) {
      Warn(where, fmt::format("inode {}: bad extent header", ino));
      return;
    }
    const std::uint16_t entries = LoadLe<std::uint16_t>(node.data() + 2);
    const std::uint16_t depth = LoadLe<std::uint16_t>(node.data() + 6);
    if (depth > 5 || depth_seen > 5 || (depth_seen > 0 && depth + depth_seen > 5)) {
      Warn(where, fmt::format("inode {}: extent tree too deep", ino));
      return;
    }
    if (12ull + 12ull * entries > node.size()) {
      Warn(where, fmt::format("inode {}: {} extents do not fit their node", ino, entries));
      return;
    }
    for (std::uint16_t i = 0; i < entries; ++i) {
      const std::uint8_t* e = node.data() + 12 + 12 * i;
      const std::uint64_t lblock = LoadLe<std::uint32_t>(e);
      if (depth == 0) {
        std::uint64_t len = LoadLe<std::uint16_t>(e + 4);
        const bool uninit = len > 32768;
        if (uninit) len -= 32768;
        const std::uint64_t start =
            (std::uint64_t{LoadLe<std::uint16_t>(e + 6)} << 32) | LoadLe<std::uint32_t>(e + 8);
        if (lblock >= nblocks || len == 0) continue;
        len = std::min(len, nblocks - lblock);
        if (!runs.empty() && lblock < runs.back().logical + runs.back().count) {
          Warn(where, fmt::format("inode {}: extents out of order", ino));
          continue;
        }
        if (!uninit && (start == 0 || start >= s_.blocks || len > s_.blocks - start)) {
          Warn(where,
               fmt::format("inode {}: extent at block {} outside the filesystem", ino, start));
        }
        Add(runs, lblock, uninit ? 0 : start, len);
      } else {
        const std::uint64_t leaf =
            (std::uint64_t{LoadLe<std::uint16_t>(e + 8)} << 32) | LoadLe<std::uint32_t>(e + 4);
        if (lblock >= nblocks) continue;
        if (!BlockOk(ino, leaf, where)) continue;
        Extents(ino, fs_.subspan(leaf * s_.block_size, s_.block_size), leaf * s_.block_size,
                depth_seen + 1, nblocks, runs);
      }
    }
  }

  const Super& s_;
  ByteView fs_;
  ExtractContext& ctx_;
  std::uint64_t base_;
  std::uint64_t budget_ = 0;
};

Status ExtHandler::Extract(const Chunk& chunk, ExtractContext& ctx) const {
  const auto& s = std::any_cast<const Super&>(chunk.state);
  const ByteView fs = ctx.view().subspan(chunk.offset, chunk.length);
  ExtReader rd(s, fs, ctx, chunk.offset);
  if (s.truncated) {
    rd.Warn(fs.size(), fmt::format("ext filesystem truncated: {} of {} bytes present", fs.size(),
                                   s.blocks * s.block_size));
  }
  if (s.incompat & kIncompatRecover) {
    rd.Warn(kSuperOff,
            "the journal needs recovery; it is not replayed (recent changes may be missing)");
  }
  if (s.incompat & kIncompatMetaBg) {
    rd.Warn(kSuperOff, "meta_bg layout: only the groups before s_first_meta_bg are read");
  }
  auto jail_r = ctx.NewRoot("filesystem");
  if (!jail_r) return jail_r.error();
  Jail& jail = **jail_r;

  auto meta_of = [](ByteView in) {
    EntryMeta m;
    m.mode = LoadLe<std::uint16_t>(in.data()) & 07777;
    m.uid = LoadLe<std::uint16_t>(in.data() + 2) |
            (std::uint32_t{LoadLe<std::uint16_t>(in.data() + 0x78)} << 16);
    m.gid = LoadLe<std::uint16_t>(in.data() + 0x18) |
            (std::uint32_t{LoadLe<std::uint16_t>(in.data() + 0x7A)} << 16);
    return m;
  };
  auto size_of = [](ByteView in) {
    return LoadLe<std::uint32_t>(in.data() + 4) |
           (std::uint64_t{LoadLe<std::uint32_t>(in.data() + 0x6C)} << 32);
  };

  auto root = rd.Inode(kExtRootIno);
  if (!root || handlers::EntryTypeOfMode(LoadLe<std::uint16_t>(root->data())) != EntryType::kDir) {
    return MakeError(Errc::kCorrupt, "root inode is not a directory", ctx.view_name(),
                     chunk.offset + rd.InodeOffset(kExtRootIno));
  }
  if (auto st = jail.MakeDir("/", meta_of(*root)); !st) return st;

  std::unordered_set<std::uint32_t> dirs_seen{kExtRootIno};
  std::unordered_map<std::uint32_t, std::string> files_seen;  // inode -> first path (hardlinks)
  std::deque<std::pair<std::uint32_t, std::string>> queue{{kExtRootIno, ""}};
  const bool filetype = s.incompat & kIncompatFiletype;
  while (!queue.empty()) {
    auto [dir_ino, prefix] = queue.front();
    queue.pop_front();
    auto din = rd.Inode(dir_ino);
    if (!din) continue;
    const std::uint64_t dir_off = rd.InodeOffset(dir_ino);
    if (LoadLe<std::uint32_t>(din->data() + 0x20) & kFlagEncrypt) {
      rd.Warn(dir_off,
              fmt::format("{}: encrypted directory not read", prefix.empty() ? "/" : prefix));
      continue;
    }
    auto content = rd.Slurp(dir_ino, *din, size_of(*din));
    if (!content) continue;
    const bool inline_dir = LoadLe<std::uint32_t>(din->data() + 0x20) & kFlagInlineData;
    const std::uint64_t bs = inline_dir ? content->size() : s.block_size;
    std::uint64_t pos = inline_dir ? 4 : 0;  // inline directories start with the parent inode
    while (pos + 8 <= content->size()) {
      const std::uint8_t* e = content->data() + pos;
      const std::uint32_t ino = LoadLe<std::uint32_t>(e);
      std::uint64_t rec_len = LoadLe<std::uint16_t>(e + 4);
      if (s.block_size == 65536 && (rec_len == 0 || rec_len == 65535)) rec_len = 65536;
      const std::uint32_t name_len = filetype ? e[6] : LoadLe<std::uint16_t>(e + 6);
      const std::uint64_t block_end = std::min<std::uint64_t>(content->size(), (pos / bs + 1) * bs);
      if (rec_len < 8 || (rec_len & 3) || pos + rec_len > block_end || 8 + name_len > rec_len) {
        rd.Warn(dir_off, fmt::format("{}: bad directory entry at byte {} of the directory; "
                                     "rest of the block skipped",
                                     prefix.empty() ? "/" : prefix, pos));
        pos = block_end;
        continue;
      }
      const std::string name(reinterpret_cast<const char*>(e + 8), name_len);
      pos += rec_len;
      if (ino == 0 || name == "." || name == "..") continue;
      const std::string path = prefix + "/" + name;
      if (name.empty() || name.find('/') != std::string::npos ||
          name.find('\0') != std::string::npos) {
        rd.Warn(dir_off, fmt::format("{}: invalid name in directory", path));
        continue;
      }
      if (ino > s.inodes) {
        rd.Warn(dir_off, fmt::format("{}: inode {} out of range (the filesystem has {})", path, ino,
                                     s.inodes));
        continue;
      }
      auto in = rd.Inode(ino);
      if (!in) continue;
      const std::uint16_t mode = LoadLe<std::uint16_t>(in->data());
      const EntryType type = handlers::EntryTypeOfMode(mode);
      const EntryMeta meta = meta_of(*in);
      const std::uint64_t size = size_of(*in);
      const std::uint32_t flags = LoadLe<std::uint32_t>(in->data() + 0x20);
      Status st;
      switch (type) {
        case EntryType::kDir:
          if (!dirs_seen.insert(ino).second) {
            rd.Warn(dir_off,
                    fmt::format("{}: directory inode {} already seen (loop); skipped", path, ino));
            continue;
          }
          st = jail.MakeDir(path, meta);
          if (st) queue.push_back({ino, path});
          break;
        case EntryType::kSymlink: {
          std::string target;
          const bool fast = size < 60 && !(flags & (kFlagExtents | kFlagInlineData)) &&
                            (LoadLe<std::uint32_t>(in->data() + 0x1C) == 0 ||
                             LoadLe<std::uint32_t>(in->data() + 0x68) != 0);
          if (fast || (flags & kFlagInlineData)) {
            target.assign(reinterpret_cast<const char*>(in->data() + 0x28),
                          std::min<std::uint64_t>(size, 60));
          } else if (size > 4096) {
            rd.Warn(rd.InodeOffset(ino), fmt::format("{}: symlink of {} bytes", path, size));
            continue;
          } else if (auto t = rd.Slurp(ino, *in, size)) {
            target.assign(t->begin(), t->end());
          } else {
            continue;
          }
          st = jail.Symlink(path, target, meta);
          break;
        }
        case EntryType::kCharDev:
        case EntryType::kBlockDev: {
          handlers::DevNumber dev;
          const std::uint32_t old = LoadLe<std::uint32_t>(in->data() + 0x28);
          if (old != 0) {  // old_decode_dev(): 8-bit major and minor
            dev = {(old >> 8) & 0xff, old & 0xff};
          } else {
            dev = handlers::DecodeNewDev(LoadLe<std::uint32_t>(in->data() + 0x2C));
          }
          st = jail.Node(path, type, meta, dev.major, dev.minor);
          break;
        }
        case EntryType::kFifo:
        case EntryType::kSocket:
          st = jail.Node(path, type, meta);
          break;
        case EntryType::kFile: {
          if (auto it = files_seen.find(ino); it != files_seen.end()) {
            st = jail.Hardlink(path, it->second);
            break;
          }
          if (flags & kFlagEncrypt) {
            rd.Warn(rd.InodeOffset(ino), fmt::format("{}: encrypted file not read", path));
            continue;
          }
          if (size > ctx.limits().max_total_bytes) {
            rd.Warn(rd.InodeOffset(ino), fmt::format("{}: size {} exceeds the limit", path, size));
            continue;
          }
          files_seen[ino] = path;
          if (flags & kFlagInlineData) {
            auto c = rd.Slurp(ino, *in, size);
            if (!c) continue;
            st = jail.WriteFile(path, meta, ByteView(c->data(), c->size()));
            break;
          }
          auto f = jail.CreateFile(path, meta);
          if (!f) {
            st = f.error();
            break;
          }
          auto runs = rd.Map(ino, *in, (size + s.block_size - 1) / s.block_size);
          st = rd.Copy(ino, runs, size, [&](ByteView b) { return (*f)->Write(b); });
          if (st) st = (*f)->Close();
          break;
        }
      }
      if (!st && st.error().code == Errc::kLimitExceeded) return st;
    }
  }
  return Ok();
}

}  // namespace

std::unique_ptr<Handler> MakeExtHandler() { return std::make_unique<ExtHandler>(); }

}  // namespace iotcop::unpack
