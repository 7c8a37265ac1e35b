// UBIFS (a UBI volume's content, or an image from mkfs.ubifs): superblock and master nodes, the
// index B+tree walked from the master's root, inode, directory-entry and data nodes (none, LZO,
// zlib raw deflate, zstd), every node's CRC checked.
#include <lzo/lzo1x.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "unpack/handler.h"
#include "unpack/handlers/fs_common.h"
#include "unpack/jail.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint32_t kNodeMagic = 0x06101831;
constexpr std::uint64_t kCh = 24, kSbSize = 4096, kBlock = 4096;
constexpr std::uint8_t kIno = 0, kData = 1, kDent = 2, kSb = 6, kMst = 7, kIdx = 9;
constexpr std::uint32_t kUbifsRootIno = 1;
constexpr int kMaxLevel = 64;

struct UbifsGeometry {
  std::uint64_t leb_size = 0, leb_cnt = 0;
  std::uint32_t key_fmt = 0;
};

// A node read at (lnum, offs): bounded, magic and CRC checked.
std::optional<ByteView> NodeAt(ByteView vol, const UbifsGeometry& g, std::uint64_t lnum,
                               std::uint64_t offs, std::uint8_t* type) {
  if (lnum >= g.leb_cnt || offs >= g.leb_size) return std::nullopt;
  const std::uint64_t at = lnum * g.leb_size + offs;
  auto ch = Slice(vol, at, kCh);
  if (!ch || LoadLe<std::uint32_t>(ch->data()) != kNodeMagic) return std::nullopt;
  const std::uint32_t len = LoadLe<std::uint32_t>(ch->data() + 16);
  if (len < kCh || len > g.leb_size - offs) return std::nullopt;
  auto node = Slice(vol, at, len);
  if (!node || handlers::KernelCrc32(node->subspan(8)) != LoadLe<std::uint32_t>(node->data() + 4))
    return std::nullopt;
  *type = (*node)[20];
  return node;
}

struct Dent {
  std::string name;
  std::uint64_t inum;
};

struct Index {
  std::unordered_map<std::uint64_t, ByteView> inodes;
  std::unordered_map<std::uint64_t, std::vector<Dent>> children;
  std::unordered_map<std::uint64_t, std::map<std::uint32_t, ByteView>> data;  // inum -> block
  std::uint64_t bad = 0, first_bad = 0;
};

class UbifsHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "ubifs",
        "UBIFS",
        "Superblock node (magic 0x06101831, type 6, CRC checked) at the start of a UBI volume's "
        "blob or of an mkfs.ubifs image; LEB size and count bound the chunk. The newest valid "
        "master node of LEB 1 gives the index root; the index B+tree is walked (levels and "
        "visited nodes bounded, every node's CRC checked) to the live inode, directory-entry and "
        "data nodes. Directories are walked from inode 1 (each once); files are rebuilt from "
        "their 4 KiB data blocks (none, LZO, zlib raw deflate, zstd; holes as zeros) up to the "
        "inode size; symlinks, device nodes (new and huge encodings), fifos and sockets are "
        "recorded with mode, uid and gid; hardlinks become jail hardlinks.",
        {"Linux fs/ubifs/ubifs-media.h", "mtd-utils mkfs.ubifs", "ubireader"},
        "The journal (buds not yet in the index) is not replayed, so changes after the last "
        "commit are missing; encrypted and authenticated UBIFS are not decoded; extended "
        "attributes are ignored."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"\x31\x18\x10\x06", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto sb = Slice(data, offset, 88);
    if (!sb || LoadLe<std::uint32_t>(sb->data()) != kNodeMagic || (*sb)[20] != kSb) {
      return MakeError(Errc::kNotThisFormat, "not a superblock node");
    }
    const std::uint32_t len = LoadLe<std::uint32_t>(sb->data() + 16);
    auto node = Slice(data, offset, len);
    if (len < 88 || len > kSbSize || !node ||
        handlers::KernelCrc32(node->subspan(8)) != LoadLe<std::uint32_t>(node->data() + 4)) {
      return MakeError(Errc::kNotThisFormat, "superblock CRC");
    }
    UbifsGeometry g;
    g.key_fmt = (*sb)[27];
    g.leb_size = LoadLe<std::uint32_t>(sb->data() + 36);
    g.leb_cnt = LoadLe<std::uint32_t>(sb->data() + 40);
    if (g.leb_size < 15 * 1024 || g.leb_size > (2u << 20) || g.leb_cnt < 3 || g.key_fmt != 0) {
      return MakeError(Errc::kNotThisFormat, "geometry");
    }
    Chunk c;
    c.offset = offset;
    const std::uint64_t total = g.leb_size * g.leb_cnt;
    c.length = std::min<std::uint64_t>(total, data.size() - offset);
    c.description = fmt::format("UBIFS, {} LEBs of {} bytes{}", g.leb_cnt, g.leb_size,
                                c.length < total ? " (image shorter: unused LEBs absent)" : "");
    // LEBs beyond the data are unmapped (UBI drops trailing erased blocks): that is normal.
    g.leb_cnt = (c.length + g.leb_size - 1) / g.leb_size;
    c.state = g;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override;
};

