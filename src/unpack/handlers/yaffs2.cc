// File: unpack/handlers/yaffs2.cc
// YAFFS2 NAND flash images (mkyaffs2image output and NAND dumps with the out-of-band area): a
// sequence of chunks, each one data page followed by its spare area holding the packed tags
// (sequence number, object id, chunk id, byte count). Object headers (chunk id 0) name files,
// directories, symlinks, hardlinks and device nodes; data chunks carry file contents by chunk id.
// The page size, spare size, tag position and byte order are detected from the first object
// header and the tags that follow it; the newest copy (highest sequence number, then the later
// position) of every header and data chunk wins, as on a mounted device.
#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/handlers/fs_common.h"
#include "unpack/jail.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint32_t kHeaderSize = 512;  // struct yaffs_obj_hdr
constexpr std::uint32_t kTagsSize = 16;     // seq, obj id, chunk id, byte count
constexpr std::uint32_t kLowestSeq = 0x1000, kHighestSeq = 0xefffff00;
constexpr std::uint32_t kExtraHeaderFlag = 0x80000000, kAllExtraFlags = 0xf0000000;
constexpr std::uint32_t kObjRoot = 1, kObjLostFound = 2, kObjUnlinked = 3, kObjDeleted = 4;
constexpr std::uint32_t kMaxName = 256, kMaxAlias = 160;
constexpr std::uint64_t kMaxHoleBytes = 16u << 20;  // zeros written for missing chunks, per file
constexpr int kMaxDepth = 256;

enum ObjType : std::uint32_t {
  kFile = 1,
  kSymlink = 2,
  kDirectory = 3,
  kHardlink = 4,
  kSpecial = 5
};

// Header field offsets inside struct yaffs_obj_hdr.
constexpr std::uint32_t kOffName = 10, kOffMode = 268, kOffUid = 272, kOffGid = 276,
                        kOffSizeLow = 292, kOffEquiv = 296, kOffAlias = 300, kOffRdev = 460,
                        kOffSizeHigh = 496;

constexpr std::array<std::uint32_t, 6> kPageSizes{2048, 4096, 512, 1024, 8192, 16384};
constexpr std::array<std::uint32_t, 11> kSpareSizes{64,  128, 16,  32,   224, 256,
                                                    448, 512, 640, 1024, 1280};
constexpr std::array<std::uint32_t, 2> kTagOffsets{0, 2};

struct Yaffs2Geometry {
  std::uint32_t page = 0, spare = 0, tag_offset = 0;
  Endian endian = Endian::kLittle;
  std::uint64_t chunk() const { return std::uint64_t{page} + spare; }
};

struct Yaffs2Info {
  Yaffs2Geometry g;
  std::uint64_t chunks = 0;  // chunks in the claimed region
};

std::uint32_t Load32(const std::uint8_t* p, Endian e) {
  return e == Endian::kLittle ? LoadLe<std::uint32_t>(p) : LoadBe<std::uint32_t>(p);
}

struct Tags {
  std::uint32_t seq = 0, obj = 0, chunk = 0, bytes = 0;
  bool header = false;
  std::uint32_t extra_type = 0;    // object type packed in the tags of a header chunk (0: none)
  std::uint32_t extra_parent = 0;  // parent packed in the tags of a header chunk (0: none)
};

enum class TagState { kValid, kErased, kInvalid };

// Decodes the tags of the chunk at `pos` (the start of its data page) in `data`.
TagState ReadTags(ByteView data, std::uint64_t pos, const Yaffs2Geometry& g, Tags* t) {
  auto s = Slice(data, pos + g.page + g.tag_offset, kTagsSize);
  if (!s) return TagState::kInvalid;
  const std::uint8_t* p = s->data();
  t->seq = Load32(p, g.endian);
  t->obj = Load32(p + 4, g.endian);
  t->chunk = Load32(p + 8, g.endian);
  t->bytes = Load32(p + 12, g.endian);
  if (t->seq == 0xffffffff && t->obj == 0xffffffff && t->chunk == 0xffffffff) {
    return TagState::kErased;
  }
  if (t->seq < kLowestSeq || t->seq > kHighestSeq) return TagState::kInvalid;
  t->header = t->chunk == 0 || (t->chunk & kExtraHeaderFlag) != 0;
  t->extra_type = 0;
  t->extra_parent = 0;
  if (t->chunk & kExtraHeaderFlag) {
    t->extra_type = t->obj >> 28;
    t->extra_parent = t->chunk & ~kAllExtraFlags;
    t->obj &= ~kAllExtraFlags;
    t->chunk = 0;
  }
  if (t->obj == 0 || (t->obj & kAllExtraFlags) != 0) return TagState::kInvalid;
  if (!t->header && t->bytes > g.page) return TagState::kInvalid;
  return TagState::kValid;
}

