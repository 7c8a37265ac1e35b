// SquashFS 4 (little-endian, every compressor) through libsquashfs, read straight from the mapped
// image through a custom sqfs_file_t; file contents are streamed block by block by two workers.
#include <sqfs/compressor.h>
#include <sqfs/data_reader.h>
#include <sqfs/dir_reader.h>
#include <sqfs/error.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/meta_reader.h>
#include <sqfs/super.h>

#include <lzo/lzo1x.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/jail.h"

namespace iotcop::unpack {
namespace {

// The data blocks read since the last release, let go together (ExtractContext::DoneWith) once they
// add up to kSqfsReleaseBatch: memory stays flat however large the image, at a few releases per
// batch instead of one per block (each release costs the process a TLB flush on every core).
struct SqfsReadLog {
  std::mutex mu;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;  // [start, end) in the chunk
  std::uint64_t bytes = 0;
};
constexpr std::uint64_t kSqfsReleaseBatch = 4u << 20;
// Reads this large are data blocks (metadata blocks are 8 KiB at most).
constexpr std::size_t kSqfsDataRead = 16 * 1024;

// A read-only sqfs_file_t over memory (the chunk inside the mapped image).
struct MemFile {
  sqfs_file_t base;
  const std::uint8_t* data;
  std::uint64_t size;
  bool standard_magic;   // false: a vendor-renamed magic, read back as "hsqs" for libsquashfs
  ExtractContext* ctx;   // told when data blocks have been read (DoneWith)
  std::uint64_t offset;  // the chunk's offset in the context's view
  std::shared_ptr<SqfsReadLog> log;  // shared by the copies libsquashfs makes
};

void LogDataRead(MemFile& m, std::uint64_t start, std::uint64_t end) {
  if (!m.ctx || !m.log) return;
  const std::lock_guard<std::mutex> lock(m.log->mu);
  auto& r = m.log->ranges;
  r.emplace_back(start, end);
  m.log->bytes += end - start;
  if (m.log->bytes < kSqfsReleaseBatch) return;
  std::sort(r.begin(), r.end());
  std::uint64_t s = r.front().first, e = r.front().second;
  for (const auto& [a, b] : r) {
    if (a > e) {
      m.ctx->DoneWith(m.offset + s, e - s);
      s = a;
    }
    e = std::max(e, b);
  }
  m.ctx->DoneWith(m.offset + s, e - s);
  r.clear();
  m.log->bytes = 0;
}

int MemRead(sqfs_file_t* f, sqfs_u64 off, void* buf, size_t size) {
  auto* m = reinterpret_cast<MemFile*>(f);
  if (!Fits(m->size, off, size)) return SQFS_ERROR_OUT_OF_BOUNDS;
  std::memcpy(buf, m->data + off, size);
  if (size >= kSqfsDataRead) LogDataRead(*m, off, off + size);
  for (sqfs_u64 i = off; !m->standard_magic && i < 4 && i < off + size; ++i) {
    static_cast<char*>(buf)[i - off] = "hsqs"[i];
  }
  return 0;
}
int MemWrite(sqfs_file_t*, sqfs_u64, const void*, size_t) { return SQFS_ERROR_IO; }
sqfs_u64 MemSize(const sqfs_file_t* f) { return reinterpret_cast<const MemFile*>(f)->size; }
int MemTruncate(sqfs_file_t*, sqfs_u64) { return SQFS_ERROR_IO; }
void MemDestroy(sqfs_object_t* o) { delete reinterpret_cast<MemFile*>(o); }
sqfs_object_t* MemCopy(const sqfs_object_t* o) {
  auto* m = new MemFile(*reinterpret_cast<const MemFile*>(o));
  return reinterpret_cast<sqfs_object_t*>(m);
}

MemFile* NewMemFile(ByteView v, ExtractContext* ctx, std::uint64_t offset) {
  auto* m = new MemFile{};
  m->base.base.destroy = MemDestroy;
  m->base.base.copy = MemCopy;
  m->base.read_at = MemRead;
  m->base.write_at = MemWrite;
  m->base.get_size = MemSize;
  m->base.truncate = MemTruncate;
  m->data = v.data();
  m->size = v.size();
  m->standard_magic = v.size() >= 4 && std::memcmp(v.data(), "hsqs", 4) == 0;
  m->ctx = ctx;
  m->offset = offset;
  m->log = std::make_shared<SqfsReadLog>();
  return m;
}

template <class T>
struct SqfsPtr {
  T* p = nullptr;
  ~SqfsPtr() { sqfs_destroy(p); }
};

const char* CompressorName(int id) {
  switch (id) {
    case SQFS_COMP_GZIP:
      return "gzip";
    case SQFS_COMP_LZMA:
      return "lzma";
    case SQFS_COMP_LZO:
      return "lzo";
    case SQFS_COMP_XZ:
      return "xz";
    case SQFS_COMP_LZ4:
      return "lz4";
    case SQFS_COMP_ZSTD:
      return "zstd";
  }
  return "unknown";
}

// libsquashfs in Debian is built without LZO (licence); this decoder fills the gap with liblzo2.
sqfs_s32 LzoBlock(sqfs_compressor_t*, const sqfs_u8* in, sqfs_u32 size, sqfs_u8* out,
                  sqfs_u32 outsize) {
  lzo_uint len = outsize;
  const int rc = lzo1x_decompress_safe(in, size, out, &len, nullptr);
  return rc == LZO_E_OK ? static_cast<sqfs_s32>(len) : SQFS_ERROR_COMPRESSOR;
}
void LzoConfig(const sqfs_compressor_t*, sqfs_compressor_config_t* cfg) {
  std::memset(cfg, 0, sizeof *cfg);
  cfg->id = SQFS_COMP_LZO;
  cfg->flags = SQFS_COMP_FLAG_UNCOMPRESS;
}
int LzoOptions(sqfs_compressor_t*, sqfs_file_t*) { return 0; }
void LzoDestroy(sqfs_object_t* o) { delete reinterpret_cast<sqfs_compressor_t*>(o); }

// The compressor for `super`: libsquashfs's, or our LZO decoder.
int MakeCompressor(const sqfs_super_t& super, sqfs_compressor_t** out) {
  sqfs_compressor_config_t cfg;
  int rc = sqfs_compressor_config_init(&cfg, static_cast<SQFS_COMPRESSOR>(super.compression_id),
                                       super.block_size, SQFS_COMP_FLAG_UNCOMPRESS);
  if (rc == 0) rc = sqfs_compressor_create(&cfg, out);
  if (rc != 0 && super.compression_id == SQFS_COMP_LZO && lzo_init() == LZO_E_OK) {
    auto* c = new sqfs_compressor_t{};
    c->base.destroy = LzoDestroy;
    c->get_configuration = LzoConfig;
    c->write_options = LzoOptions;
    c->read_options = LzoOptions;
    c->do_block = LzoBlock;
    *out = c;
    rc = 0;
  }
  return rc;
}

struct FileJob {
  const sqfs_inode_generic_t* inode;
  std::unique_ptr<JailFile> file;
  std::string path;
};

// Decompresses file contents on two threads, each with its own compressor and data reader. Files
// whose tails share a fragment block go to the same worker, so each fragment block is decompressed
// once (its reader caches the last one); the others alternate.
class Workers {
 public:
  Workers(sqfs_file_t* file, const sqfs_super_t& super, ExtractContext& ctx, std::uint64_t base)
      : ctx_(ctx), base_(base) {
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this, file, super, i] { Run(file, super, i); });
    }
  }
  ~Workers() { Finish(); }
  void Push(FileJob job) {
    sqfs_u32 frag = 0xFFFFFFFF, frag_off = 0;
    sqfs_inode_get_frag_location(job.inode, &frag, &frag_off);
    const int k = frag != 0xFFFFFFFF ? static_cast<int>(frag % 2) : static_cast<int>(next_++ % 2);
    std::unique_lock lock(mu_);
    space_.wait(lock, [this, k] { return queue_[k].size() < 64; });
    queue_[k].push_back(std::move(job));
    ready_.notify_all();
  }
  void Finish() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    ready_.notify_all();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  bool limit_hit() const { return limit_hit_; }

 private:
  void Warn(std::string msg) {
    std::lock_guard lock(warn_mu_);
    ctx_.Warn(base_, std::move(msg));
  }
  void Run(sqfs_file_t* file, sqfs_super_t super, int k) {
    SqfsPtr<sqfs_compressor_t> cmp;
    SqfsPtr<sqfs_data_reader_t> reader;
    if (MakeCompressor(super, &cmp.p) != 0) return;
    reader.p = sqfs_data_reader_create(file, super.block_size, cmp.p, 0);
    if ((!reader.p || sqfs_data_reader_load_fragment_table(reader.p, &super) != 0) && k == 0) {
      Warn("cannot read the fragment table; files that end in a fragment are cut short");
    }
    while (true) {
      FileJob job;
      {
        std::unique_lock lock(mu_);
        ready_.wait(lock, [this, k] { return done_ || !queue_[k].empty(); });
        if (queue_[k].empty()) return;
        job = std::move(queue_[k].front());
        queue_[k].pop_front();
        space_.notify_all();
      }
      if (!reader.p || limit_hit_) continue;
      Copy(reader.p, job);
    }
  }
  void Copy(sqfs_data_reader_t* reader, FileJob& job) {
    const std::size_t blocks = sqfs_inode_get_file_block_count(job.inode);
    for (std::size_t i = 0; i < blocks; ++i) {
      size_t size = 0;
      sqfs_u8* out = nullptr;
      const int rc = sqfs_data_reader_get_block(reader, job.inode, i, &size, &out);
      if (rc != 0) {
        Warn(fmt::format("{}: block {} unreadable (libsquashfs error {}); file cut short", job.path,
                         i, rc));
        sqfs_free(out);
        return;
      }
      Status st = job.file->Write(ByteView(out, size));
      sqfs_free(out);
      if (!st) {
        if (st.error().code == Errc::kLimitExceeded) limit_hit_ = true;
        return;
      }
    }
    sqfs_u64 total = 0;
    sqfs_inode_get_file_size(job.inode, &total);
    if (job.file->written() < total) {
      size_t size = 0;
      sqfs_u8* out = nullptr;
      const int rc = sqfs_data_reader_get_fragment(reader, job.inode, &size, &out);
      if (rc != 0) {
        Warn(fmt::format("{}: tail fragment unreadable (libsquashfs error {})", job.path, rc));
      } else if (size > 0) {
        if (auto st = job.file->Write(ByteView(out, size));
            !st && st.error().code == Errc::kLimitExceeded) {
          limit_hit_ = true;
        }
      }
      sqfs_free(out);
    }
    (void)job.file->Close();
  }

  ExtractContext& ctx_;
  std::uint64_t base_;
  std::mutex mu_, warn_mu_;
  std::condition_variable ready_, space_;
  std::deque<FileJob> queue_[2];
  unsigned next_ = 0;
  bool done_ = false;
  std::atomic<bool> limit_hit_{false};
  std::vector<std::thread> threads_;
};