class UbifsReader {
 public:
  UbifsReader(const UbifsGeometry& g, ByteView vol, ExtractContext& ctx, std::uint64_t base)
      : g_(g), vol_(vol), ctx_(ctx), base_(base) {}

  void Warn(std::uint64_t off, std::string msg) { ctx_.Warn(base_ + off, std::move(msg)); }

  // The root of the index from the newest valid master node in LEB 1 (or its copy in LEB 2).
  std::optional<std::pair<std::uint64_t, std::uint64_t>> Root() {
    std::optional<std::pair<std::uint64_t, std::uint64_t>> best;
    std::uint64_t best_sq = 0;
    for (std::uint64_t lnum : {1, 2}) {
      std::uint64_t offs = 0;
      while (offs + kCh <= g_.leb_size) {
        std::uint8_t type = 0;
        auto n = NodeAt(vol_, g_, lnum, offs, &type);
        if (!n) {  // padding up to the next min. I/O unit: look further, 8-byte aligned
          offs += 8;
          continue;
        }
        if (type == kMst && n->size() >= 60) {
          const std::uint64_t sq = LoadLe<std::uint64_t>(n->data() + 8);
          if (!best || sq > best_sq) {
            best_sq = sq;
            best = std::make_pair(LoadLe<std::uint32_t>(n->data() + 48),
                                  LoadLe<std::uint32_t>(n->data() + 52));
          }
        }
        offs += (n->size() + 7) & ~std::uint64_t{7};
      }
      if (best) break;
    }
    return best;
  }

  void Walk(std::uint64_t lnum, std::uint64_t offs, int level_above, Index& idx) {
    if (!seen_.insert(lnum * g_.leb_size + offs).second || ++visited_ > 4000000) return;
    std::uint8_t type = 0;
    auto n = NodeAt(vol_, g_, lnum, offs, &type);
    const std::uint64_t at = lnum * g_.leb_size + offs;
    if (!n) {
      if (idx.bad++ == 0) idx.first_bad = std::min<std::uint64_t>(at, vol_.size());
      return;
    }
    if (type != kIdx) {
      Leaf(*n, type, idx);
      return;
    }
    if (n->size() < 28) return;
    const std::uint16_t count = LoadLe<std::uint16_t>(n->data() + 24);
    const std::uint16_t level = LoadLe<std::uint16_t>(n->data() + 26);
    if (level >= kMaxLevel || (level_above >= 0 && level >= level_above)) {
      Warn(at, fmt::format("UBIFS index node at LEB {}:{} has a bad level {}", lnum, offs, level));
      return;
    }
    constexpr std::uint64_t kBranch = 12 + 8;
    if (28 + kBranch * count > n->size()) {
      Warn(at,
           fmt::format("UBIFS index node at LEB {}:{}: {} branches do not fit", lnum, offs, count));
      return;
    }
    for (std::uint16_t i = 0; i < count; ++i) {
      const std::uint8_t* b = n->data() + 28 + kBranch * i;
      Walk(LoadLe<std::uint32_t>(b), LoadLe<std::uint32_t>(b + 4), level, idx);
    }
  }