// A decoded object header.
struct Object {
  std::uint32_t id = 0, type = 0, parent = 0, mode = 0, uid = 0, gid = 0, rdev = 0;
  std::uint32_t equiv = 0;
  std::uint64_t size = 0;
  std::string name, alias;
  std::uint64_t at = 0;  // chunk position in the region
  std::uint32_t seq = 0;
};

std::string CString(const std::uint8_t* p, std::size_t max) {
  const char* c = reinterpret_cast<const char*>(p);
  return std::string(c, strnlen(c, max));
}

// Reads the object header at the start of `page`; nullopt when it is not one.
std::optional<Object> ReadHeader(ByteView page, Endian e) {
  if (page.size() < kHeaderSize) return std::nullopt;
  const std::uint8_t* p = page.data();
  Object o;
  o.type = Load32(p, e);
  if (o.type < kFile || o.type > kSpecial) return std::nullopt;
  o.parent = Load32(p + 4, e);
  if (strnlen(reinterpret_cast<const char*>(p + kOffName), kMaxName) == kMaxName) {
    return std::nullopt;
  }
  o.name = CString(p + kOffName, kMaxName);
  o.mode = Load32(p + kOffMode, e);
  o.uid = Load32(p + kOffUid, e);
  o.gid = Load32(p + kOffGid, e);
  const std::uint32_t low = Load32(p + kOffSizeLow, e), high = Load32(p + kOffSizeHigh, e);
  o.size = low | (high != 0xffffffff ? std::uint64_t{high} << 32 : 0);
  o.equiv = Load32(p + kOffEquiv, e);
  o.alias = CString(p + kOffAlias, kMaxAlias);
  o.rdev = Load32(p + kOffRdev, e);
  return o;
}

// The S_IFMT a header's mode must have for its type (hardlinks keep no mode).
bool ModeFitsType(const Object& o) {
  const std::uint32_t fmt = o.mode & 0170000;
  switch (o.type) {
    case kFile:
      return fmt == 0100000;
    case kDirectory:
      return fmt == 0040000;
    case kSymlink:
      return fmt == 0120000;
    case kSpecial:
      return fmt == 0020000 || fmt == 0060000 || fmt == 0010000 || fmt == 0140000;
    default:
      return true;
  }
}

// How many of the first chunks from `start` have valid tags under `g` (0 when the first chunk is
// not the header the magic pointed at).
std::uint64_t Score(ByteView data, std::uint64_t start, const Yaffs2Geometry& g,
                    const Object& first) {
  Tags t;
  if (ReadTags(data, start, g, &t) != TagState::kValid || !t.header) return 0;
  if (t.extra_type != 0 && t.extra_type != first.type) return 0;
  if (t.extra_parent != 0 && t.extra_parent != first.parent) return 0;
  std::uint64_t score = 1;
  for (int i = 1; i < 16; ++i) {
    const std::uint64_t pos = start + i * g.chunk();
    if (!Fits(data.size(), pos, g.chunk())) break;
    const TagState s = ReadTags(data, pos, g, &t);
    if (s == TagState::kInvalid) break;
    if (s == TagState::kValid) ++score;
  }
  return score;
}

