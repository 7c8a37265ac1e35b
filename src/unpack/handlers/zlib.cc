// Raw zlib streams (RFC 1950) at the start of a view or a container's payload: header checksum
// validated, the first block trial-decoded, the stream inflated into a blob with its exact length.
#include <zlib.h>

#include <fmt/format.h>

#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kZlibTrialIn = 16 * 1024, kZlibTrialOut = 64 * 1024;

class ZlibHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "zlib",
        "zlib stream (RFC 1950)",
        "Only at the start of a view (a file, a blob or a container's payload): the header "
        "bytes 0x78 0x01/0x5E/0x9C/0xDA, whose 16-bit value must be a multiple of 31 (the FCHECK "
        "field), deflate with a 32 KiB window and no preset dictionary. Identify decodes at most "
        "16 KiB of input into a scratch buffer and rejects data that zlib reports as corrupt. "
        "Extract inflates the stream into a blob that is scanned again; the Adler-32 trailer is "
        "checked by zlib, the chunk ends exactly where the stream does, and a truncated or "
        "corrupt stream keeps what was decoded with a warning naming the offset.",
        {"RFC 1950", "RFC 1951", "zlib"},
        "Streams in the middle of unknown data are not searched for (the two-byte header is too "
        "weak a magic); streams with a preset dictionary are not decoded."};
    return d;
  }
  std::vector<Magic> magics() const override {
    return {{"\x78\x01", 0, false},
            {"\x78\x5e", 0, false},
            {"\x78\x9c", 0, false},
            {"\x78\xda", 0, false}};
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto h = Slice(data, offset, 3);
    if (!h) return MakeError(Errc::kNotThisFormat, "short");
    const std::uint8_t cmf = (*h)[0], flg = (*h)[1];
    if ((cmf & 0x0f) != 8 || (cmf >> 4) > 7 || (cmf * 256u + flg) % 31 != 0 || (flg & 0x20)) {
      return MakeError(Errc::kNotThisFormat, "header");
    }
    // A bounded trial decode: the start of the stream must be valid deflate.
    const ByteView in =
        data.subspan(offset, std::min<std::uint64_t>(kZlibTrialIn, data.size() - offset));
    std::vector<std::uint8_t> out(kZlibTrialOut);
    z_stream z{};
    if (inflateInit2(&z, 15) != Z_OK) return MakeError(Errc::kInternal, "inflateInit2");
    z.next_in = const_cast<Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    int rc = Z_OK;
    while (rc == Z_OK && z.avail_in > 0) {
      z.next_out = out.data();
      z.avail_out = static_cast<uInt>(out.size());
      rc = inflate(&z, Z_NO_FLUSH);
      if (rc == Z_OK && z.total_out >= 4 * kZlibTrialOut) break;  // enough: it decodes
    }
    const std::uint64_t produced = z.total_out;
    inflateEnd(&z);
    if ((rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) || produced == 0) {
      return MakeError(Errc::kNotThisFormat, "not deflate data");
    }
    return handlers::StreamChunk(data, offset, "zlib");
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    auto blob = ctx.NewBlob("");
    if (!blob) return blob.error();
    const ByteView in = ctx.view().subspan(chunk.offset, chunk.length);
    auto r = handlers::Inflate(in, 15, *blob);
    return handlers::FinishStream(r, chunk.offset, 0, ctx);
  }
};

}  // namespace

std::unique_ptr<Handler> MakeZlibHandler() { return std::make_unique<ZlibHandler>(); }

}  // namespace iotcop::unpack
