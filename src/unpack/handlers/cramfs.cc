// CramFS (both byte orders): superblock with CRC, directory walk, zlib blocks, holes and the
// extended block pointers (direct and uncompressed blocks) of the XIP variant.
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <unordered_set>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/jail.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint32_t kMagic = 0x28cd3d45;
constexpr std::uint64_t kSuperSize = 64, kInodeSize = 12, kPage = 4096;
constexpr std::uint32_t kFlagV2 = 0x1, kFlagHoles = 0x100, kFlagWrongSignature = 0x200,
                        kFlagShiftedRoot = 0x400, kFlagExtBlockPointers = 0x800;
constexpr std::uint32_t kSupported =
    0xff | kFlagHoles | kFlagWrongSignature | kFlagShiftedRoot | kFlagExtBlockPointers;
constexpr std::uint32_t kBlkUncompressed = 1u << 31, kBlkDirect = 1u << 30,
                        kBlkFlags = kBlkUncompressed | kBlkDirect;

struct CramfsInfo {
  bool big = false;
  std::uint32_t size = 0, flags = 0, files = 0;
  bool crc_ok = true;
  std::string name;
};

// One inode as stored (12 bytes), decoded for the image's byte order.
struct Inode {
  std::uint32_t mode, uid, size, gid, namelen, offset;
};

Inode DecodeInode(const std::uint8_t* p, bool big) {
  Inode i{};
  if (big) {
    const std::uint32_t a = LoadBe<std::uint32_t>(p), b = LoadBe<std::uint32_t>(p + 4),
                        c = LoadBe<std::uint32_t>(p + 8);
    i.mode = a >> 16;
    i.uid = a & 0xffff;
    i.size = b >> 8;
    i.gid = b & 0xff;
    i.namelen = (c >> 26) * 4;
    i.offset = (c & 0x3ffffff) * 4;
  } else {
    const std::uint32_t a = LoadLe<std::uint32_t>(p), b = LoadLe<std::uint32_t>(p + 4),
                        c = LoadLe<std::uint32_t>(p + 8);
    i.mode = a & 0xffff;
    i.uid = a >> 16;
    i.size = b & 0xffffff;
    i.gid = b >> 24;
    i.namelen = (c & 0x3f) * 4;
    i.offset = (c >> 6) * 4;
  }
  return i;
}

class CramfsHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "cramfs",
        "CramFS",
        "Magic 0x28cd3d45 in either byte order followed by the signature \"Compressed ROMFS\". The "
        "flags must be known ones, the size field bounds the chunk and the CRC-32 over the whole "
        "filesystem (fsid.crc zeroed) is checked; a mismatch is a warning. Directories are walked "
        "from the root inode with every offset and name bounded and each directory visited once; "
        "files are rebuilt from 4 KiB zlib blocks, holes (empty blocks) and, with "
        "CRAMFS_FLAG_EXT_BLOCK_POINTERS, direct and uncompressed blocks as the kernel reads them. "
        "Device nodes keep their 8/8-bit major/minor; uid is 16 bits and gid 8 bits as stored.",
        {"Linux fs/cramfs/inode.c, include/uapi/linux/cramfs_fs.h", "util-linux mkfs.cramfs"},
        "Only version-2 superblocks (with size and CRC; every mkfs.cramfs since 2001) and a page "
        "size of 4096 are read; the 512-byte padded variant must be carved at the superblock. "
        "Vendor variants with LZMA blocks are not decoded (reported)."};
    return d;
  }
  std::vector<Magic> magics() const override {
    return {{"\x45\x3d\xcd\x28", 0, true}, {"\x28\xcd\x3d\x45", 0, true}};
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto sb = Slice(data, offset, kSuperSize + kInodeSize);
    if (!sb) return MakeError(Errc::kNotThisFormat, "short superblock");
    CramfsInfo info;
    info.big = LoadBe<std::uint32_t>(sb->data()) == kMagic;
    auto u32 = [&](std::size_t o) {
      return info.big ? LoadBe<std::uint32_t>(sb->data() + o)
                      : LoadLe<std::uint32_t>(sb->data() + o);
    };
    if (u32(0) != kMagic) return MakeError(Errc::kNotThisFormat, "magic");
    info.size = u32(4);
    info.flags = u32(8);
    if (info.flags & ~kSupported) return MakeError(Errc::kNotThisFormat, "unknown flags");
    if (!(info.flags & kFlagWrongSignature) &&
        std::memcmp(sb->data() + 16, "Compressed ROMFS", 16) != 0) {
      return MakeError(Errc::kNotThisFormat, "signature");
    }
    if (!(info.flags & kFlagV2)) return MakeError(Errc::kNotThisFormat, "version 1 superblock");
    if (info.size < kSuperSize + kInodeSize) return MakeError(Errc::kNotThisFormat, "size");
    info.files = u32(44);
    const Inode root = DecodeInode(sb->data() + kSuperSize, info.big);
    if ((root.mode & 0170000) != 0040000) return MakeError(Errc::kNotThisFormat, "root not a dir");
    if (root.offset != 0 && (root.offset < kSuperSize + kInodeSize || root.offset >= info.size)) {
      return MakeError(Errc::kNotThisFormat, "root offset");
    }
    const char* name = reinterpret_cast<const char*>(sb->data() + 48);
    info.name.assign(name, strnlen(name, 16));
    Chunk c;
    c.offset = offset;
    c.length = std::min<std::uint64_t>(info.size, data.size() - offset);
    if (c.length == info.size) {
      std::uint8_t zero[4] = {};
      const ByteView all = data.subspan(offset, c.length);
      std::uint32_t crc = handlers::Crc32(all.subspan(0, 32));
      crc = handlers::Crc32(ByteView(zero, 4), crc);
      crc = handlers::Crc32(all.subspan(36), crc);
      info.crc_ok = crc == u32(32);
    }
    c.description = fmt::format("CramFS '{}' ({} endian), {} bytes, {} files{}", info.name,
                                info.big ? "big" : "little", info.size, info.files,
                                info.crc_ok ? "" : ", CRC mismatch");
    c.state = info;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override;
};

