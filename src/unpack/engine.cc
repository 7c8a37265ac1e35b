#include "unpack/engine.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "unpack/coverage.h"
#include "unpack/handler.h"
#include "unpack/jail.h"
#include "unpack/mapped_file.h"

namespace iotcop::unpack {
namespace fs = std::filesystem;

namespace {

std::string Hex(std::uint64_t v) { return fmt::format("0x{:X}", v); }

// A handler's magic, indexed by its first two bytes for the single scan.
using MagicRef = BuiltinMagic;

// The magics by first two bytes: a 65536-bit map says whether a byte pair starts any magic (8 KiB,
// stays in cache during the scan), and only then is the pair's list looked up.
class MagicTable {
 public:
  MagicTable() {
    std::vector<std::pair<std::uint16_t, MagicRef>> all;
    for (const auto& m : BuiltinMagics()) {
      all.push_back({Key(reinterpret_cast<const std::uint8_t*>(m.bytes.data())), m});
      max_at_ = std::max(max_at_, m.at);
    }
    std::stable_sort(all.begin(), all.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [key, ref] : all) {
      if (keys_.empty() || keys_.back() != key) {
        keys_.push_back(key);
        buckets_.emplace_back();
      }
      buckets_.back().push_back(std::move(ref));
      present_[key / 64] |= std::uint64_t{1} << (key % 64);
    }
  }
  static std::uint16_t Key(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
  }
  bool any(const std::uint8_t* p) const {
    const std::uint16_t k = Key(p);
    return (present_[k / 64] >> (k % 64)) & 1;
  }
  // The magics starting with the two bytes at p (call only when any(p)).
  const std::vector<MagicRef>& at(const std::uint8_t* p) const {
    const auto it = std::lower_bound(keys_.begin(), keys_.end(), Key(p));
    return buckets_[static_cast<std::size_t>(it - keys_.begin())];
  }
  std::uint64_t max_at() const { return max_at_; }

 private:
  std::uint64_t max_at_ = 0;
  std::array<std::uint64_t, 65536 / 64> present_{};
  std::vector<std::uint16_t> keys_;  // sorted, one per bucket
  std::vector<std::vector<MagicRef>> buckets_;
};

struct Candidate {
  std::uint64_t start;
  const MagicRef* ref;
};

class FileBlobSink : public BlobSink {
 public:
  // `ratio_cap`: this blob's bound (its chunk's size times the ratio limit); `view_written` and
  // `view_cap`: what every blob of the same view wrote so far, and their bound together.
  FileBlobSink(fs::path path, Budget* budget, std::uint64_t ratio_cap, std::uint64_t* view_written,
               std::uint64_t view_cap)
      : path_(std::move(path)),
        budget_(budget),
        cap_(ratio_cap),
        view_written_(view_written),
        view_cap_(view_cap) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  }
  ~FileBlobSink() override { Close(); }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool ok() const { return fd_ >= 0 || closed_ok_; }
  Status Write(ByteView bytes) override {
    if (fd_ < 0) return MakeError(Errc::kIo, "blob not open", path_.string());
    if (written_ + bytes.size() > cap_ || *view_written_ + bytes.size() > view_cap_) {
      return MakeError(Errc::kLimitExceeded,
                       fmt::format("compression ratio limit: output stopped at {} bytes", written_),
                       path_.string());
    }
    if (!budget_->AddBytes(bytes.size())) {
      return MakeError(Errc::kLimitExceeded, "total size limit reached", path_.string());
    }
    const std::uint8_t* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0) return MakeError(Errc::kIo, "write failed", path_.string());
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    written_ += bytes.size();
    *view_written_ += bytes.size();
    return Ok();
  }
  std::uint64_t written() const override { return written_; }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  Budget* budget_;
  std::uint64_t cap_;
  std::uint64_t* view_written_;
  std::uint64_t view_cap_;
  int fd_ = -1;
  std::uint64_t written_ = 0;
  bool closed_ok_ = false;
};

