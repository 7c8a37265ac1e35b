// Zstandard frames (RFC 8878): frame header validated, decoded by libzstd into a blob.
#include <zstd.h>

#include <vector>

#include <fmt/format.h>

#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

class ZstdHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "zstd",
        "Zstandard",
        "Frame magic 28 B5 2F FD; the frame header descriptor's reserved bit must be clear and the "
        "window descriptor within libzstd's limits (checked before decoding). Decoded by "
        "libzstd (window limit 128 MiB) into a blob; the chunk ends with the frame (its "
        "checksum, when present, is verified by the decoder).",
        {"RFC 8878", "libzstd"},
        "Skippable frames and dictionaries are not handled; consecutive frames are separate "
        "chunks."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"\x28\xB5\x2F\xFD", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    const ByteView in = data.subspan(offset);
    if (in.size() < 6) return MakeError(Errc::kNotThisFormat, "short");
    const std::uint8_t fhd = in[4];
    const bool single = fhd & 0x20;
    if ((fhd & 0x08) || (!single && 10 + (in[5] >> 3) > 27) ||
        ZSTD_getFrameContentSize(in.data(), in.size()) == ZSTD_CONTENTSIZE_ERROR) {
      return MakeError(Errc::kNotThisFormat, "frame header");
    }
    return handlers::StreamChunk(data, offset, "zstd");
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    auto blob = ctx.NewBlob("");
    if (!blob) return blob.error();
    ZSTD_DStream* z = ZSTD_createDStream();
    ZSTD_DCtx_setParameter(z, ZSTD_d_windowLogMax, 27);
    ZSTD_inBuffer in{ctx.view().data() + chunk.offset, chunk.length, 0};
    std::vector<std::uint8_t> buf(handlers::kStreamChunk);
    handlers::StreamResult r;
    while (true) {
      ZSTD_outBuffer out{buf.data(), buf.size(), 0};
      const std::size_t rc = ZSTD_decompressStream(z, &out, &in);
      if (out.pos) {
        if (auto s = (*blob)->Write(ByteView(buf.data(), out.pos)); !s) {
          r.status = s;
          break;
        }
        r.produced += out.pos;
      }
      if (ZSTD_isError(rc)) {
        r.status =
            MakeError(Errc::kCorrupt, fmt::format("zstd: {}", ZSTD_getErrorName(rc)), {}, in.pos);
        break;
      }
      if (rc == 0) {
        r.complete = true;
        break;
      }
      if (in.pos == in.size && out.pos < out.size) {
        r.status = MakeError(Errc::kTruncated, "compressed stream ends early", {}, in.pos);
        break;
      }
    }
    r.consumed = in.pos;
    ZSTD_freeDStream(z);
    return handlers::FinishStream(r, chunk.offset, 0, ctx);
  }
};

}  // namespace

std::unique_ptr<Handler> MakeZstdHandler() { return std::make_unique<ZstdHandler>(); }

}  // namespace iotcop::unpack
