// libFuzzer target for one format handler (IOTCOP_FUZZ_HANDLER, its FormatDoc id): every magic hit
// in the input is identified and, when accepted, extracted through a real jail into a scratch
// folder with small limits; blobs go to a counting sink. Built once per handler by
// fuzz/CMakeLists.txt, so each handler has its own binary and corpus (docs/fuzzing.md).
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <memory>

#include "unpack/handler.h"
#include "unpack/jail.h"

namespace {

using namespace iotcop;
using namespace iotcop::unpack;
namespace fs = std::filesystem;

class CountingSink : public BlobSink {
 public:
  Status Write(ByteView b) override {
    if (n_ + b.size() > (64u << 20)) return MakeError(Errc::kLimitExceeded, "fuzz blob cap");
    n_ += b.size();
    return Ok();
  }
  std::uint64_t written() const override { return n_; }

 private:
  std::uint64_t n_ = 0;
};

class FuzzContext : public ExtractContext {
 public:
  FuzzContext(ByteView v, const fs::path& dir)
      : view_(v), dir_(dir), limits_(SmallLimits()), budget_(limits_) {}
  static Limits SmallLimits() {
    Limits l;
    l.max_total_bytes = 64u << 20;
    l.max_files = 2000;
    return l;
  }
  ByteView view() const override { return view_; }
  const std::string& view_name() const override { return name_; }
  const Limits& limits() const override { return limits_; }
  void Warn(std::uint64_t, std::string) override {}
  Result<BlobSink*> NewBlob(std::string_view) override {
    sinks_.push_back(std::make_unique<CountingSink>());
    return sinks_.back().get();
  }
  void ScanRange(std::uint64_t offset, std::uint64_t length, std::string_view) override {
    if (!Fits(view_.size(), offset, length)) __builtin_trap();  // handlers must stay in bounds
  }
  Result<Jail*> NewRoot(std::string_view kind) override {
    const auto root = tree_.AddRoot(Root{std::string(kind), std::string(kind)});
    auto j = Jail::Open(dir_ / std::to_string(root), &tree_, root, &budget_, nullptr);
    if (!j) return j.error();
    jails_.push_back(std::move(*j));
    return jails_.back().get();
  }
  void AddNote(std::string_view, std::string text, std::uint64_t offset) override {
    if (offset > view_.size() || text.size() > 4096) __builtin_trap();  // bounded, in the view
  }

 private:
  ByteView view_;
  fs::path dir_;
  std::string name_ = "fuzz";
  Limits limits_;
  Budget budget_;
  Tree tree_;
  std::vector<std::unique_ptr<BlobSink>> sinks_;
  std::vector<std::unique_ptr<Jail>> jails_;
};

const Handler* TheHandler() {
  static const Handler* h = FindHandler(IOTCOP_FUZZ_HANDLER);
  if (!h) __builtin_trap();
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Handler* h = TheHandler();
  const ByteView view(data, size);
  static const fs::path scratch =
      fs::temp_directory_path() /
      ("iotcop-fuzz-" + std::string(IOTCOP_FUZZ_HANDLER) + "-" + std::to_string(getpid()));
  int tried = 0;
  for (const auto& m : h->magics()) {
    for (std::size_t i = m.at; i + m.bytes.size() <= size && tried < 8; ++i) {
      if (std::memcmp(data + i, m.bytes.data(), m.bytes.size()) != 0) continue;
      if (!m.anywhere && i != m.at) break;
      ++tried;
      auto chunk = h->Identify(view, i - m.at);
      if (!chunk) continue;
      if (!Fits(size, chunk->offset, chunk->length)) __builtin_trap();
      std::error_code ec;
      fs::remove_all(scratch, ec);
      FuzzContext ctx(view, scratch);
      (void)h->Extract(*chunk, ctx);
      if (chunk->length_is_bound && ctx.consumed > chunk->length) __builtin_trap();
    }
  }
  std::error_code ec;
  fs::remove_all(scratch, ec);
  return 0;
}