// Where a view sits: in the input, a blob, or a file inside an extracted root.
struct ViewInfo {
  ByteView data;
  std::string name;  // display name for problems
  fs::path dir;      // folder for what is found inside
  std::vector<OriginStep> origin;
  std::uint64_t base = 0;  // offset of the view inside the last origin step's chunk
  int depth = 0;
  std::uint32_t parent_root = UINT32_MAX;
  std::string parent_path;
  bool report_gaps = true;  // false for files inside roots (only offset 0 is looked at)
  // Where the view starts in the input, when its bytes are the input's (the input, its ranges).
  std::optional<std::uint64_t> input_offset;
};

class Engine;

class Context : public ExtractContext {
 public:
  Context(Engine* engine, const ViewInfo* view, const Handler* handler, const Chunk* chunk)
      : engine_(engine), view_(view), handler_(handler), chunk_(chunk) {}
  ByteView view() const override { return view_->data; }
  const std::string& view_name() const override { return view_->name; }
  const Limits& limits() const override;
  void Warn(std::uint64_t offset, std::string message) override;
  Result<BlobSink*> NewBlob(std::string_view name) override;
  void ScanRange(std::uint64_t offset, std::uint64_t length, std::string_view name) override;
  Result<Jail*> NewRoot(std::string_view kind) override;
  void AddNote(std::string_view kind, std::string text, std::uint64_t offset) override;
  // Every view of the engine is (part of) a MappedFile: the input, a blob or an extracted file.
  void DoneWith(std::uint64_t offset, std::uint64_t length) override {
    if (Fits(view_->data.size(), offset, length))
      MappedFile::Release(view_->data.subspan(offset, length));
  }

  bool produced() const { return !blobs_.empty() || !ranges_.empty() || !jails_.empty(); }
  std::string ChunkDirName() const {
    return fmt::format("{}.{}", Hex(chunk_->offset), handler_->doc().id);
  }
  OriginStep Step(std::uint64_t length) const {
    return {handler_->doc().id, view_->base + chunk_->offset, length};
  }

  struct Range {
    std::uint64_t offset, length;
    std::string name;
  };
  std::vector<std::unique_ptr<FileBlobSink>> blobs_;
  std::vector<Range> ranges_;
  std::vector<std::unique_ptr<Jail>> jails_;

 private:
  Engine* engine_;
  const ViewInfo* view_;
  const Handler* handler_;
  const Chunk* chunk_;
};

class Engine {
 public:
  Engine(fs::path image, const UnpackOptions& options)
      : image_(std::move(image)), options_(options), budget_(options.limits) {}

  Status Run() {
    std::error_code ec;
    fs::create_directories(options_.out_dir, ec);
    if (ec)
      return MakeError(Errc::kIo, "cannot create output folder: " + ec.message(),
                       options_.out_dir.string());
    auto map = MappedFile::Open(image_);
    if (!map) return map.error();
    ViewInfo v;
    v.data = map->view();
    v.name = image_.filename().string();
    v.dir = options_.out_dir;
    v.input_offset = 0;
    result_.input_size = v.data.size();
    ScanView(v);
    result_.bytes_written = budget_.bytes();
    return Ok();
  }

  UnpackResult& result() { return result_; }
  const Limits& limits() const { return options_.limits; }
  Budget* budget() { return &budget_; }

  void Problem(const std::string& input, const std::string& path,
               std::optional<std::uint64_t> offset, std::string message,
               std::string level = "warning") {
    result_.problems.push_back(
        {std::move(level), "unpack", input, path, offset, std::move(message)});
  }

  Result<Jail*> NewRoot(Context& ctx, const ViewInfo& view, std::string_view kind) {
    std::string name = ctx.ChunkDirName();
    if (!ctx.jails_.empty()) name += fmt::format("-{}", ctx.jails_.size());
    const fs::path dir = view.dir / name;
    Root r;
    r.name = fs::relative(dir, options_.out_dir).generic_string();
    r.kind = std::string(kind);
    r.origin = view.origin;
    r.origin.push_back(ctx.Step(0));
    r.disk = dir;
    r.parent = view.parent_root;
    r.parent_path = view.parent_path;
    const std::uint32_t index = result_.tree.AddRoot(std::move(r));
    const std::string root_name = result_.tree.roots()[index].name;
    auto jail = Jail::Open(dir, &result_.tree, index, &budget_,
                           [this, root_name](const std::string& path, const std::string& msg) {
                             Problem(root_name, path, std::nullopt, msg);
                           });
    if (!jail) return jail.error();
    (*jail)->SetSniffer(KnownMagicHeadBytes(), StartsWithKnownMagic);
    ctx.jails_.push_back(std::move(*jail));
    return ctx.jails_.back().get();
  }

