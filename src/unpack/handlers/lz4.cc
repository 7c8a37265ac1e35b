// LZ4: the frame format (liblz4frame) and the legacy format (8 MiB blocks, as the Linux kernel
// and older lz4 tools write it).
#include <lz4.h>
#include <lz4frame.h>

#include <vector>

#include <fmt/format.h>

#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint32_t kLegacyMagic = 0x184C2102;
constexpr std::size_t kLegacyBlock = 8u << 20;

class Lz4Handler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "lz4",
        "LZ4 (frame and legacy)",
        "Frame magic 04 22 4D 18 with frame descriptor version 01 and reserved bits clear, "
        "decoded by liblz4's frame decoder (which checks the header checksum and, when present, "
        "block and content checksums). Legacy magic 02 21 4C 18: blocks with a 32-bit size, each "
        "at most LZ4_compressBound(8 MiB), decoded with LZ4_decompress_safe; the stream ends at "
        "the data's end or the next magic.",
        {"https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md"},
        "Skippable frames are not handled; dictionaries (dictID) are not supported."};
    return d;
  }
  std::vector<Magic> magics() const override {
    return {{"\x04\x22\x4D\x18", 0, true}, {"\x02\x21\x4C\x18", 0, true}};
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto h = Slice(data, offset, 8);
    if (!h) return MakeError(Errc::kNotThisFormat, "short");
    const bool legacy = LoadLe<std::uint32_t>(h->data()) == kLegacyMagic;
    if (legacy) {
      const std::uint32_t first = LoadLe<std::uint32_t>(h->data() + 4);
      if (first == 0 || first > static_cast<std::uint32_t>(LZ4_compressBound(kLegacyBlock))) {
        return MakeError(Errc::kNotThisFormat, "block size");
      }
    } else {
      const std::uint8_t flg = (*h)[4], bd = (*h)[5];
      if ((flg >> 6) != 1 || (flg & 0x02) || (bd & 0x8F) || ((bd >> 4) & 7) < 4) {
        return MakeError(Errc::kNotThisFormat, "frame descriptor");
      }
    }
    return handlers::StreamChunk(data, offset, legacy ? "LZ4 (legacy)" : "LZ4 frame", legacy);
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    auto blob = ctx.NewBlob("");
    if (!blob) return blob.error();
    const ByteView in = ctx.view().subspan(chunk.offset, chunk.length);
    handlers::StreamResult r =
        std::any_cast<bool>(chunk.state) ? Legacy(in, *blob) : Frame(in, *blob);
    return handlers::FinishStream(r, chunk.offset, 0, ctx);
  }

 private:
  static handlers::StreamResult Legacy(ByteView in, BlobSink* out) {
    handlers::StreamResult r;
    std::vector<char> buf(kLegacyBlock);
    std::uint64_t pos = 4;
    while (pos + 4 <= in.size()) {
      const std::uint32_t size = LoadLe<std::uint32_t>(in.data() + pos);
      if (size == kLegacyMagic) break;  // the next legacy stream
      if (size == 0 || size > static_cast<std::uint32_t>(LZ4_compressBound(kLegacyBlock))) break;
      auto block = Slice(in, pos + 4, size);
      if (!block) {
        r.status = MakeError(Errc::kTruncated, "LZ4 block runs past the data", {}, pos);
        break;
      }
      const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(block->data()), buf.data(),
                                        static_cast<int>(size), static_cast<int>(buf.size()));
      if (n < 0) {
        if (r.produced == 0) r.status = MakeError(Errc::kCorrupt, "LZ4 block corrupt", {}, pos);
        break;
      }
      if (auto s = out->Write(ByteView(reinterpret_cast<const std::uint8_t*>(buf.data()), n)); !s) {
        r.status = s;
        break;
      }
      r.produced += static_cast<std::uint64_t>(n);
      pos += 4 + size;
      r.consumed = pos;
    }
    r.complete = r.status.ok();
    return r;
  }

  static handlers::StreamResult Frame(ByteView in, BlobSink* out) {
    handlers::StreamResult r;
    LZ4F_dctx* d = nullptr;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION))) {
      r.status = MakeError(Errc::kInternal, "lz4 init");
      return r;
    }
    std::vector<std::uint8_t> buf(handlers::kStreamChunk);
    std::uint64_t pos = 0;
    while (true) {
      std::size_t out_size = buf.size();
      std::size_t in_size = in.size() - pos;
      const std::size_t hint =
          LZ4F_decompress(d, buf.data(), &out_size, in.data() + pos, &in_size, nullptr);
      pos += in_size;
      if (out_size) {
        if (auto s = out->Write(ByteView(buf.data(), out_size)); !s) {
          r.status = s;
          break;
        }
        r.produced += out_size;
      }
      if (LZ4F_isError(hint)) {
        r.status =
            MakeError(Errc::kCorrupt, fmt::format("lz4: {}", LZ4F_getErrorName(hint)), {}, pos);
        break;
      }
      if (hint == 0) {
        r.complete = true;
        break;
      }
      if (pos >= in.size() && out_size == 0) {
        r.status = MakeError(Errc::kTruncated, "compressed stream ends early", {}, pos);
        break;
      }
    }
    r.consumed = pos;
    LZ4F_freeDecompressionContext(d);
    return r;
  }
};

}  // namespace

std::unique_ptr<Handler> MakeLz4Handler() { return std::make_unique<Lz4Handler>(); }

}  // namespace iotcop::unpack
