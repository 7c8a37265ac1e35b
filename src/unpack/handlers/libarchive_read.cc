#include "unpack/handlers/libarchive_read.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "unpack/jail.h"

namespace iotcop::unpack::handlers {
namespace {

// libarchive's read, skip and seek callbacks over a view with patched bytes: pieces of the view
// itself (at most 1 MiB, never copied) up to the next patch, the patch's bytes from its own string.
struct PatchedSource {
  ByteView bytes;
  const std::vector<BytePatch>* patches = nullptr;
  std::uint64_t pos = 0;

  static la_ssize_t Read(struct archive*, void* self, const void** out) {
    auto* s = static_cast<PatchedSource*>(self);
    if (s->pos >= s->bytes.size()) return 0;
    // The first patch that ends after pos.
    auto it = std::partition_point(s->patches->begin(), s->patches->end(), [&](const BytePatch& p) {
      return p.at + p.bytes.size() <= s->pos;
    });
    std::uint64_t end = std::min<std::uint64_t>(s->bytes.size(), s->pos + (1u << 20));
    if (it != s->patches->end() && it->at <= s->pos) {
      const std::uint64_t in = s->pos - it->at;
      end = std::min<std::uint64_t>(end, it->at + it->bytes.size());
      *out = it->bytes.data() + in;
    } else {
      if (it != s->patches->end()) end = std::min<std::uint64_t>(end, it->at);
      *out = s->bytes.data() + s->pos;
    }
    const std::uint64_t n = end - s->pos;
    s->pos = end;
    return static_cast<la_ssize_t>(n);
  }
  static la_int64_t Skip(struct archive*, void* self, la_int64_t request) {
    auto* s = static_cast<PatchedSource*>(self);
    const auto n = std::min<std::uint64_t>(
        static_cast<std::uint64_t>(std::max<la_int64_t>(0, request)), s->bytes.size() - s->pos);
    s->pos += n;
    return static_cast<la_int64_t>(n);
  }
  static la_int64_t Seek(struct archive*, void* self, la_int64_t offset, int whence) {
    auto* s = static_cast<PatchedSource*>(self);
    const auto size = static_cast<la_int64_t>(s->bytes.size());
    la_int64_t base = whence == SEEK_CUR   ? static_cast<la_int64_t>(s->pos)
                      : whence == SEEK_END ? size
                                           : 0;
    if (offset > size || offset < -size) return ARCHIVE_FATAL;
    const la_int64_t to = base + offset;
    if (to < 0 || to > size) return ARCHIVE_FATAL;
    s->pos = static_cast<std::uint64_t>(to);
    return to;
  }
};

}  // namespace

Status ExtractWithLibarchive(ByteView bytes, std::uint64_t offset, int (*enable)(struct archive*),
                             ExtractContext& ctx, const std::vector<BytePatch>& patches) {
  struct archive* a = archive_read_new();
  enable(a);
  archive_read_support_filter_none(a);
  PatchedSource source{bytes, &patches, 0};
  int opened = ARCHIVE_OK;
  if (patches.empty()) {
    opened = archive_read_open_memory(a, bytes.data(), bytes.size());
  } else {
    archive_read_set_read_callback(a, &PatchedSource::Read);
    archive_read_set_skip_callback(a, &PatchedSource::Skip);
    archive_read_set_seek_callback(a, &PatchedSource::Seek);
    archive_read_set_callback_data(a, &source);
    opened = archive_read_open1(a);
  }
  if (opened != ARCHIVE_OK) {
    Error e = MakeError(Errc::kNotThisFormat,
                        archive_error_string(a) ? archive_error_string(a) : "open failed");
    archive_read_free(a);
    return e;
  }
  Jail* jail = nullptr;
  Status result;
  struct archive_entry* entry = nullptr;
  // Names hardlinked so far, by the name they link to (cpio newc puts a hardlink group's data on
  // its last member: the names before it are linked again once the data is written).
  std::map<std::string, std::vector<std::string>> links;
  while (true) {
    const int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      ctx.Warn(offset + static_cast<std::uint64_t>(
                            std::max<la_int64_t>(0, archive_read_header_position(a))),
               fmt::format("archive header: {}",
                           archive_error_string(a) ? archive_error_string(a) : "error"));
      break;
    }
    if (!jail) {
      auto j = ctx.NewRoot("archive");
      if (!j) {
        result = j.error();
        break;
      }
      jail = *j;
    }
    const char* name = archive_entry_pathname(entry);
    if (!name) continue;
    EntryMeta meta;
    meta.mode = archive_entry_perm(entry);
    meta.uid = static_cast<std::uint32_t>(archive_entry_uid(entry));
    meta.gid = static_cast<std::uint32_t>(archive_entry_gid(entry));
    Status st;
    // Streams the entry's data into a regular file at `path`.
    auto write_file = [&](const char* path) -> Status {
      auto f = jail->CreateFile(path, meta);
      if (!f) return f.error();
      Status ws;
      const void* buf;
      size_t size;
      la_int64_t off;
      while (true) {
        const int drc = archive_read_data_block(a, &buf, &size, &off);
        if (drc == ARCHIVE_EOF) break;
        if (drc < ARCHIVE_WARN) {
          ctx.Warn(offset,
                   fmt::format("{}: data: {}", path,
                               archive_error_string(a) ? archive_error_string(a) : "error"));
          break;
        }
        // Sparse entries: libarchive gives offsets; holes become zeros.
        while (static_cast<std::uint64_t>(off) > (*f)->written()) {
          static const std::uint8_t zeros[4096] = {};
          const auto n = std::min<std::uint64_t>(sizeof zeros, off - (*f)->written());
          if (auto s = (*f)->Write(ByteView(zeros, n)); !s) break;
        }
        if (auto s = (*f)->Write(ByteView(static_cast<const std::uint8_t*>(buf), size)); !s) {
          ws = s;
          break;
        }
      }
      if (auto s = (*f)->Close(); !s && ws) ws = s;
      return ws;
    };
    if (const char* hl = archive_entry_hardlink(entry)) {
      auto& group = links[hl];
      if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0) {
        st = write_file(hl);
        for (const auto& n : group) {
          if (st) st = jail->Hardlink(n, hl);
        }
      }
      if (st) st = jail->Hardlink(name, hl);
      group.push_back(name);
    } else {
      switch (archive_entry_filetype(entry)) {
        case AE_IFDIR:
          st = jail->MakeDir(name, meta);
          break;
        case AE_IFLNK:
          st = jail->Symlink(name, archive_entry_symlink(entry) ? archive_entry_symlink(entry) : "",
                             meta);
          break;
        case AE_IFCHR:
          st = jail->Node(name, EntryType::kCharDev, meta, archive_entry_rdevmajor(entry),
                          archive_entry_rdevminor(entry));
          break;
        case AE_IFBLK:
          st = jail->Node(name, EntryType::kBlockDev, meta, archive_entry_rdevmajor(entry),
                          archive_entry_rdevminor(entry));
          break;
        case AE_IFIFO:
          st = jail->Node(name, EntryType::kFifo, meta);
          break;
        case AE_IFSOCK:
          st = jail->Node(name, EntryType::kSocket, meta);
          break;
        default:
          st = write_file(name);
          break;
      }
    }
    if (!st && st.error().code == Errc::kLimitExceeded) {
      result = st;
      break;
    }
  }
  archive_read_free(a);
  if (!jail && result) return MakeError(Errc::kNotThisFormat, "no entries");
  return result;
}

}  // namespace iotcop::unpack::handlers
