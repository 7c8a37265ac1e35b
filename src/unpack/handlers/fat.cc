// FAT12/16/32 (SD cards, eMMC partitions, recovery images): a read-only reader, BPB validated,
// cluster chains bounded and loop-checked, long file names, the tree written through the Jail.
#include <cstring>
#include <deque>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/jail.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kFatDirEntry = 32;
constexpr std::uint64_t kFatMaxDirBytes = 65536 * kFatDirEntry;  // the spec's 65536 entries
constexpr std::uint8_t kFatAttrReadOnly = 0x01, kFatAttrVolume = 0x08, kFatAttrDir = 0x10,
                       kFatAttrLfn = 0x0f;

struct FatGeometry {
  int bits = 0;  // 12, 16 or 32
  std::uint64_t bps = 0, spc = 0, reserved = 0, nfats = 0, fat_sectors = 0, root_entries = 0;
  std::uint64_t total_sectors = 0, clusters = 0, root_cluster = 0;
  std::uint64_t fat_at = 0, root_at = 0, data_at = 0;  // bytes from the volume's start
  std::string label;
  std::uint64_t cluster_bytes() const { return bps * spc; }
};

bool FatPow2(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

class FatHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "fat",
        "FAT12/16/32 file system",
        "Found by the boot sector's file-system type string (\"FAT12   \", \"FAT16   \", "
        "\"FAT     \" at 54, \"FAT32   \" at 82). The BPB is validated: a jump instruction, the "
        "0x55AA signature, bytes per sector 512 to 4096 and sectors per cluster powers of two, "
        "at least one reserved sector, one to four FATs, a media byte of 0xF0 or 0xF8-0xFF, a "
        "total sector count that holds the FATs and root directory, and the FATs present in the "
        "data. The FAT type comes from the cluster count as the specification says, not from the "
        "string. Directories are walked from the root (the fixed root region of FAT12/16, the "
        "root cluster chain of FAT32); every cluster chain is bounded by the cluster count and "
        "each cluster may be used once in the whole volume, so loops and cross-links are cut "
        "with a warning naming the cluster and its FAT entry's offset. Long file names (VFAT) "
        "are used when their checksum matches the short entry; short names honour the NT "
        "lower-case flags. A file whose chain ends before its size is written as far as it goes "
        "and reported. Read-only files get mode 0444, others 0644 and folders 0755.",
        {"Microsoft FAT32 File System Specification 1.03 (2000)",
         "Linux fs/fat/inode.c, fs/fat/namei_vfat.c", "dosfstools mkfs.fat"},
        "exFAT is not read. Only the first FAT is used (the copies are not compared). Time "
        "stamps, hidden and system attributes are not kept; deleted entries are not recovered. "
        "Bytes "
        "above 0x7F in short names (an OEM code page the volume does not record) become '_'."};
    return d;
  }
  std::vector<Magic> magics() const override {
    return {{"FAT12   ", 54, true},
            {"FAT16   ", 54, true},
            {"FAT     ", 54, true},
            {"FAT32   ", 82, true}};
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto s = Slice(data, offset, 512);
    if (!s) return MakeError(Errc::kNotThisFormat, "short boot sector");
    const std::uint8_t* b = s->data();
    if (!((b[0] == 0xeb && b[2] == 0x90) || b[0] == 0xe9)) {
      return MakeError(Errc::kNotThisFormat, "jump");
    }
    if (b[510] != 0x55 || b[511] != 0xaa) return MakeError(Errc::kNotThisFormat, "signature");
    FatGeometry g;
    g.bps = LoadLe<std::uint16_t>(b + 11);
    g.spc = b[13];
    g.reserved = LoadLe<std::uint16_t>(b + 14);
    g.nfats = b[16];
    g.root_entries = LoadLe<std::uint16_t>(b + 17);
    g.total_sectors = LoadLe<std::uint16_t>(b + 19);
    if (g.total_sectors == 0) g.total_sectors = LoadLe<std::uint32_t>(b + 32);
    g.fat_sectors = LoadLe<std::uint16_t>(b + 22);
    const bool fat32_bpb = g.fat_sectors == 0;
    if (fat32_bpb) g.fat_sectors = LoadLe<std::uint32_t>(b + 36);
    const std::uint8_t media = b[21];
    if (g.bps < 512 || g.bps > 4096 || !FatPow2(g.bps) || !FatPow2(g.spc) || g.reserved == 0 ||
        g.nfats == 0 || g.nfats > 4 || (media != 0xf0 && media < 0xf8) || g.fat_sectors == 0 ||
        g.total_sectors == 0) {
      return MakeError(Errc::kNotThisFormat, "BPB");
    }
    const std::uint64_t root_sectors = (g.root_entries * kFatDirEntry + g.bps - 1) / g.bps;
    const std::uint64_t meta = g.reserved + g.nfats * g.fat_sectors + root_sectors;
    if (meta >= g.total_sectors) return MakeError(Errc::kNotThisFormat, "sizes");
    g.clusters = (g.total_sectors - meta) / g.spc;
    g.bits = g.clusters < 4085 ? 12 : g.clusters < 65525 ? 16 : 32;
    if ((g.bits == 32) != fat32_bpb || (g.bits == 32 && g.root_entries != 0) ||
        (g.bits != 32 && g.root_entries == 0)) {
      return MakeError(Errc::kNotThisFormat, "FAT type");
    }
    // The FAT must hold an entry for every cluster, and be present in the data.
    if (g.fat_sectors * g.bps * 8 < (g.clusters + 2) * static_cast<std::uint64_t>(g.bits)) {
      return MakeError(Errc::kNotThisFormat, "FAT too small");
    }
    g.fat_at = g.reserved * g.bps;
    g.root_at = g.fat_at + g.nfats * g.fat_sectors * g.bps;
    g.data_at = g.root_at + root_sectors * g.bps;
    if (!Fits(data.size(), offset, g.fat_at + g.fat_sectors * g.bps)) {
      return MakeError(Errc::kNotThisFormat, "FAT beyond the data");
    }
    const std::uint64_t label_at = g.bits == 32 ? 71 : 43;
    if (g.bits == 32) g.root_cluster = LoadLe<std::uint32_t>(b + 44);
    std::string label(reinterpret_cast<const char*>(b + label_at), 11);
    while (!label.empty() && (label.back() == ' ' || label.back() == '\0')) label.pop_back();
    for (char& c : label) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    }
    g.label = label;
    Chunk c;
    c.offset = offset;
    c.length = std::min(g.total_sectors * g.bps, data.size() - offset);
    c.description = fmt::format("FAT{} '{}', {} clusters of {} bytes", g.bits, g.label, g.clusters,
                                g.cluster_bytes());
    c.state = g;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override;
};