class Walker {
 public:
  Walker(const CramfsInfo& info, ByteView fs, ExtractContext& ctx, std::uint64_t base, Jail& jail)
      : info_(info), fs_(fs), ctx_(ctx), base_(base), jail_(jail) {}

  void Warn(std::uint64_t off, std::string msg) { ctx_.Warn(base_ + off, std::move(msg)); }

  std::uint32_t U32(std::uint64_t off) const {
    return info_.big ? LoadBe<std::uint32_t>(fs_.data() + off)
                     : LoadLe<std::uint32_t>(fs_.data() + off);
  }
  std::uint16_t U16(std::uint64_t off) const {
    return info_.big ? LoadBe<std::uint16_t>(fs_.data() + off)
                     : LoadLe<std::uint16_t>(fs_.data() + off);
  }

  // Streams the content of a file or symlink inode to `out`.
  template <class Out>
  Status Content(const Inode& in, const std::string& path, Out&& out) {
    if (in.size == 0) return Ok();
    const std::uint64_t nblocks = (in.size + kPage - 1) / kPage;
    const std::uint64_t table = in.offset;
    if (table == 0 || !Fits(fs_.size(), table, nblocks * 4)) {
      Warn(table, fmt::format("{}: block pointers outside the image (truncated?)", path));
      return MakeError(Errc::kTruncated, "block pointers", path);
    }
    const bool ext = info_.flags & kFlagExtBlockPointers;
    std::vector<std::uint8_t> page(kPage);
    for (std::uint64_t i = 0; i < nblocks; ++i) {
      const std::uint64_t want = std::min<std::uint64_t>(kPage, in.size - i * kPage);
      std::uint32_t ptr = U32(table + 4 * i);
      const bool uncompressed = ext && (ptr & kBlkUncompressed);
      const bool direct = ext && (ptr & kBlkDirect);
      if (ext) ptr &= ~kBlkFlags;
      std::uint64_t start = 0, len = 0;
      if (direct) {
        start = std::uint64_t{ptr} << 2;
        if (uncompressed) {
          len = want;
        } else {
          if (!Fits(fs_.size(), start, 2)) {
            len = 0;
            start = fs_.size() + 1;  // reported below
          } else {
            len = U16(start);
            start += 2;
          }
        }
      } else {
        start = table + nblocks * 4;
        if (i > 0) {
          std::uint32_t prev = U32(table + 4 * (i - 1));
          if (ext && (prev & kBlkDirect)) {
            std::uint64_t p = std::uint64_t{prev & ~kBlkFlags} << 2;
            if (prev & kBlkUncompressed) {
              p += kPage;
            } else if (Fits(fs_.size(), p, 2)) {
              p += 2 + U16(p);
            }
            start = p;
          } else {
            start = ext ? (prev & ~kBlkFlags) : prev;
          }
        }
        if (ptr < start) {
          Warn(table + 4 * i, fmt::format("{}: block {} ends before it starts", path, i));
          return MakeError(Errc::kCorrupt, "block pointer", path);
        }
        len = ptr - start;
      }
      if (len == 0) {  // a hole
        std::fill(page.begin(), page.end(), 0);
      } else if (!Fits(fs_.size(), start, len)) {
        Warn(std::min<std::uint64_t>(start, fs_.size()),
             fmt::format("{}: block {} beyond the end of the image (truncated)", path, i));
        return MakeError(Errc::kTruncated, "block", path);
      } else if (uncompressed) {
        if (len < want) return MakeError(Errc::kCorrupt, "short block", path);
        std::memcpy(page.data(), fs_.data() + start, want);
      } else {
        uLongf got = kPage;
        const int rc = uncompress(page.data(), &got, fs_.data() + start, len);
        if (rc != Z_OK || got != want) {
          Warn(start, fmt::format("{}: block {} does not inflate to {} bytes (zlib {})", path, i,
                                  want, rc));
          return MakeError(Errc::kCorrupt, "block", path);
        }
      }
      if (auto st = out(ByteView(page.data(), want)); !st) return st;
    }
    return Ok();
  }