class Yaffs2Handler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "yaffs2",
        "YAFFS2 (NAND image with spare area)",
        "Carved at an object header of an entry in the root folder (type 1-5, parent 1, the "
        "unused name checksum 0xffff), in either byte order. The page size (512 to 16384), the "
        "spare size (16 to 1280) and the position of the packed tags in the spare area (0 or 2) "
        "are detected by decoding the tags of the first 16 chunks under each geometry; the "
        "header's mode must agree with its type. The chunk runs while tags are valid (sequence "
        "number in YAFFS's range, object id set, byte count at most a page) or erased (0xff). "
        "Every object header and data chunk is indexed; the newest copy (highest sequence "
        "number, then the later position) wins, so rewritten and deleted objects read as on a "
        "mounted device. Files are rebuilt from their chunks in chunk-id order (missing chunks "
        "are warned and zero-filled, at most 16 MiB per file), cut to the header's size; "
        "directories, symlinks, hardlinks and device nodes, fifos and sockets are recorded with "
        "their modes, owners and device numbers. Parent chains are bounded (loops and orphans "
        "are warned; orphans go to /lost+found).",
        {"YAFFS2 (yaffs_guts.h: struct yaffs_obj_hdr; yaffs_packedtags2.h)",
         "yaffs2 utils/mkyaffs2image.c", "binwalk tests/inputs/yaffs2.bin"},
        "YAFFS1 (512-byte pages with the old tag packing), in-band tags (no spare area) and "
        "images whose first chunk is not the header of a root-folder entry (a raw NAND dump "
        "starting with data chunks) are not recognised; ECC bytes are not checked or used to "
        "correct bit errors."};
    return d;
  }

  std::vector<Magic> magics() const override {
    std::vector<Magic> m;
    for (std::uint32_t type = kFile; type <= kSpecial; ++type) {
      std::string le(10, '\0'), be(10, '\0');
      le[0] = static_cast<char>(type);
      le[4] = 1;
      be[3] = static_cast<char>(type);
      be[7] = 1;
      le[8] = le[9] = be[8] = be[9] = '\xff';
      m.push_back({le, 0, true});
      m.push_back({be, 0, true});
    }
    return m;
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto head = Slice(data, offset, kHeaderSize);
    if (!head) return MakeError(Errc::kNotThisFormat, "short object header");
    const Endian e = (*head)[0] != 0 ? Endian::kLittle : Endian::kBig;
    auto first = ReadHeader(*head, e);
    if (!first || first->parent != kObjRoot || first->name.empty() || !ModeFitsType(*first)) {
      return MakeError(Errc::kNotThisFormat, "object header");
    }
    Yaffs2Geometry best;
    std::uint64_t best_score = 0;
    for (std::uint32_t page : kPageSizes) {
      for (std::uint32_t spare : kSpareSizes) {
        if (spare > page / 4) continue;
        for (std::uint32_t tag_offset : kTagOffsets) {
          if (tag_offset + kTagsSize > spare) continue;
          for (Endian te : {e, e == Endian::kLittle ? Endian::kBig : Endian::kLittle}) {
            const Yaffs2Geometry g{page, spare, tag_offset, te};
            if (!Fits(data.size(), offset, g.chunk())) continue;
            const std::uint64_t s = Score(data, offset, g, *first);
            if (s > best_score) {
              best_score = s;
              best = g;
            }
          }
        }
      }
    }
    if (best_score == 0) return MakeError(Errc::kNotThisFormat, "no valid tags");
    // The region: every chunk with valid or erased tags, up to the last valid one.
    Yaffs2Info info;
    info.g = best;
    Tags t;
    std::uint64_t n = 0;
    for (std::uint64_t pos = offset; Fits(data.size(), pos, best.chunk()); pos += best.chunk()) {
      const TagState s = ReadTags(data, pos, best, &t);
      if (s == TagState::kInvalid) break;
      ++n;
      if (s == TagState::kValid) info.chunks = n;
    }
    Chunk c;
    c.offset = offset;
    c.length = info.chunks * best.chunk();
    c.description = fmt::format(
        "YAFFS2, {}+{} byte chunks, tags at spare offset {}, {} endian, {} "
        "chunks",
        best.page, best.spare, best.tag_offset, best.endian == Endian::kLittle ? "little" : "big",
        info.chunks);
    c.state = info;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override;
};

// Where a data chunk lives in the region and how much of it is file data.
struct DataRef {
  std::uint64_t at = 0;
  std::uint32_t bytes = 0, seq = 0;
};

class Builder {
 public:
  Builder(const Yaffs2Info& info, ByteView fs, ExtractContext& ctx, std::uint64_t base, Jail& jail)
      : info_(info), g_(info.g), fs_(fs), ctx_(ctx), base_(base), jail_(jail) {}

  void Warn(std::uint64_t off, std::string msg) { ctx_.Warn(base_ + off, std::move(msg)); }

