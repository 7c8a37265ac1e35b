// File: unpack/handlers/jffs2.cc
// JFFS2 images (both byte orders): nodes validated by their header, node and data CRCs, files
// rebuilt from their data nodes in version order; zlib, rtime, lzo, LZMA (OpenWrt's and the
// props-header variant) and uncompressed/zero nodes.
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <zlib.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/jail.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint16_t kJffs2Magic = 0x1985;
constexpr std::uint16_t kDirent = 0xE001, kInode = 0xE002;
constexpr std::uint64_t kInodeHdr = 68, kDirentHdr = 40;
// Compressor ids (the kernel's include/uapi/linux/jffs2.h, plus the LZMA patches').
constexpr std::uint8_t kComprNone = 0, kComprZero = 1, kComprRtime = 2, kComprCopy = 4,
                       kComprZlib = 6, kComprLzo = 7;
// OpenWrt's JFFS2 LZMA (target/linux/generic 530-jffs2_make_lzma_available.patch, and its
// mkfs.jffs2 in tools/mtd-utils 130-lzma_jffs2.patch): a raw LZMA1 stream with no header and no
// end marker, encoded with lc=0 lp=0 pb=0 and an 8 KiB dictionary (LZMA_BEST_DICT(0x2000)).
constexpr std::uint8_t kComprLzmaOpenWrt = 0x08;
// The older "compr_lzma" patch (Nikos Mavrogiannopoulos, 2008): the node starts with the 5-byte
// LZMA properties (lc=3 lp=0 pb=2, 8 KiB dictionary as written), then the raw stream.
constexpr std::uint8_t kComprLzmaPropsHeader = 0x15;

// JFFS2's crc32 is the kernel's crc32_le(0, ...): zlib's CRC without the pre/post inversion.
std::uint32_t JCrc(ByteView b) { return ~handlers::Crc32(b, 0xFFFFFFFFu); }

struct Node {
  std::uint64_t pos;  // in the chunk
  std::uint32_t version;
};

struct Dirent {
  std::uint32_t version, ino;
  std::uint8_t type;
};

struct Scan {
  bool big = false;
  std::unordered_map<std::uint32_t, std::vector<Node>> inodes;
  std::map<std::pair<std::uint32_t, std::string>, Dirent> dirents;  // (parent, name)
  std::uint64_t end = 0;
  std::uint64_t bad = 0, first_bad = 0;
};