  Result<BlobSink*> NewBlob(Context& ctx, const ViewInfo& view, const Chunk& chunk,
                            std::string_view name) {
    std::string clean;
    for (char c : name) clean.push_back(c == '/' || c == '\0' ? '_' : c);
    if (clean.empty() || clean == "." || clean == "..") clean = ctx.ChunkDirName();
    std::error_code ec;
    fs::create_directories(view.dir, ec);
    // The ratio limit bounds each chunk and, together, every chunk of the view: concatenated
    // streams of zeros (each stream a chunk of its own) get one view's worth of output, not one
    // per stream.
    const auto ratio_cap = [this](std::uint64_t in) {
      return CheckedMul(std::max<std::uint64_t>(in, 4096), options_.limits.max_ratio)
          .value_or(UINT64_MAX);
    };
    auto sink = std::make_unique<FileBlobSink>(view.dir / clean, &budget_, ratio_cap(chunk.length),
                                               &view_decoded_[&view], ratio_cap(view.data.size()));
    if (!sink->ok()) {
      return MakeError(Errc::kIo, "cannot create blob", (view.dir / clean).string());
    }
    ctx.blobs_.push_back(std::move(sink));
    return ctx.blobs_.back().get();
  }

  void ScanView(const ViewInfo& view) {
    if (view.depth > options_.limits.max_depth) {
      Problem(
          view.name, "", std::nullopt,
          fmt::format("depth limit {} reached: not unpacked further", options_.limits.max_depth));
      return;
    }
    if (options_.progress) options_.progress(view.name);
    const ByteView d = view.data;
    std::uint64_t cursor = 0;     // everything before it is claimed or a gap already recorded
    std::uint64_t gap_start = 0;  // start of the current unclaimed region
    std::vector<Candidate> cands;
    std::uint64_t last = d.size() >= 2 ? d.size() - 1 : 0;
    if (!view.report_gaps) last = std::min(last, table_.max_at() + 1);
    for (std::uint64_t i = 0; i < last && !budget_.exhausted(); ++i) {
      if (!table_.any(d.data() + i)) continue;
      const auto& bucket = table_.at(d.data() + i);
      cands.clear();
      for (const auto& ref : bucket) {
        if (ref.at > i) continue;
        const std::uint64_t start = i - ref.at;
        if (start < cursor) continue;
        if ((!ref.anywhere || !view.report_gaps) && start != 0) continue;
        if (!Fits(d.size(), i, ref.bytes.size())) continue;
        if (std::memcmp(d.data() + i, ref.bytes.data(), ref.bytes.size()) != 0) continue;
        cands.push_back({start, &ref});
      }
      if (cands.empty()) continue;
      std::sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
        return a.ref->priority < b.ref->priority;
      });
      const Handler* tried = nullptr;
      for (const auto& c : cands) {
        if (c.ref->handler == tried) continue;
        tried = c.ref->handler;
        auto chunk = c.ref->handler->Identify(d, c.start);
        if (!chunk) continue;
        if (chunk->offset != c.start || !Fits(d.size(), chunk->offset, chunk->length) ||
            chunk->length == 0) {
          continue;
        }
        const std::uint64_t used = Extract(view, *c.ref->handler, *chunk);
        if (used == 0) continue;
        if (chunk->offset > gap_start) Gap(view, gap_start, chunk->offset - gap_start);
        cursor = chunk->offset + used;
        gap_start = cursor;
        i = cursor - 1;  // the loop's ++i resumes right after the chunk
        break;
      }
    }
    if (d.size() > gap_start && view.report_gaps) Gap(view, gap_start, d.size() - gap_start);
    view_decoded_.erase(&view);
  }

 private:
  // Records an unclaimed region, split into padding runs (0x00/0xff, at least 64 bytes) and data
  // regions with their entropy and best guess (unpack/coverage.h); a vendor header at the start of
  // the gap names the scheme of every data region of it.
  void Gap(const ViewInfo& view, std::uint64_t offset, std::uint64_t size) {
    if (!view.report_gaps || size == 0) return;
    const ByteView g = view.data.subspan(offset, size);
    bool vendor_encrypts = false;
    const std::string vendor = VendorScheme(g, &vendor_encrypts);
    auto in_input = [&](std::uint64_t at) -> std::optional<std::uint64_t> {
      if (!view.input_offset) return std::nullopt;
      return *view.input_offset + offset + at;
    };
    auto pad = [](std::uint8_t b) { return b == 0 || b == 0xff; };
    std::uint64_t i = 0, data_start = 0;
    auto flush_data = [&](std::uint64_t end) {
      if (end <= data_start) return;
      const RegionGuess guess =
          GuessRegion(g.subspan(data_start, end - data_start), vendor, vendor_encrypts);
      result_.unknown.push_back({view.name, offset + data_start, end - data_start, guess.entropy,
                                 guess.note, guess.guess, in_input(data_start)});
    };
    while (i < size) {
      if (!pad(g[i])) {
        ++i;
        continue;
      }
      std::uint64_t j = i;
      while (j < size && pad(g[j])) ++j;
      if (j - i >= 64 || (i == 0 && j == size)) {
        flush_data(i);
        result_.unknown.push_back(
            {view.name, offset + i, j - i, 0, "padding (0x00/0xff)", "padding", in_input(i)});
        data_start = j;
      }
      i = j;
    }
    flush_data(size);
  }

  // Extracts one chunk and scans what came out; returns the bytes of the view it used (0: the
  // chunk turned out not to be one after all).
  std::uint64_t Extract(const ViewInfo& view, const Handler& handler, const Chunk& chunk) {
    Context ctx(this, &view, &handler, &chunk);
    Status st = handler.Extract(chunk, ctx);
    std::uint64_t used = chunk.length;
    if (chunk.length_is_bound)
      used = std::min(ctx.consumed ? ctx.consumed : chunk.length, chunk.length);
    for (auto& b : ctx.blobs_) b->Close();
    if (!st) {
      const auto& e = st.error();
      const bool nothing = !ctx.produced() && ctx.consumed == 0;
      if (nothing && e.code == Errc::kNotThisFormat) return 0;
      Problem(view.name, "", e.offset.value_or(chunk.offset),
              fmt::format("{} at {}: {}", handler.doc().id, Hex(chunk.offset), e.what));
      if (nothing) return 0;
    }
    ctx.jails_.clear();  // closes the roots' folders
    for (auto& r : ctx.ranges_) {
      ViewInfo sub;
      sub.data = view.data.subspan(r.offset, r.length);
      sub.name = fmt::format("{}!{}@{}", view.name, handler.doc().id, Hex(r.offset));
      sub.dir = view.dir / (ctx.ChunkDirName() + (r.name.empty() ? "" : "." + r.name));
      sub.origin = view.origin;
      sub.origin.push_back(ctx.Step(used));
      sub.base = r.offset - chunk.offset;
      sub.depth = view.depth + 1;
      sub.parent_root = view.parent_root;
      sub.parent_path = view.parent_path;
      if (view.input_offset) sub.input_offset = *view.input_offset + r.offset;
      ScanView(sub);
    }
    for (auto& b : ctx.blobs_) ScanBlob(view, ctx, used, *b);
    NestedFiles(view);
    return used;
  }

  void ScanBlob(const ViewInfo& view, const Context& ctx, std::uint64_t used,
                const FileBlobSink& b) {
    auto map = MappedFile::Open(b.path());
    if (!map) {
      Problem(view.name, b.path().string(), std::nullopt, map.error().Describe());
      return;
    }
    ViewInfo sub;
    sub.data = map->view();
    sub.name = view.name + "!" + b.path().filename().string();
    sub.dir = b.path().string() + ".d";
    sub.origin = view.origin;
    sub.origin.push_back(ctx.Step(used));
    sub.depth = view.depth + 1;
    sub.parent_root = view.parent_root;
    sub.parent_path = view.parent_path;
    const std::size_t unknown_before = result_.unknown.size();
    ScanView(sub);
    // A blob that nothing claimed in full stays, as a file of the "carved" root, so that checks
    // can read it (a kernel image, a vendor blob); one fully unpacked further is removed.
    const bool any_unknown = [&] {
      for (std::size_t i = unknown_before; i < result_.unknown.size(); ++i) {
        const auto& u = result_.unknown[i];
        if (u.container == sub.name && u.guess != "padding") return true;
      }
      return false;
    }();
    std::error_code ec;
    if (!any_unknown && !options_.keep_blobs && sub.data.size() > 0) {
      map = MappedFile();
      fs::remove(b.path(), ec);
      return;
    }
    Entry e;
    e.path = "/" + fs::relative(b.path(), options_.out_dir, ec).generic_string();
    e.type = EntryType::kFile;
    e.mode = 0644;
    e.size = b.written();
    e.root = CarvedRoot();
    e.disk = b.path();
    result_.tree.AddEntry(std::move(e));
  }

  std::uint32_t CarvedRoot() {
    if (carved_root_ == UINT32_MAX) {
      Root r;
      r.name = "carved";
      r.kind = "blobs";
      r.disk = options_.out_dir;
      carved_root_ = result_.tree.AddRoot(std::move(r));
    }
    return carved_root_;
  }

  // Files of roots just extracted that start with a known format get unpacked in turn.
  void NestedFiles(const ViewInfo& view) {
    const auto& roots = result_.tree.roots();
    for (std::uint32_t ri = scanned_roots_; ri < roots.size(); ++ri) {
      if (ri == carved_root_) continue;
      scanned_roots_ = ri + 1;
      std::vector<Entry> files;
      for (const auto& e : result_.tree.entries()) {
        if (e.root == ri && e.type == EntryType::kFile && e.known_magic && e.size >= 16 &&
            !e.disk.empty()) {
          files.push_back(e);
        }
      }
      int n = 0;
      for (const auto& e : files) {
        auto map = MappedFile::Open(e.disk);
        if (!map) continue;
        ViewInfo sub;
        sub.data = map->view();
        sub.name = roots[ri].name + "!" + e.path;
        sub.dir = roots[ri].disk.string() + ".d" + "/" +
                  fmt::format("{}-{}", ++n, e.disk.filename().string());
        sub.origin = roots[ri].origin;
        sub.depth = view.depth + 1;
        sub.parent_root = ri;
        sub.parent_path = e.path;
        sub.report_gaps = false;
        ScanView(sub);
      }
    }
  }

  fs::path image_;
  const UnpackOptions& options_;
  Budget budget_;
  // Bytes the chunks of each view being scanned decoded so far (the view's ratio limit).
  std::map<const ViewInfo*, std::uint64_t> view_decoded_;
  UnpackResult result_;
  MagicTable table_;
  std::uint32_t carved_root_ = UINT32_MAX;
  std::uint32_t scanned_roots_ = 0;
  friend class Context;
};