// libsquashfs allocates an inode's block list (one entry per block of its file size) and a
// symlink's target (its stated length) before reading them, so one inode claiming a 2^42-byte file
// asks for gigabytes. Both are stored in the inode table itself, whose decompressed size is at most
// 8 KiB per metadata block (each block is a 2-byte header and at least one byte): walk the table
// once, inode by inode as mksquashfs writes them, and refuse an image whose inode claims more than
// that bound or whose table cannot be read as `inode_count` inodes.
Status SquashfsCheckInodes(sqfs_file_t* file, const sqfs_super_t& super, sqfs_compressor_t* cmp,
                           std::uint64_t base) {
  if (super.directory_table_start <= super.inode_table_start) {
    return MakeError(Errc::kCorrupt, "inode table ends before it starts", {}, base + 0x40);
  }
  const std::uint64_t table_max =
      ((super.directory_table_start - super.inode_table_start) / 3 + 1) * 8192;
  SqfsPtr<sqfs_meta_reader_t> m;
  m.p = sqfs_meta_reader_create(file, cmp, super.inode_table_start, super.directory_table_start);
  if (!m.p || sqfs_meta_reader_seek(m.p, super.inode_table_start, 0) != 0) {
    return MakeError(Errc::kCorrupt, "inode table unreadable", {}, base + super.inode_table_start);
  }
  std::uint64_t left = table_max;  // bytes the table can still hold
  std::array<std::uint8_t, 4096> scratch;
  auto read = [&](std::uint64_t n, std::uint8_t* out) {
    if (n > left) return false;
    left -= n;
    while (n > 0) {
      const std::size_t k = std::min<std::uint64_t>(n, scratch.size());
      if (sqfs_meta_reader_read(m.p, out ? out : scratch.data(), k) != 0) return false;
      if (out) out += k;
      n -= k;
    }
    return true;
  };
  auto blocks = [&](std::uint64_t size, std::uint32_t frag, std::uint32_t frag_off) {
    std::uint64_t n = size / super.block_size;
    if (size % super.block_size != 0 && (frag == 0xFFFFFFFF || frag_off == 0xFFFFFFFF)) ++n;
    return n;
  };
  for (std::uint32_t i = 0; i < super.inode_count; ++i) {
    std::array<std::uint8_t, 40> h{};
    std::uint64_t tail = 0;  // bytes after the fixed part: block list, target, index
    bool ok = read(16, h.data());
    const std::uint16_t type = ok ? LoadLe<std::uint16_t>(h.data()) : 0;
    auto fixed = [&](std::uint64_t n) { return ok && read(n, h.data()); };
    switch (type) {
      case SQFS_INODE_DIR:
        ok = fixed(16);
        break;
      case SQFS_INODE_FILE:
        ok = fixed(16);
        tail =
            ok ? blocks(LoadLe<std::uint32_t>(h.data() + 12), LoadLe<std::uint32_t>(h.data() + 4),
                        LoadLe<std::uint32_t>(h.data() + 8)) *
                     4
               : 0;
        break;
      case SQFS_INODE_EXT_FILE:
        ok = fixed(40);
        tail =
            ok ? blocks(LoadLe<std::uint64_t>(h.data() + 8), LoadLe<std::uint32_t>(h.data() + 28),
                        LoadLe<std::uint32_t>(h.data() + 32)) *
                     4
               : 0;
        break;
      case SQFS_INODE_SLINK:
      case SQFS_INODE_EXT_SLINK:
        ok = fixed(8);
        tail = ok ? std::uint64_t{LoadLe<std::uint32_t>(h.data() + 4)} +
                        (type == SQFS_INODE_EXT_SLINK ? 4 : 0)
                  : 0;
        break;
      case SQFS_INODE_BDEV:
      case SQFS_INODE_CDEV:
      case SQFS_INODE_EXT_FIFO:
      case SQFS_INODE_EXT_SOCKET:
        ok = fixed(8);
        break;
      case SQFS_INODE_EXT_BDEV:
      case SQFS_INODE_EXT_CDEV:
        ok = fixed(12);
        break;
      case SQFS_INODE_FIFO:
      case SQFS_INODE_SOCKET:
        ok = fixed(4);
        break;
      case SQFS_INODE_EXT_DIR: {
        ok = fixed(24);
        const std::uint16_t index = ok ? LoadLe<std::uint16_t>(h.data() + 16) : 0;
        for (std::uint16_t k = 0; ok && k < index; ++k) {
          std::array<std::uint8_t, 12> e{};
          ok = read(12, e.data()) &&
               read(std::uint64_t{LoadLe<std::uint32_t>(e.data() + 8)} + 1, nullptr);
        }
        break;
      }
      default:
        ok = false;
    }
    if (ok && tail > left) {
      return MakeError(
          Errc::kCorrupt,
          fmt::format("inode {} (type {}) claims {} bytes of block list or target; the "
                      "inode table holds at most {}",
                      i, type, tail, table_max),
          {}, base + super.inode_table_start);
    }
    if (!ok || !read(tail, nullptr)) {
      return MakeError(Errc::kCorrupt, fmt::format("inode table unreadable at inode {}", i), {},
                       base + super.inode_table_start);
    }
  }
  return Ok();
}

class SquashfsHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "squashfs",
        "SquashFS 4",
        "Little-endian SquashFS 4.0 superblock (\"hsqs\", or a vendor's renamed magic "
        "\"shsq\", \"qshs\", \"hsqt\", \"tqsh\" or \"sqlz\", read back as \"hsqs\" for "
        "libsquashfs): version, block size (a power of two "
        "from 4 KiB to 1 MiB, equal to 2^block_log), compressor id and table offsets are "
        "validated and bytes_used bounds the chunk (padding after it is left to the scan). "
        "Before libsquashfs reads the tree, the inode table is walked once: an inode whose block "
        "list or symlink target could not fit the table (libsquashfs would allocate it first) "
        "refuses the image. Read with libsquashfs straight from the mapped image; every compressor "
        "(gzip, lzma, xz, "
        "lz4, zstd through libsquashfs; lzo through liblzo2, which Debian's libsquashfs lacks); "
        "file contents are streamed to disk block by "
        "block on two threads.",
        {"https://dr-emann.github.io/squashfs/", "squashfs-tools-ng libsquashfs"},
        "SquashFS 3 and 2 (both byte orders, renamed magics, LZMA-alone and raw LZMA blocks) are "
        "read by the squashfs3 handler; big-endian SquashFS 4 is not handled. Extended "
        "attributes are not recorded."};
    return d;
  }
  std::vector<Magic> magics() const override {
    std::vector<Magic> m = {{"hsqs", 0, true}};
    for (const char* k : handlers::kSquashfsVendorMagics) m.push_back({k, 0, true});
    return m;
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto sb = Slice(data, offset, 96);
    if (!sb) return MakeError(Errc::kNotThisFormat, "short superblock");
    const std::uint8_t* p = sb->data();
    const auto inodes = LoadLe<std::uint32_t>(p + 4);
    const auto block_size = LoadLe<std::uint32_t>(p + 12);
    const auto comp = LoadLe<std::uint16_t>(p + 20);
    const auto block_log = LoadLe<std::uint16_t>(p + 22);
    const auto major = LoadLe<std::uint16_t>(p + 28);
    const auto bytes_used = LoadLe<std::uint64_t>(p + 40);
    if (major != 4 || block_log < 12 || block_log > 20 || block_size != (1u << block_log) ||
        comp < 1 || comp > 6 || inodes == 0 || bytes_used < 96) {
      return MakeError(Errc::kNotThisFormat, "implausible superblock");
    }
    for (int off : {48, 56, 64, 72, 80, 88}) {  // table offsets: inside bytes_used or unused
      const auto t = LoadLe<std::uint64_t>(p + off);
      if (t != ~std::uint64_t{0} && t > bytes_used)
        return MakeError(Errc::kNotThisFormat, "table offset");
    }
    Chunk c;
    c.offset = offset;
    c.length = std::min<std::uint64_t>(bytes_used, data.size() - offset);
    const std::string magic(reinterpret_cast<const char*>(p), 4);
    c.description = fmt::format("SquashFS 4.0{}, {}, {} inodes, {} bytes",
                                magic == "hsqs" ? "" : fmt::format(" (magic '{}')", magic),
                                CompressorName(comp), inodes, bytes_used);
    c.state = bytes_used;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    if (std::any_cast<std::uint64_t>(chunk.state) > chunk.length) {
      ctx.Warn(chunk.offset + chunk.length,
               "SquashFS image truncated: superblock says it is longer");
    }
    SqfsPtr<sqfs_file_t> file;
    file.p = &NewMemFile(ctx.view().subspan(chunk.offset, chunk.length), &ctx, chunk.offset)->base;
    sqfs_super_t super;
    if (int rc = sqfs_super_read(&super, file.p); rc != 0) {
      return MakeError(Errc::kNotThisFormat, fmt::format("superblock rejected ({})", rc), {},
                       chunk.offset);
    }
    // libsquashfs allocates 16 bytes per fragment entry up front: the entries' lookup table (8
    // bytes per 512 entries) must fit in the image, or a 2 KiB image asks for gigabytes.
    if (super.fragment_entry_count > 0 && (super.fragment_table_start > chunk.length ||
                                           (super.fragment_entry_count + 511ull) / 512 * 8 >
                                               chunk.length - super.fragment_table_start)) {
      return MakeError(Errc::kCorrupt,
                       fmt::format("fragment table of {} entries does not fit in the image",
                                   super.fragment_entry_count),
                       {}, chunk.offset + 0x28);
    }
    SqfsPtr<sqfs_compressor_t> cmp;
    if (MakeCompressor(super, &cmp.p) != 0) {
      return MakeError(
          Errc::kUnsupported,
          fmt::format("compressor {} not available", CompressorName(super.compression_id)), {},
          chunk.offset);
    }
    SqfsPtr<sqfs_id_table_t> ids;
    ids.p = sqfs_id_table_create(0);
    if (!ids.p || sqfs_id_table_read(ids.p, file.p, &super, cmp.p) != 0) {
      return MakeError(Errc::kCorrupt, "id table unreadable", {},
                       chunk.offset + super.id_table_start);
    }
    if (auto st = SquashfsCheckInodes(file.p, super, cmp.p, chunk.offset); !st) return st;
    SqfsPtr<sqfs_dir_reader_t> dirs;
    dirs.p = sqfs_dir_reader_create(&super, cmp.p, file.p, 0);
    sqfs_tree_node_t* root = nullptr;
    if (!dirs.p) return MakeError(Errc::kInternal, "dir reader");
    if (int rc = sqfs_dir_reader_get_full_hierarchy(dirs.p, ids.p, nullptr, 0, &root); rc != 0) {
      return MakeError(Errc::kCorrupt,
                       fmt::format("directory tree unreadable (libsquashfs error {})", rc), {},
                       chunk.offset + super.directory_table_start);
    }
    auto jail = ctx.NewRoot("filesystem");
    if (!jail) {
      sqfs_dir_tree_destroy(root);
      return jail.error();
    }
    Status result;
    {
      Workers workers(file.p, super, ctx, chunk.offset);
      result = Walk(root, "", **jail, workers);
      workers.Finish();
      if (workers.limit_hit() && result) result = MakeError(Errc::kLimitExceeded, "limit reached");
    }
    sqfs_dir_tree_destroy(root);
    return result;
  }

 private:
  static Status Walk(const sqfs_tree_node_t* n, const std::string& parent, Jail& jail,
                     Workers& workers) {
    const std::string name = reinterpret_cast<const char*>(n->name);
    const std::string path = n->parent ? parent + "/" + name : "/";
    const sqfs_inode_generic_t* ino = n->inode;
    EntryMeta meta{static_cast<std::uint32_t>(ino->base.mode & 07777), n->uid, n->gid};
    Status st;
    switch (ino->base.type) {
      case SQFS_INODE_DIR:
      case SQFS_INODE_EXT_DIR:
        st = jail.MakeDir(path, meta);
        if (!st && st.error().code == Errc::kLimitExceeded) return st;
        for (const sqfs_tree_node_t* c = n->children; c; c = c->next) {
          if (auto s = Walk(c, path == "/" ? "" : path, jail, workers); !s) return s;
        }
        return Ok();
      case SQFS_INODE_FILE:
      case SQFS_INODE_EXT_FILE: {
        auto f = jail.CreateFile(path, meta);
        if (!f) return f.error().code == Errc::kLimitExceeded ? Status(f.error()) : Ok();
        workers.Push({ino, std::move(*f), path});
        return workers.limit_hit() ? MakeError(Errc::kLimitExceeded, "limit reached") : Ok();
      }
      case SQFS_INODE_SLINK:
      case SQFS_INODE_EXT_SLINK: {
        const auto* t = reinterpret_cast<const char*>(ino->extra);
        st = jail.Symlink(path, std::string(t, strnlen(t, ino->data.slink.target_size)), meta);
        break;
      }
      case SQFS_INODE_BDEV:
      case SQFS_INODE_CDEV:
      case SQFS_INODE_EXT_BDEV:
      case SQFS_INODE_EXT_CDEV: {
        const bool ext =
            ino->base.type == SQFS_INODE_EXT_BDEV || ino->base.type == SQFS_INODE_EXT_CDEV;
        const std::uint32_t dev = ext ? ino->data.dev_ext.devno : ino->data.dev.devno;
        const bool block =
            ino->base.type == SQFS_INODE_BDEV || ino->base.type == SQFS_INODE_EXT_BDEV;
        st = jail.Node(path, block ? EntryType::kBlockDev : EntryType::kCharDev, meta,
                       (dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00));
        break;
      }
      case SQFS_INODE_FIFO:
      case SQFS_INODE_EXT_FIFO:
        st = jail.Node(path, EntryType::kFifo, meta);
        break;
      default:
        st = jail.Node(path, EntryType::kSocket, meta);
        break;
    }
    if (!st && st.error().code == Errc::kLimitExceeded) return st;
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeSquashfsHandler() { return std::make_unique<SquashfsHandler>(); }

}  // namespace iotcop::unpack