 private:
  static void Leaf(ByteView n, std::uint8_t type, Index& idx) {
    if (n.size() < 48) return;
    const std::uint64_t inum = LoadLe<std::uint32_t>(n.data() + 24);
    if (type == kIno && n.size() >= 160) {
      idx.inodes[inum] = n;
    } else if (type == kDent && n.size() >= 56) {
      const std::uint16_t nlen = LoadLe<std::uint16_t>(n.data() + 50);
      if (56u + nlen > n.size()) return;
      idx.children[inum].push_back({std::string(reinterpret_cast<const char*>(n.data() + 56), nlen),
                                    LoadLe<std::uint64_t>(n.data() + 40)});
    } else if (type == kData) {
      idx.data[inum][LoadLe<std::uint32_t>(n.data() + 28) & 0x1fffffff] = n;
    }
  }

  const UbifsGeometry& g_;
  ByteView vol_;
  ExtractContext& ctx_;
  std::uint64_t base_;
  std::unordered_set<std::uint64_t> seen_;
  std::uint64_t visited_ = 0;
};

// One data node's content into `out` (kBlock bytes at most).
bool Decode(ByteView node, std::vector<std::uint8_t>& out) {
  const std::uint32_t size = LoadLe<std::uint32_t>(node.data() + 40);
  const std::uint16_t compr = LoadLe<std::uint16_t>(node.data() + 44);
  const ByteView in = node.subspan(48);
  if (size > kBlock) return false;
  out.assign(size, 0);
  switch (compr) {
    case 0:
      if (in.size() < size) return false;
      std::memcpy(out.data(), in.data(), size);
      return true;
    case 1: {
      lzo_uint len = size;
      return lzo1x_decompress_safe(in.data(), in.size(), out.data(), &len, nullptr) == LZO_E_OK &&
             len == size;
    }
    case 2: {
      z_stream z{};
      if (inflateInit2(&z, -15) != Z_OK) return false;
      z.next_in = const_cast<Bytef*>(in.data());
      z.avail_in = static_cast<uInt>(in.size());
      z.next_out = out.data();
      z.avail_out = size;
      const int rc = inflate(&z, Z_FINISH);
      const bool ok =
          (rc == Z_STREAM_END || rc == Z_OK || rc == Z_BUF_ERROR) && z.total_out == size;
      inflateEnd(&z);
      return ok;
    }
    case 3: {
      const std::size_t n = ZSTD_decompress(out.data(), size, in.data(), in.size());
      return !ZSTD_isError(n) && n == size;
    }
  }
  return false;
}