class Jffs2Handler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "jffs2",
        "JFFS2",
        "Node magic 0x1985 in either byte order. Every node's header CRC (and node CRC for inodes "
        "and dirents) is checked; erase-block padding (0xff) and bad nodes are skipped and "
        "counted. The chunk ends after the last valid node. Directory entries keep their newest "
        "version (deletions honoured); files are rebuilt from their data nodes in version order, "
        "bounded by the inode's size, each node's data CRC checked before it is decoded: none, "
        "zero, rtime, zlib, lzo, and LZMA as router firmware writes it: id 0x08 is OpenWrt's "
        "(a raw LZMA1 stream, no header, no end marker, lc=0 lp=0 pb=0, 8 KiB dictionary), id "
        "0x15 the older patch that puts the 5-byte LZMA properties (lc=3 lp=0 pb=2) before the "
        "stream. LZMA output is bounded by the node's dsize and the dictionary by the output. A "
        "node that fails its data CRC or does not decode is reported with its offset and its "
        "range of the file left as zeros; the rest of the file system still extracts.",
        {"Linux fs/jffs2/ and include/uapi/linux/jffs2.h", "mtd-utils mkfs.jffs2",
         "OpenWrt target/linux/generic/pending-5.15/530-jffs2_make_lzma_available.patch "
         "(fs/jffs2/compr_lzma.c, include/linux/lzma.h: LZMA_BEST_LC/LP/PB 0, "
         "LZMA_BEST_DICT(0x2000), JFFS2_COMPR_LZMA 0x08)",
         "OpenWrt tools/mtd-utils/patches/130-lzma_jffs2.patch (mkfs.jffs2 with the same LZMA)",
         "compr_lzma.c by Nikos Mavrogiannopoulos, 2008 (JFFS2_COMPR_LZMA 0x15, LzmaEncode with "
         "the properties in the node)"},
        "The rubin compressors (rubinmips, dynrubin) are reported, not decoded (file left "
        "incomplete). LZMA nodes from encoders with other lc/lp/pb under id 0x08 would fail to "
        "decode and be reported. Extended attributes and summary nodes are ignored."};
    return d;
  }
  std::vector<Magic> magics() const override {
    return {{std::string("\x85\x19", 2), 0, true}, {std::string("\x19\x85", 2), 0, true}};
  }

  static std::uint32_t U32(const std::uint8_t* p, bool big) {
    return big ? LoadBe<std::uint32_t>(p) : LoadLe<std::uint32_t>(p);
  }
  static std::uint16_t U16(const std::uint8_t* p, bool big) {
    return big ? LoadBe<std::uint16_t>(p) : LoadLe<std::uint16_t>(p);
  }

  static bool HeaderOk(ByteView d, std::uint64_t pos, bool big, std::uint32_t* totlen) {
    auto h = Slice(d, pos, 12);
    if (!h) return false;
    if (U16(h->data(), big) != kJffs2Magic) return false;
    if (JCrc(h->subspan(0, 8)) != U32(h->data() + 8, big)) return false;
    *totlen = U32(h->data() + 4, big);
    return *totlen >= 12 && Fits(d.size(), pos, *totlen);
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    const bool big = data[offset] == 0x19;
    std::uint32_t totlen = 0;
    if (!HeaderOk(data, offset, big, &totlen)) return MakeError(Errc::kNotThisFormat, "header CRC");
    // Walk valid nodes (4-byte aligned), skipping padding, to find the end.
    std::uint64_t pos = offset, end = offset, nodes = 0;
    while (pos + 12 <= data.size()) {
      if (HeaderOk(data, pos, big, &totlen)) {
        pos += (std::uint64_t{totlen} + 3) & ~std::uint64_t{3};
        end = pos;
        ++nodes;
        continue;
      }
      // Skip erase-block padding and garbage up to the next plausible magic, within 64 KiB.
      const std::uint64_t limit = std::min<std::uint64_t>(data.size(), pos + 65536);
      std::uint64_t next = pos + 4;
      while (next + 2 <= limit && U16(data.data() + next, big) != kJffs2Magic) next += 4;
      if (next + 2 > limit) break;
      pos = next;
    }
    if (nodes < 2) return MakeError(Errc::kNotThisFormat, "too few nodes");
    Chunk c;
    c.offset = offset;
    c.length = std::min<std::uint64_t>(end, data.size()) - offset;
    c.description = fmt::format("JFFS2 ({} endian), {} nodes", big ? "big" : "little", nodes);
    c.state = big;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const bool big = std::any_cast<bool>(chunk.state);
    const ByteView d = ctx.view().subspan(chunk.offset, chunk.length);
    Scan s;
    s.big = big;
    std::uint64_t pos = 0;
    while (pos + 12 <= d.size()) {
      std::uint32_t totlen = 0;
      if (!HeaderOk(d, pos, big, &totlen)) {
        pos += 4;
        continue;
      }
      const std::uint8_t* p = d.data() + pos;
      const std::uint16_t type = U16(p + 2, big);
      if (type == kInode && totlen >= kInodeHdr) {
        if (JCrc(ByteView(p, 60)) == U32(p + 64, big)) {
          s.inodes[U32(p + 12, big)].push_back({pos, U32(p + 16, big)});
        } else if (s.bad++ == 0) {
          s.first_bad = pos;
        }
      } else if (type == kDirent && totlen >= kDirentHdr) {
        const std::uint8_t nsize = p[28];
        if (JCrc(ByteView(p, 32)) == U32(p + 32, big) && kDirentHdr + nsize <= totlen) {
          std::string name(reinterpret_cast<const char*>(p + kDirentHdr), nsize);
          const std::uint32_t pino = U32(p + 12, big), version = U32(p + 16, big);
          auto key = std::make_pair(pino, name);
          auto it = s.dirents.find(key);
          if (it == s.dirents.end() || it->second.version < version) {
            s.dirents[key] = {version, U32(p + 20, big), p[29]};
          }
        } else if (s.bad++ == 0) {
          s.first_bad = pos;
        }
      }
      pos += (std::uint64_t{totlen} + 3) & ~std::uint64_t{3};
    }
    if (s.bad)
      ctx.Warn(chunk.offset + s.first_bad,
               fmt::format("{} JFFS2 nodes with bad CRC skipped", s.bad));
    auto jail = ctx.NewRoot("filesystem");
    if (!jail) return jail.error();
    // Children by parent; walk from the root inode (1), guarding against loops.
    std::unordered_map<std::uint32_t, std::vector<std::pair<std::string, std::uint32_t>>> children;
    for (const auto& [key, de] : s.dirents) {
      if (de.ino != 0) children[key.first].push_back({key.second, de.ino});
    }
    if (auto st = (*jail)->MakeDir("/", EntryMeta{0755, 0, 0}); !st) return st;
    std::vector<std::pair<std::uint32_t, std::string>> stack{{1, ""}};
    std::unordered_map<std::uint32_t, bool> seen_dir{{1, true}};
    while (!stack.empty()) {
      auto [dir, prefix] = stack.back();
      stack.pop_back();
      for (const auto& [name, ino] : children[dir]) {
        if (name.empty() || name.find('/') != std::string::npos) continue;
        const std::string path = prefix + "/" + name;
        auto st = Emit(d, s, ino, path, **jail, ctx, chunk.offset);
        if (!st && st.error().code == Errc::kLimitExceeded) return st;
        if (st && IsDir(d, s, ino) && !seen_dir[ino]) {
          seen_dir[ino] = true;
          stack.push_back({ino, path});
        }
      }
    }
    return Ok();
  }

 private:
  static const Node* Latest(const Scan& s, std::uint32_t ino) {
    auto it = s.inodes.find(ino);
    if (it == s.inodes.end() || it->second.empty()) return nullptr;
    return &*std::max_element(it->second.begin(), it->second.end(),
                              [](const Node& a, const Node& b) { return a.version < b.version; });
  }
  static bool IsDir(ByteView d, const Scan& s, std::uint32_t ino) {
    const Node* n = Latest(s, ino);
    return n && (U32(d.data() + n->pos + 20, s.big) & 0170000) == 0040000;
  }

  // A raw LZMA1 stream of exactly `dsize` bytes (an end marker allowed right there, none before).
  // The dictionary never needs to exceed the output, which bounds the decoder's memory.
  static bool LzmaRaw(ByteView in, std::uint32_t lc, std::uint32_t lp, std::uint32_t pb,
                      std::uint32_t dict, std::uint8_t* out, std::uint32_t dsize) {
    if (lc > LZMA_LCLP_MAX || lp > LZMA_LCLP_MAX || lc + lp > LZMA_LCLP_MAX || pb > LZMA_PB_MAX)
      return false;
    lzma_options_lzma opt{};
    opt.dict_size = std::clamp<std::uint32_t>(std::min(dict, dsize), LZMA_DICT_SIZE_MIN, 1u << 24);
    opt.lc = lc;
    opt.lp = lp;
    opt.pb = pb;
    opt.ext_flags = LZMA_LZMA1EXT_ALLOW_EOPM;
    opt.ext_size_low = dsize;
    opt.ext_size_high = 0;
    const lzma_filter filters[] = {{LZMA_FILTER_LZMA1EXT, &opt}, {LZMA_VLI_UNKNOWN, nullptr}};
    lzma_stream z = LZMA_STREAM_INIT;
    if (lzma_raw_decoder(&z, filters) != LZMA_OK) return false;
    z.next_in = in.data();
    z.avail_in = in.size();
    z.next_out = out;
    z.avail_out = dsize;
    lzma_ret rc = LZMA_OK;
    while (rc == LZMA_OK && z.avail_out > 0) {
      const std::size_t before = z.avail_in + z.avail_out;
      rc = lzma_code(&z, LZMA_FINISH);
      if (rc == LZMA_OK && z.avail_in + z.avail_out == before) break;  // no progress
    }
    // The decoder knows the size: it ends the stream itself after dsize bytes.
    if (rc == LZMA_OK && z.avail_out == 0) rc = lzma_code(&z, LZMA_FINISH);
    const bool ok = rc == LZMA_STREAM_END && z.avail_out == 0;
    lzma_end(&z);
    return ok;
  }

  static const char* ComprName(std::uint8_t compr) {
    switch (compr) {
      case kComprNone:
        return "none";
      case kComprZero:
        return "zero";
      case kComprRtime:
        return "rtime";
      case 3:
        return "rubinmips";
      case kComprCopy:
        return "copy";
      case 5:
        return "dynrubin";
      case kComprZlib:
        return "zlib";
      case kComprLzo:
        return "lzo";
      case kComprLzmaOpenWrt:
      case kComprLzmaPropsHeader:
        return "lzma";
    }
    return "unknown";
  }

  static bool Decompress(std::uint8_t compr, ByteView in, std::uint8_t* out, std::uint32_t dsize) {
    switch (compr) {
      case kComprNone:
      case kComprCopy:
        if (in.size() < dsize) return false;
        std::memcpy(out, in.data(), dsize);
        return true;
      case kComprZero:
        std::memset(out, 0, dsize);
        return true;
      case kComprRtime: {
        std::uint32_t positions[256] = {};
        std::uint32_t o = 0;
        std::size_t i = 0;
        while (o < dsize) {
          if (i + 2 > in.size()) return false;
          const std::uint8_t value = in[i++];
          out[o++] = value;
          std::uint32_t repeat = in[i++];
          std::uint32_t back = positions[value];
          positions[value] = o;
          if (repeat > dsize - o) return false;
          while (repeat--) out[o++] = out[back++];
        }
        return true;
      }
      case kComprZlib: {
        uLongf len = dsize;
        return uncompress(out, &len, in.data(), in.size()) == Z_OK && len == dsize;
      }
      case kComprLzo: {
        lzo_uint len = dsize;
        return lzo1x_decompress_safe(in.data(), in.size(), out, &len, nullptr) == LZO_E_OK &&
               len == dsize;
      }
      case kComprLzmaOpenWrt:
        return LzmaRaw(in, 0, 0, 0, 0x2000, out, dsize);
      case kComprLzmaPropsHeader: {
        if (in.size() < 5 || in[0] >= 9 * 5 * 5) return false;
        const std::uint32_t props = in[0];
        return LzmaRaw(in.subspan(5), props % 9, props / 9 % 5, props / 45,
                       LoadLe<std::uint32_t>(in.data() + 1), out, dsize);
      }
    }
    return false;
  }

  static Status Emit(ByteView d, const Scan& s, std::uint32_t ino, const std::string& path,
                     Jail& jail, ExtractContext& ctx, std::uint64_t base) {
    const Node* latest = Latest(s, ino);
    if (!latest) return jail.Node(path, EntryType::kFile, EntryMeta{0644, 0, 0});
    const std::uint8_t* lp = d.data() + latest->pos;
    const bool big = s.big;
    const std::uint32_t mode = U32(lp + 20, big);
    EntryMeta meta{mode & 07777, U16(lp + 24, big), U16(lp + 26, big)};
    const std::uint32_t isize = U32(lp + 28, big);
    // The node's data, or why not (nullptr when decoded).
    auto node_data = [&](const Node& n, std::vector<std::uint8_t>& buf) -> const char* {
      const std::uint8_t* p = d.data() + n.pos;
      const std::uint32_t csize = U32(p + 48, big), dsize = U32(p + 52, big);
      auto in = Slice(d, n.pos + kInodeHdr, csize);
      if (!in || kInodeHdr + csize > U32(p + 4, big)) return "data beyond the node";
      if (dsize > (16u << 20)) return "data size over 16 MiB";
      if (JCrc(*in) != U32(p + 60, big)) return "data CRC mismatch";
      buf.resize(dsize);
      if (!Decompress(p[56], *in, buf.data(), dsize)) return "not decodable";
      return nullptr;
    };
    switch (mode & 0170000) {
      case 0040000:
        return jail.MakeDir(path, meta);
      case 0120000: {
        std::vector<std::uint8_t> t;
        if (const char* why = node_data(*latest, t)) {
          ctx.Warn(base + latest->pos, fmt::format("{}: symlink target skipped: {}", path, why));
          return jail.Node(path, EntryType::kFile, meta);
        }
        return jail.Symlink(path, std::string(t.begin(), t.end()), meta);
      }
      case 0020000:
      case 0060000: {
        std::vector<std::uint8_t> dev;
        std::uint32_t major = 0, minor = 0;
        if (!node_data(*latest, dev) && dev.size() >= 2) {
          const std::uint32_t v = dev.size() >= 4 ? LoadLe<std::uint32_t>(dev.data())
                                                  : LoadLe<std::uint16_t>(dev.data());
          if (big) {
            const std::uint32_t vb = dev.size() >= 4 ? LoadBe<std::uint32_t>(dev.data())
                                                     : LoadBe<std::uint16_t>(dev.data());
            major = dev.size() >= 4 ? (vb & 0xfff00) >> 8 : vb >> 8;
            minor = dev.size() >= 4 ? (vb & 0xff) | ((vb >> 12) & 0xfff00) : vb & 0xff;
          } else {
            major = dev.size() >= 4 ? (v & 0xfff00) >> 8 : v >> 8;
            minor = dev.size() >= 4 ? (v & 0xff) | ((v >> 12) & 0xfff00) : v & 0xff;
          }
        }
        return jail.Node(path,
                         (mode & 0170000) == 0020000 ? EntryType::kCharDev : EntryType::kBlockDev,
                         meta, major, minor);
      }
      case 0010000:
        return jail.Node(path, EntryType::kFifo, meta);
      case 0140000:
        return jail.Node(path, EntryType::kSocket, meta);
      default:
        break;
    }
    // Regular file: apply data nodes in version order into a buffer of the inode's size.
    if (isize > ctx.limits().max_total_bytes)
      return MakeError(Errc::kLimitExceeded, "file too large", path);
    std::vector<std::uint8_t> content(isize, 0);
    std::vector<Node> nodes = s.inodes.at(ino);
    std::sort(nodes.begin(), nodes.end(),
              [](const Node& a, const Node& b) { return a.version < b.version; });
    std::vector<std::uint8_t> buf;
    for (const Node& n : nodes) {
      const std::uint8_t* p = d.data() + n.pos;
      const std::uint32_t off = U32(p + 44, big);
      if (U32(p + 52, big) == 0) continue;
      if (const char* why = node_data(n, buf)) {
        ctx.Warn(base + n.pos, fmt::format("{}: data node ({}, compression {:#04x}) skipped: {}",
                                           path, ComprName(p[56]), p[56], why));
        continue;
      }
      if (off >= isize) continue;
      const std::size_t n_copy = std::min<std::size_t>(buf.size(), isize - off);
      std::memcpy(content.data() + off, buf.data(), n_copy);
    }
    return jail.WriteFile(path, meta, ByteView(content.data(), content.size()));
  }
};

}  // namespace

std::unique_ptr<Handler> MakeJffs2Handler() { return std::make_unique<Jffs2Handler>(); }

}  // namespace iotcop::unpack