struct FatDirRef {
  std::uint64_t cluster;  // 0: the FAT12/16 fixed root
  std::string path;
  std::uint64_t entry_at;  // its directory entry (volume offset), for messages
};

class FatReader {
 public:
  FatReader(const FatGeometry& g, ByteView vol, ExtractContext& ctx, std::uint64_t base, Jail& jail)
      : g_(g), vol_(vol), ctx_(ctx), base_(base), jail_(jail), used_(g.clusters + 2, false) {}

  Status Run() {
    if (auto st = jail_.MakeDir("/", EntryMeta{0755, 0, 0}); !st) return st;
    std::deque<FatDirRef> queue{{g_.bits == 32 ? g_.root_cluster : 0, "", 0}};
    while (!queue.empty()) {
      FatDirRef d = std::move(queue.front());
      queue.pop_front();
      std::vector<std::uint8_t> bytes;
      if (d.cluster == 0) {
        const std::uint64_t len = g_.root_entries * kFatDirEntry;
        auto root = Slice(vol_, g_.root_at, len);
        if (!root) {
          ctx_.Warn(base_ + g_.root_at, "FAT root directory beyond the end of the data");
          continue;
        }
        bytes.assign(root->begin(), root->end());
      } else {
        (void)ReadChain(d.cluster, kFatMaxDirBytes, d.path.empty() ? "/" : d.path, d.entry_at,
                        [&](ByteView b) -> Status {
                          bytes.insert(bytes.end(), b.begin(), b.end());
                          return Ok();
                        });
      }
      const std::uint64_t dir_at =
          d.cluster == 0 ? g_.root_at : g_.data_at + (d.cluster - 2) * g_.cluster_bytes();
      if (auto st = Directory(bytes, d.path, dir_at, queue); !st) return st;
    }
    return Ok();
  }

 private:
  void Warn(std::uint64_t off, std::string msg) { ctx_.Warn(base_ + off, std::move(msg)); }