Status UbifsHandler::Extract(const Chunk& chunk, ExtractContext& ctx) const {
  const auto& g = std::any_cast<const UbifsGeometry&>(chunk.state);
  const ByteView vol = ctx.view().subspan(chunk.offset, chunk.length);
  UbifsReader rd(g, vol, ctx, chunk.offset);
  auto root = rd.Root();
  if (!root) {
    return MakeError(Errc::kCorrupt, "no valid UBIFS master node", ctx.view_name(),
                     chunk.offset + g.leb_size);
  }
  Index idx;
  rd.Walk(root->first, root->second, -1, idx);
  if (idx.bad) {
    rd.Warn(idx.first_bad, fmt::format("{} UBIFS index branches lead to missing or corrupt nodes "
                                       "(truncated or damaged image)",
                                       idx.bad));
  }
  auto jail_r = ctx.NewRoot("filesystem");
  if (!jail_r) return jail_r.error();
  Jail& jail = **jail_r;
  auto meta_of = [](ByteView in) {
    return EntryMeta{LoadLe<std::uint32_t>(in.data() + 104) & 07777,
                     LoadLe<std::uint32_t>(in.data() + 96), LoadLe<std::uint32_t>(in.data() + 100)};
  };
  auto rit = idx.inodes.find(kUbifsRootIno);
  if (auto st =
          jail.MakeDir("/", rit != idx.inodes.end() ? meta_of(rit->second) : EntryMeta{0755, 0, 0});
      !st) {
    return st;
  }
  std::unordered_set<std::uint64_t> dirs{kUbifsRootIno};
  std::unordered_map<std::uint64_t, std::string> files;
  std::deque<std::pair<std::uint64_t, std::string>> queue{{kUbifsRootIno, ""}};
  std::vector<std::uint8_t> buf;
  while (!queue.empty()) {
    auto [dir, prefix] = queue.front();
    queue.pop_front();
    auto cit = idx.children.find(dir);
    if (cit == idx.children.end()) continue;
    for (const Dent& de : cit->second) {
      const std::string path = prefix + "/" + de.name;
      if (de.name.empty() || de.name == "." || de.name == ".." ||
          de.name.find('/') != std::string::npos || de.name.find('\0') != std::string::npos) {
        rd.Warn(0, fmt::format("{}: invalid name; skipped", path));
        continue;
      }
      auto iit = idx.inodes.find(de.inum);
      if (iit == idx.inodes.end()) {
        rd.Warn(0, fmt::format("{}: inode {} not in the index; skipped", path, de.inum));
        continue;
      }
      const ByteView in = iit->second;
      const std::uint64_t in_off = static_cast<std::uint64_t>(in.data() - vol.data());
      const std::uint32_t mode = LoadLe<std::uint32_t>(in.data() + 104);
      const EntryType type = handlers::EntryTypeOfMode(mode);
      const EntryMeta meta = meta_of(in);
      const std::uint64_t size = LoadLe<std::uint64_t>(in.data() + 48);
      const std::uint32_t data_len = LoadLe<std::uint32_t>(in.data() + 112);
      const ByteView inline_data =
          in.subspan(160, std::min<std::uint64_t>(data_len, in.size() - 160));
      Status st;
      switch (type) {
        case EntryType::kDir:
          if (!dirs.insert(de.inum).second) {
            rd.Warn(in_off, fmt::format("{}: directory inode {} already seen (loop); skipped", path,
                                        de.inum));
            continue;
          }
          st = jail.MakeDir(path, meta);
          if (st) queue.push_back({de.inum, path});
          break;
        case EntryType::kSymlink:
          st = jail.Symlink(path, AsString(inline_data), meta);
          break;
        case EntryType::kCharDev:
        case EntryType::kBlockDev: {
          handlers::DevNumber dev;
          if (inline_data.size() == 4) {
            dev = handlers::DecodeNewDev(LoadLe<std::uint32_t>(inline_data.data()));
          } else if (inline_data.size() == 8) {
            dev = handlers::DecodeHugeDev(LoadLe<std::uint64_t>(inline_data.data()));
          }
          st = jail.Node(path, type, meta, dev.major, dev.minor);
          break;
        }
        case EntryType::kFifo:
        case EntryType::kSocket:
          st = jail.Node(path, type, meta);
          break;
        case EntryType::kFile: {
          if (auto it = files.find(de.inum); it != files.end()) {
            st = jail.Hardlink(path, it->second);
            break;
          }
          if (size > ctx.limits().max_total_bytes) {
            rd.Warn(in_off, fmt::format("{}: size {} exceeds the limit", path, size));
            continue;
          }
          files[de.inum] = path;
          auto f = jail.CreateFile(path, meta);
          if (!f) {
            st = f.error();
            break;
          }
          const auto& blocks = idx.data[de.inum];
          const std::vector<std::uint8_t> zeros(kBlock, 0);
          const std::uint64_t nblocks = (size + kBlock - 1) / kBlock;
          for (std::uint64_t b = 0; b < nblocks && st; ++b) {
            const std::uint64_t want = std::min<std::uint64_t>(kBlock, size - b * kBlock);
            auto bit = blocks.find(static_cast<std::uint32_t>(b));
            ByteView piece(zeros.data(), want);
            if (bit != blocks.end()) {
              if (Decode(bit->second, buf)) {
                buf.resize(want, 0);  // a short last block: zeros up to the size
                piece = ByteView(buf.data(), want);
              } else {
                rd.Warn(static_cast<std::uint64_t>(bit->second.data() - vol.data()),
                        fmt::format("{}: data block {} not decodable (compression {})", path, b,
                                    LoadLe<std::uint16_t>(bit->second.data() + 44)));
              }
            }
            st = (*f)->Write(piece);
          }
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

std::unique_ptr<Handler> MakeUbifsHandler() { return std::make_unique<UbifsHandler>(); }

}  // namespace iotcop::unpack