  Status Run() {
    Index();
    if (auto st = jail_.MakeDir("/", EntryMeta{0755, 0, 0}); !st) return st;
    // Live objects with their paths, folders first (shallow to deep), hardlinks last.
    std::vector<std::pair<std::string, const Object*>> live;
    for (const auto& [id, o] : objects_) {
      auto path = PathOf(id);
      if (path) live.push_back({*path, &o});
    }
    auto rank = [](const Object* o) {
      return o->type == kDirectory ? 0 : o->type == kHardlink ? 2 : 1;
    };
    std::stable_sort(live.begin(), live.end(), [&](const auto& a, const auto& b) {
      if (rank(a.second) != rank(b.second)) return rank(a.second) < rank(b.second);
      return a.first < b.first;
    });
    if (orphans_) {
      if (auto st = jail_.MakeDir("/lost+found", EntryMeta{0700, 0, 0});
          !st && st.error().code == Errc::kLimitExceeded) {
        return st;
      }
    }
    for (const auto& [path, o] : live) {
      auto st = Emit(*o, path);
      if (!st && st.error().code == Errc::kLimitExceeded) return st;
    }
    return Ok();
  }

 private:
  // Indexes every chunk: the newest header per object and the newest data chunk per (object,
  // chunk id).
  void Index() {
    Tags t;
    for (std::uint64_t i = 0; i < info_.chunks; ++i) {
      const std::uint64_t pos = i * g_.chunk();
      const TagState s = ReadTags(fs_, pos, g_, &t);
      if (s != TagState::kValid) {
        if (s == TagState::kInvalid) Warn(pos + g_.page, "chunk tags not valid; chunk skipped");
        continue;
      }
      if (t.header) {
        auto o = ReadHeader(fs_.subspan(pos, g_.page), g_.endian);
        if (!o) {
          Warn(pos, fmt::format("object {}: header chunk does not hold an object header; "
                                "skipped",
                                t.obj));
          continue;
        }
        o->id = t.obj;
        o->at = pos;
        o->seq = t.seq;
        auto it = objects_.find(t.obj);
        if (it == objects_.end() || it->second.seq <= t.seq) objects_[t.obj] = std::move(*o);
        continue;
      }
      auto& ref = data_[t.obj][t.chunk];
      if (ref.seq <= t.seq) ref = DataRef{pos, t.bytes, t.seq};
    }
  }