  std::uint64_t FatEntryAt(std::uint64_t n) const {
    return g_.fat_at + (g_.bits == 12 ? n + n / 2 : n * (g_.bits / 8));
  }
  std::uint32_t Next(std::uint64_t n) const {
    const std::uint8_t* p = vol_.data() + FatEntryAt(n);  // in the FAT (checked by Identify)
    if (g_.bits == 12) {
      const std::uint16_t v = LoadLe<std::uint16_t>(p);
      return n & 1 ? v >> 4 : v & 0xfff;
    }
    if (g_.bits == 16) return LoadLe<std::uint16_t>(p);
    return LoadLe<std::uint32_t>(p) & 0x0fffffff;
  }
  bool IsEnd(std::uint32_t v) const {
    return v >= (g_.bits == 12 ? 0xff8u : g_.bits == 16 ? 0xfff8u : 0x0ffffff8u);
  }

  // Streams up to `limit` bytes of the chain starting at `cluster` to `out`. Every cluster is
  // used once per volume: a loop or a cross-link stops the chain with a warning.
  template <class Out>
  Status ReadChain(std::uint64_t cluster, std::uint64_t limit, const std::string& path,
                   std::uint64_t entry_at, Out&& out) {
    std::uint64_t done = 0;
    std::uint64_t prev_entry = entry_at;
    while (done < limit) {
      if (cluster < 2 || cluster >= g_.clusters + 2) {
        Warn(prev_entry, fmt::format("{}: cluster chain leaves the volume (cluster {}) after {} "
                                     "bytes",
                                     path, cluster, done));
        return MakeError(Errc::kCorrupt, "cluster chain", path);
      }
      if (used_[cluster]) {
        Warn(prev_entry, fmt::format("{}: cluster {} already used (cluster chain loop "
                                     "or cross-link); stopped after {} bytes",
                                     path, cluster, done));
        return MakeError(Errc::kCorrupt, "cluster loop", path);
      }
      used_[cluster] = true;
      const std::uint64_t at = g_.data_at + (cluster - 2) * g_.cluster_bytes();
      const std::uint64_t n = std::min(g_.cluster_bytes(), limit - done);
      auto b = Slice(vol_, at, n);
      if (!b) {
        Warn(std::min<std::uint64_t>(at, vol_.size()),
             fmt::format("{}: cluster {} beyond the end of the data (truncated)", path, cluster));
        return MakeError(Errc::kTruncated, "cluster", path);
      }
      if (auto st = out(*b); !st) return st;
      done += n;
      if (done >= limit) break;
      const std::uint32_t next = Next(cluster);
      prev_entry = FatEntryAt(cluster);
      if (IsEnd(next)) {
        if (limit != kFatMaxDirBytes) {
          Warn(prev_entry,
               fmt::format("{}: cluster chain ends after {} of {} bytes", path, done, limit));
          return MakeError(Errc::kTruncated, "short chain", path);
        }
        break;
      }
      cluster = next;
    }
    return Ok();
  }

  static std::uint8_t LfnChecksum(const std::uint8_t* shortname) {
    std::uint8_t sum = 0;
    for (int i = 0; i < 11; ++i)
      sum = static_cast<std::uint8_t>(((sum & 1) << 7) + (sum >> 1) + shortname[i]);
    return sum;
  }

  static void AppendUtf8(std::string& s, std::uint32_t cp) {
    if (cp < 0x80) {
      s.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      s.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      s.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  static std::string LfnToUtf8(const std::vector<std::uint16_t>& u) {
    std::string s;
    for (std::size_t i = 0; i < u.size(); ++i) {
      std::uint32_t cp = u[i];
      if (cp == 0) break;
      if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < u.size() && u[i + 1] >= 0xdc00 &&
          u[i + 1] < 0xe000) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (u[i + 1] - 0xdc00);
        ++i;
      } else if (cp >= 0xd800 && cp < 0xe000) {
        cp = '_';
      }
      AppendUtf8(s, cp);
    }
    return s;
  }