const Limits& Context::limits() const { return engine_->limits(); }
void Context::Warn(std::uint64_t offset, std::string message) {
  engine_->Problem(view_->name, "", offset, fmt::format("{}: {}", handler_->doc().id, message));
}
Result<BlobSink*> Context::NewBlob(std::string_view name) {
  return engine_->NewBlob(*this, *view_, *chunk_, name);
}
void Context::ScanRange(std::uint64_t offset, std::uint64_t length, std::string_view name) {
  if (!Fits(view_->data.size(), offset, length) || length == 0) {
    Warn(offset, fmt::format("payload range {}+{} is outside the data", Hex(offset), length));
    return;
  }
  ranges_.push_back({offset, length, std::string(name)});
}
Result<Jail*> Context::NewRoot(std::string_view kind) {
  return engine_->NewRoot(*this, *view_, kind);
}
void Context::AddNote(std::string_view kind, std::string text, std::uint64_t offset) {
  Note n{std::string(kind), std::move(text), view_->name, offset, view_->origin};
  n.origin.push_back(Step(chunk_->length));
  engine_->result().tree.AddNote(std::move(n));
}

}  // namespace

Result<UnpackResult> UnpackImage(const std::filesystem::path& image, const UnpackOptions& options) {
  Engine engine(image, options);
  if (auto st = engine.Run(); !st) return st.error();
  return std::move(engine.result());
}

}  // namespace iotcop::unpack