  // The path of object `id` in the tree, nullopt when it is not live (deleted, unlinked, in a
  // loop, under a non-folder). Orphans (parent without a header) go to /lost+found.
  std::optional<std::string> PathOf(std::uint32_t id) {
    if (auto it = paths_.find(id); it != paths_.end()) return it->second;
    std::vector<std::uint32_t> chain;
    std::unordered_set<std::uint32_t> on_chain;
    std::optional<std::string> base;
    std::uint32_t cur = id;
    while (true) {
      if (cur == kObjRoot) {
        base = "";
        break;
      }
      if (cur == kObjLostFound) {
        base = "/lost+found";
        orphans_ = true;
        break;
      }
      if (cur == kObjUnlinked || cur == kObjDeleted) break;
      auto o = objects_.find(cur);
      if (!chain.empty() && o != objects_.end() && o->second.type != kDirectory) {
        Warn(objects_[chain.back()].at,
             fmt::format("{}: parent object {} is not a directory; skipped",
                         objects_[chain.back()].name, cur));
        break;
      }
      if (auto it = paths_.find(cur); it != paths_.end()) {
        base = it->second;
        break;
      }
      if (o == objects_.end()) {
        // A parent without a header: its children are orphans.
        if (!chain.empty()) {
          Warn(objects_[chain.back()].at,
               fmt::format("{}: parent object {} has no header; put in /lost+found",
                           objects_[chain.back()].name, cur));
          base = "/lost+found";
          orphans_ = true;
        }
        break;
      }
      if (!on_chain.insert(cur).second || chain.size() > static_cast<std::size_t>(kMaxDepth)) {
        Warn(o->second.at,
             fmt::format("{}: parent chain loops or is too deep; skipped", o->second.name));
        break;
      }
      const std::string& name = o->second.name;
      if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
        Warn(o->second.at, fmt::format("object {}: invalid name; skipped", cur));
        break;
      }
      chain.push_back(cur);
      cur = o->second.parent;
    }
    // Resolve the chain from the top down; without a base every object on it is not live.
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      if (base) base = *base + "/" + objects_[*it].name;
      paths_[*it] = base;
    }
    if (chain.empty()) return std::nullopt;
    return paths_[id];
  }

  Status Emit(const Object& o, const std::string& path) {
    const EntryMeta meta{o.mode & 07777, o.uid, o.gid};
    switch (o.type) {
      case kDirectory:
        return jail_.MakeDir(path, meta);
      case kSymlink:
        return jail_.Symlink(path, o.alias, meta);
      case kHardlink: {
        auto target = objects_.find(o.equiv);
        auto written = files_.find(o.equiv);
        if (target == objects_.end() || written == files_.end()) {
          Warn(o.at,
               fmt::format("{}: hardlink to object {}, which is not a file here", path, o.equiv));
          return MakeError(Errc::kCorrupt, "hardlink", path);
        }
        return jail_.Hardlink(path, written->second);
      }
      case kSpecial: {
        const auto dev = handlers::DecodeNewDev(o.rdev);
        return jail_.Node(path, handlers::EntryTypeOfMode(o.mode), meta, dev.major, dev.minor);
      }
      default:
        break;
    }
    auto st = WriteFile(o, path, meta);
    if (st) files_[o.id] = path;
    return st;
  }

  Status WriteFile(const Object& o, const std::string& path, const EntryMeta& meta) {
    auto f = jail_.CreateFile(path, meta);
    if (!f) return f.error();
    static const std::vector<std::uint8_t> kZeros(64 * 1024, 0);
    std::uint64_t pos = 0, holes = 0;
    Status st = Ok();
    auto zeros = [&](std::uint64_t n) -> Status {
      holes += n;
      if (holes > kMaxHoleBytes) {
        Warn(o.at, fmt::format("{}: more than {} bytes of missing chunks; file cut at {} bytes",
                               path, kMaxHoleBytes, pos));
        return MakeError(Errc::kCorrupt, "holes", path);
      }
      while (n > 0) {
        const std::size_t step =
            static_cast<std::size_t>(std::min<std::uint64_t>(n, kZeros.size()));
        if (auto w = (*f)->Write(ByteView(kZeros.data(), step)); !w) return w;
        n -= step;
        pos += step;
      }
      return Ok();
    };
    auto data = data_.find(o.id);
    if (data != data_.end()) {
      for (const auto& [id, ref] : data->second) {
        const std::uint64_t start = (std::uint64_t{id} - 1) * g_.page;
        if (start >= o.size) break;
        if (start > pos) {
          Warn(o.at, fmt::format("{}: chunks missing before chunk {} ({} bytes zero-filled)", path,
                                 id, start - pos));
          if (st = zeros(start - pos); !st) break;
        }
        const std::uint64_t n = std::min<std::uint64_t>(ref.bytes, o.size - start);
        if (st = (*f)->Write(fs_.subspan(ref.at, n)); !st) break;
        pos = start + n;
      }
    }
    if (st && pos < o.size) {
      Warn(o.at,
           fmt::format("{}: header says {} bytes, chunks hold {} (truncated)", path, o.size, pos));
    }
    auto closed = (*f)->Close();
    return st ? closed : st;
  }

  const Yaffs2Info& info_;
  const Yaffs2Geometry& g_;
  ByteView fs_;
  ExtractContext& ctx_;
  std::uint64_t base_;
  Jail& jail_;
  std::map<std::uint32_t, Object> objects_;
  std::unordered_map<std::uint32_t, std::map<std::uint32_t, DataRef>> data_;
  std::unordered_map<std::uint32_t, std::optional<std::string>> paths_;
  std::unordered_map<std::uint32_t, std::string> files_;  // object id -> path written
  bool orphans_ = false;
};

Status Yaffs2Handler::Extract(const Chunk& chunk, ExtractContext& ctx) const {
  const auto& info = std::any_cast<const Yaffs2Info&>(chunk.state);
  auto jail = ctx.NewRoot("filesystem");
  if (!jail) return jail.error();
  Builder b(info, ctx.view().subspan(chunk.offset, chunk.length), ctx, chunk.offset, **jail);
  return b.Run();
}

}  // namespace

std::unique_ptr<Handler> MakeYaffs2Handler() { return std::make_unique<Yaffs2Handler>(); }

}  // namespace iotcop::unpack
