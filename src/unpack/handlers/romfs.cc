// ROMFS: big-endian, 16-byte aligned file headers chained per directory; superblock checksum over
// the first 512 bytes.
#include <algorithm>
#include <cstring>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/jail.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kAlign = 16;

// The 32-bit big-endian word sum romfs uses for its checksums (0 when correct).
std::uint32_t WordSum(ByteView b) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 4 <= b.size(); i += 4) sum += LoadBe<std::uint32_t>(b.data() + i);
  return sum;
}

std::uint64_t AlignUp(std::uint64_t v) { return (v + kAlign - 1) & ~(kAlign - 1); }

struct RomfsInfo {
  std::uint32_t size = 0;
  std::uint64_t first = 0;  // offset of the first file header (the root directory's entries)
  std::string name;
};

// A file header, decoded and bounded.
struct RomfsHeader {
  std::uint64_t at = 0, next = 0, data = 0;
  std::uint32_t type = 0, spec = 0, size = 0;
  bool exec = false;
  std::string name;
};

class RomfsHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "romfs",
        "ROMFS (Linux romfs)",
        "Magic \"-rom1fs-\"; the big-endian word sum of the first 512 bytes (or of the whole "
        "filesystem when smaller) must be 0; full_size bounds the chunk. File headers are read "
        "16-byte aligned with every offset bounded; each header's own checksum is verified (a "
        "mismatch is a warning). Directories are walked from the root's first header, each "
        "header visited once (loops reported); hardlinks, symlinks, device nodes, sockets and "
        "fifos are recorded. Modes are the kernel's: 0644 plus execute bits when the header's "
        "exec flag is set, 0777 for symlinks, 0600 for devices; owners are 0.",
        {"Linux Documentation/filesystems/romfs.rst, fs/romfs/", "genromfs"},
        "ROMFS stores no owners or permission bits beyond the exec flag, so modes are what the "
        "kernel shows, not what the source tree had."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"-rom1fs-", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto sb = Slice(data, offset, 32);
    if (!sb) return MakeError(Errc::kNotThisFormat, "short superblock");
    RomfsInfo info;
    info.size = LoadBe<std::uint32_t>(sb->data() + 8);
    if (info.size < 32) return MakeError(Errc::kNotThisFormat, "size");
    auto head = Slice(data, offset, std::min<std::uint64_t>(512, info.size));
    if (!head) return MakeError(Errc::kNotThisFormat, "first 512 bytes missing");
    if (WordSum(*head) != 0) return MakeError(Errc::kNotThisFormat, "superblock checksum");
    const char* n = reinterpret_cast<const char*>(sb->data() + 16);
    const std::uint64_t max_name = std::min<std::uint64_t>(head->size() - 16, 256);
    const std::size_t len = strnlen(n, max_name);
    if (len == max_name) return MakeError(Errc::kNotThisFormat, "volume name");
    info.name.assign(n, len);
    info.first = AlignUp(16 + len + 1);
    if (info.first >= info.size) return MakeError(Errc::kNotThisFormat, "no root directory");
    Chunk c;
    c.offset = offset;
    c.length = std::min<std::uint64_t>(info.size, data.size() - offset);
    c.description = fmt::format("ROMFS '{}', {} bytes{}", info.name, info.size,
                                c.length < info.size ? " (truncated)" : "");
    c.state = info;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override;
};

class RomfsWalker {
 public:
  RomfsWalker(ByteView fs, ExtractContext& ctx, std::uint64_t base, Jail& jail)
      : fs_(fs), ctx_(ctx), base_(base), jail_(jail) {}

  void Warn(std::uint64_t off, std::string msg) { ctx_.Warn(base_ + off, std::move(msg)); }

  std::optional<RomfsHeader> Read(std::uint64_t at, const std::string& where) {
    auto h = Slice(fs_, at, 16);
    if (!h || (at % kAlign) != 0) {
      Warn(std::min<std::uint64_t>(at, fs_.size()),
           fmt::format("{}: file header at 0x{:x} beyond the end of the image (truncated)", where,
                       at));
      return std::nullopt;
    }
    RomfsHeader r;
    r.at = at;
    const std::uint32_t next = LoadBe<std::uint32_t>(h->data());
    r.next = next & ~std::uint32_t{15};
    r.type = next & 7;
    r.exec = next & 8;
    r.spec = LoadBe<std::uint32_t>(h->data() + 4);
    r.size = LoadBe<std::uint32_t>(h->data() + 8);
    const std::uint64_t max_name = std::min<std::uint64_t>(fs_.size() - at - 16, 4096);
    const char* n = reinterpret_cast<const char*>(fs_.data() + at + 16);
    const std::size_t len = strnlen(n, max_name);
    if (len == max_name) {
      Warn(at + 16, fmt::format("{}: file name without an end (truncated)", where));
      return std::nullopt;
    }
    r.name.assign(n, len);
    r.data = at + 16 + AlignUp(len + 1);
    // The header checksum covers the 16-byte header and the padded name.
    auto meta = Slice(fs_, at, std::min<std::uint64_t>(r.data - at, fs_.size() - at));
    if (meta && WordSum(*meta) != 0) {
      Warn(at, fmt::format("{}/{}: file header checksum mismatch", where, r.name));
    }
    return r;
  }