  Status Run(const Inode& root) {
    if (auto st = jail_.MakeDir("/", EntryMeta{root.mode & 07777, root.uid, root.gid}); !st) {
      return st;
    }
    std::deque<std::pair<Inode, std::string>> queue{{root, ""}};
    std::unordered_set<std::uint32_t> seen;
    std::uint64_t entries = 0;
    const std::uint64_t max_entries = std::uint64_t{info_.files} + 16;
    while (!queue.empty()) {
      auto [dir, prefix] = queue.front();
      queue.pop_front();
      if (dir.size == 0) continue;
      if (!seen.insert(dir.offset).second) {
        Warn(dir.offset, fmt::format("{}: directory already visited (loop); skipped", prefix));
        continue;
      }
      if (!Fits(fs_.size(), dir.offset, dir.size)) {
        Warn(dir.offset, fmt::format("{}: directory beyond the end of the image (truncated)",
                                     prefix.empty() ? "/" : prefix));
        continue;
      }
      std::uint64_t pos = dir.offset;
      const std::uint64_t end = dir.offset + dir.size;
      while (pos < end) {
        if (pos + kInodeSize > end) {
          Warn(pos, fmt::format("{}: directory entry crosses the directory's end", prefix));
          break;
        }
        const Inode in = DecodeInode(fs_.data() + pos, info_.big);
        if (in.namelen == 0 || pos + kInodeSize + in.namelen > end) {
          Warn(pos, fmt::format("{}: bad directory entry (name length {})", prefix, in.namelen));
          break;
        }
        const char* np = reinterpret_cast<const char*>(fs_.data() + pos + kInodeSize);
        const std::string name(np, strnlen(np, in.namelen));
        const std::uint64_t entry_off = pos;
        pos += kInodeSize + in.namelen;
        if (++entries > max_entries) {
          Warn(entry_off, fmt::format("more entries than the {} files the superblock declares; "
                                      "stopped",
                                      info_.files));
          return Ok();
        }
        const std::string path = prefix + "/" + name;
        if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
          Warn(entry_off, fmt::format("{}: invalid name; skipped", path));
          continue;
        }
        auto st = Emit(in, path, entry_off, queue);
        if (!st && st.error().code == Errc::kLimitExceeded) return st;
      }
    }
    return Ok();
  }

 private:
  Status Emit(const Inode& in, const std::string& path, std::uint64_t at,
              std::deque<std::pair<Inode, std::string>>& queue) {
    const EntryMeta meta{in.mode & 07777, in.uid, in.gid};
    switch (in.mode & 0170000) {
      case 0040000: {
        auto st = jail_.MakeDir(path, meta);
        if (st) queue.push_back({in, path});
        return st;
      }
      case 0120000: {
        if (in.size > 4096) {
          Warn(at, fmt::format("{}: symlink of {} bytes", path, in.size));
          return MakeError(Errc::kCorrupt, "symlink size", path);
        }
        std::string target;
        auto st = Content(in, path, [&](ByteView b) -> Status {
          target.append(AsString(b));
          return Ok();
        });
        if (!st) return st;
        return jail_.Symlink(path, target, meta);
      }
      case 0020000:
      case 0060000:
        return jail_.Node(
            path, (in.mode & 0170000) == 0020000 ? EntryType::kCharDev : EntryType::kBlockDev, meta,
            (in.size >> 8) & 0xff, in.size & 0xff);
      case 0010000:
        return jail_.Node(path, EntryType::kFifo, meta);
      case 0140000:
        return jail_.Node(path, EntryType::kSocket, meta);
      case 0100000:
        break;
      default:
        Warn(at, fmt::format("{}: unknown file type {:o}", path, in.mode));
        return MakeError(Errc::kCorrupt, "file type", path);
    }
    auto f = jail_.CreateFile(path, meta);
    if (!f) return f.error();
    auto st = Content(in, path, [&](ByteView b) { return (*f)->Write(b); });
    auto closed = (*f)->Close();
    return st ? closed : st;
  }

  const CramfsInfo& info_;
  ByteView fs_;
  ExtractContext& ctx_;
  std::uint64_t base_;
  Jail& jail_;
};

Status CramfsHandler::Extract(const Chunk& chunk, ExtractContext& ctx) const {
  const auto& info = std::any_cast<const CramfsInfo&>(chunk.state);
  const ByteView fs = ctx.view().subspan(chunk.offset, chunk.length);
  if (chunk.length < info.size) {
    ctx.Warn(chunk.offset + chunk.length,
             fmt::format("CramFS truncated: {} of {} bytes present", chunk.length, info.size));
  } else if (!info.crc_ok) {
    ctx.Warn(chunk.offset + 32, "CramFS CRC does not match the superblock; content may be corrupt");
  }
  auto jail = ctx.NewRoot("filesystem");
  if (!jail) return jail.error();
  Walker w(info, fs, ctx, chunk.offset, **jail);
  return w.Run(DecodeInode(fs.data() + kSuperSize, info.big));
}

}  // namespace

std::unique_ptr<Handler> MakeCramfsHandler() { return std::make_unique<CramfsHandler>(); }

}  // namespace iotcop::unpack
