// xz streams (liblzma): stream header CRC validated, data streamed into a blob.
#include <lzma.h>

#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

class XzHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "xz",
        "xz",
        "xz stream header (magic FD 37 7A 58 5A 00) with its CRC-32 over the stream flags; the "
        "stream is decoded by liblzma (memory limit 256 MiB) into a blob and ends where the "
        "decoder reaches the stream footer.",
        {"https://tukaani.org/xz/xz-file-format.txt", "liblzma"},
        "Only the first stream of concatenated streams belongs to the chunk; the next is carved "
        "separately."};
    return d;
  }
  std::vector<Magic> magics() const override {
    return {{std::string("\xFD"
                         "7zXZ\x00",
                         6),
             0, true}};
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto h = Slice(data, offset, 12);
    if (!h) return MakeError(Errc::kNotThisFormat, "short");
    if (handlers::Crc32(h->subspan(6, 2)) != LoadLe<std::uint32_t>(h->data() + 8) || (*h)[6] != 0) {
      return MakeError(Errc::kNotThisFormat, "stream header CRC");
    }
    return handlers::StreamChunk(data, offset, "xz");
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    auto blob = ctx.NewBlob("");
    if (!blob) return blob.error();
    lzma_stream z = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&z, 256u << 20, 0) != LZMA_OK)
      return MakeError(Errc::kInternal, "lzma init");
    auto r = handlers::LzmaDecode(&z, {}, ctx.view().subspan(chunk.offset, chunk.length), *blob);
    lzma_end(&z);
    return handlers::FinishStream(r, chunk.offset, 0, ctx);
  }
};

}  // namespace

std::unique_ptr<Handler> MakeXzHandler() { return std::make_unique<XzHandler>(); }

}  // namespace iotcop::unpack