  Status Run(const RomfsInfo& info) {
    if (auto st = jail_.MakeDir("/", EntryMeta{0755, 0, 0}); !st) return st;
    std::deque<std::pair<std::uint64_t, std::string>> dirs{{info.first, ""}};
    std::unordered_set<std::uint64_t> seen;
    while (!dirs.empty()) {
      auto [at, prefix] = dirs.front();
      dirs.pop_front();
      std::uint64_t count = 0;
      while (at != 0) {
        if (!seen.insert(at).second) {
          Warn(at, fmt::format("{}: file header 0x{:x} already visited (loop); directory cut "
                               "short",
                               prefix.empty() ? "/" : prefix, at));
          break;
        }
        if (++count > fs_.size() / kAlign) break;
        auto h = Read(at, prefix.empty() ? "/" : prefix);
        if (!h) break;
        at = h->next;
        if (h->name == "." || h->name == "..") continue;
        const std::string path = prefix + "/" + h->name;
        if (h->name.empty() || h->name.find('/') != std::string::npos) {
          Warn(h->at, fmt::format("{}: invalid name; skipped", path));
          continue;
        }
        auto st = Emit(*h, path, dirs);
        if (!st && st.error().code == Errc::kLimitExceeded) return st;
      }
    }
    return Ok();
  }

 private:
  Status Emit(const RomfsHeader& h, const std::string& path,
              std::deque<std::pair<std::uint64_t, std::string>>& dirs, int depth = 0) {
    const std::uint32_t exec = h.exec ? 0111 : 0;
    switch (h.type) {
      case 0: {  // hardlink: spec is the target's header
        if (auto it = files_.find(h.spec); it != files_.end())
          return jail_.Hardlink(path, it->second);
        if (depth > 0 || h.spec == h.at) {
          Warn(h.at, fmt::format("{}: hardlink to a hardlink or itself", path));
          return MakeError(Errc::kCorrupt, "hardlink", path);
        }
        auto target = Read(h.spec, path);
        if (!target) return MakeError(Errc::kCorrupt, "hardlink target", path);
        if (target->type == 1) {
          Warn(h.at, fmt::format("{}: hardlink to a directory; skipped", path));
          return MakeError(Errc::kCorrupt, "hardlink to a directory", path);
        }
        return Emit(*target, path, dirs, depth + 1);
      }
      case 1: {
        auto st = jail_.MakeDir(path, EntryMeta{0644 | exec, 0, 0});
        if (st) dirs.push_back({h.spec, path});
        return st;
      }
      case 2:
      case 3: {
        auto content = Slice(fs_, h.data, h.size);
        if (!content) {
          Warn(std::min<std::uint64_t>(h.data, fs_.size()),
               fmt::format("{}: {} bytes of data beyond the end of the image (truncated)", path,
                           h.size));
          return MakeError(Errc::kTruncated, "data", path);
        }
        if (h.type == 3) {
          return jail_.Symlink(path, AsString(*content), EntryMeta{0777, 0, 0});
        }
        auto st = jail_.WriteFile(path, EntryMeta{0644 | exec, 0, 0}, *content);
        if (st) files_[h.at] = path;
        return st;
      }
      case 4:
      case 5:
        return jail_.Node(path, h.type == 4 ? EntryType::kBlockDev : EntryType::kCharDev,
                          EntryMeta{0600 | exec, 0, 0}, h.spec >> 16, h.spec & 0xffff);
      case 6:
        return jail_.Node(path, EntryType::kSocket, EntryMeta{0644 | exec, 0, 0});
      default:
        return jail_.Node(path, EntryType::kFifo, EntryMeta{0644 | exec, 0, 0});
    }
  }

  ByteView fs_;
  ExtractContext& ctx_;
  std::uint64_t base_;
  Jail& jail_;
  std::unordered_map<std::uint64_t, std::string> files_;  // header offset -> first path
};

Status RomfsHandler::Extract(const Chunk& chunk, ExtractContext& ctx) const {
  const auto& info = std::any_cast<const RomfsInfo&>(chunk.state);
  const ByteView fs = ctx.view().subspan(chunk.offset, chunk.length);
  if (chunk.length < info.size) {
    ctx.Warn(chunk.offset + chunk.length,
             fmt::format("ROMFS truncated: {} of {} bytes present", chunk.length, info.size));
  }
  auto jail = ctx.NewRoot("filesystem");
  if (!jail) return jail.error();
  RomfsWalker w(fs, ctx, chunk.offset, **jail);
  return w.Run(info);
}

}  // namespace

std::unique_ptr<Handler> MakeRomfsHandler() { return std::make_unique<RomfsHandler>(); }

}  // namespace iotcop::unpack