  static std::string ShortName(const std::uint8_t* e) {
    auto part = [&](int from, int len, bool lower) {
      std::string p(reinterpret_cast<const char*>(e + from), static_cast<std::size_t>(len));
      while (!p.empty() && p.back() == ' ') p.pop_back();
      if (lower) {
        for (char& c : p) {
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
      }
      return p;
    };
    std::string base = part(0, 8, e[12] & 0x08);
    if (!base.empty() && base[0] == 0x05) base[0] = static_cast<char>(0xe5);
    const std::string ext = part(8, 3, e[12] & 0x10);
    std::string name = ext.empty() ? base : base + "." + ext;
    for (char& c : name) {  // OEM code page bytes (the code page is not recorded) and controls
      if (static_cast<unsigned char>(c) >= 0x80 || static_cast<unsigned char>(c) < 0x20) c = '_';
    }
    return name;
  }

  // `dir_at`: where the directory starts in the volume (entry offsets in messages assume its
  // clusters are contiguous, as they are in images written by mkfs.fat and mcopy).
  Status Directory(const std::vector<std::uint8_t>& bytes, const std::string& prefix,
                   std::uint64_t dir_at, std::deque<FatDirRef>& queue) {
    std::vector<std::uint16_t> lfn;
    int lfn_next = 0;  // the sequence number expected next (counting down to 1)
    std::uint8_t lfn_sum = 0;
    for (std::uint64_t pos = 0; pos + kFatDirEntry <= bytes.size(); pos += kFatDirEntry) {
      const std::uint8_t* e = bytes.data() + pos;
      if (e[0] == 0x00) break;
      if (e[0] == 0xe5) {
        lfn_next = 0;
        continue;
      }
      const std::uint8_t attr = e[11];
      if ((attr & 0x3f) == kFatAttrLfn) {
        const int ord = e[0] & 0x3f;
        if (e[0] & 0x40) {
          lfn.assign(static_cast<std::size_t>(ord) * 13, 0xffff);
          lfn_next = ord;
          lfn_sum = e[13];
        }
        if (ord == 0 || ord != lfn_next || e[13] != lfn_sum || ord > 20) {
          lfn_next = 0;
          continue;
        }
        static const int kLfnOffsets[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
        for (int k = 0; k < 13; ++k) {
          lfn[static_cast<std::size_t>(ord - 1) * 13 + k] =
              LoadLe<std::uint16_t>(e + kLfnOffsets[k]);
        }
        --lfn_next;
        continue;
      }
      const bool have_lfn = lfn_next == 0 && !lfn.empty() && LfnChecksum(e) == lfn_sum;
      std::string name = have_lfn ? LfnToUtf8(lfn) : ShortName(e);
      lfn.clear();
      lfn_next = 0;
      if (attr & kFatAttrVolume) continue;
      if (name == "." || name == "..") continue;
      for (char& c : name) {
        if (c == '/' || c == '\0' || c == '\\') c = '_';
      }
      const std::string path = prefix + "/" + name;
      if (name.empty() || name.find_first_not_of('.') == std::string::npos) {
        Warn(dir_at + pos, fmt::format("{}: invalid name; skipped", path));
        continue;
      }
      std::uint64_t cluster = LoadLe<std::uint16_t>(e + 26);
      if (g_.bits == 32) cluster |= std::uint64_t{LoadLe<std::uint16_t>(e + 20)} << 16;
      const std::uint32_t size = LoadLe<std::uint32_t>(e + 28);
      if (attr & kFatAttrDir) {
        auto st = jail_.MakeDir(path, EntryMeta{0755, 0, 0});
        if (!st) {
          if (st.error().code == Errc::kLimitExceeded) return st;
          continue;
        }
        if (cluster != 0) queue.push_back({cluster, path, dir_at + pos});
        continue;
      }
      const EntryMeta meta{(attr & kFatAttrReadOnly) ? 0444u : 0644u, 0, 0};
      auto f = jail_.CreateFile(path, meta);
      if (!f) {
        if (f.error().code == Errc::kLimitExceeded) return f.error();
        continue;
      }
      Status st = Ok();
      if (size > 0) {
        st = ReadChain(cluster, size, path, dir_at + pos,
                       [&](ByteView b) { return (*f)->Write(b); });
      }
      auto closed = (*f)->Close();
      if (!st && st.error().code == Errc::kLimitExceeded) return st;
      if (!closed && closed.error().code == Errc::kLimitExceeded) return closed;
    }
    return Ok();
  }

  const FatGeometry& g_;
  ByteView vol_;
  ExtractContext& ctx_;
  std::uint64_t base_;
  Jail& jail_;
  std::vector<bool> used_;
};

Status FatHandler::Extract(const Chunk& chunk, ExtractContext& ctx) const {
  const auto& g = std::any_cast<const FatGeometry&>(chunk.state);
  if (chunk.length < g.total_sectors * g.bps) {
    ctx.Warn(chunk.offset + chunk.length,
             fmt::format("FAT volume truncated: {} of {} bytes present", chunk.length,
                         g.total_sectors * g.bps));
  }
  auto jail = ctx.NewRoot("filesystem");
  if (!jail) return jail.error();
  FatReader r(g, ctx.view().subspan(chunk.offset, chunk.length), ctx, chunk.offset, **jail);
  return r.Run();
}

}  // namespace

std::unique_ptr<Handler> MakeFatHandler() { return std::make_unique<FatHandler>(); }

}  // namespace iotcop::unpack
