// bzip2 streams: "BZh" + block size + the first block's (or end-of-stream) magic.
#include <bzlib.h>

#include <cstring>
#include <vector>

#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

class Bzip2Handler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "bzip2",
        "bzip2",
        "Stream header \"BZh\" with a block size digit 1-9, followed by the block magic "
        "0x314159265359 (or the end-of-stream magic). Decoded by libbz2 into a blob; the chunk "
        "ends "
        "where the stream ends (the decoder checks every block CRC and the stream CRC).",
        {"bzip2 source (bzlib.c)",
         "https://github.com/dsnet/compress/blob/master/doc/bzip2-format.pdf"},
        "Only the first stream of concatenated streams belongs to the chunk."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"BZh", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto h = Slice(data, offset, 10);
    if (!h || (*h)[3] < '1' || (*h)[3] > '9') return MakeError(Errc::kNotThisFormat, "level");
    if (std::memcmp(h->data() + 4, "\x31\x41\x59\x26\x53\x59", 6) != 0 &&
        std::memcmp(h->data() + 4, "\x17\x72\x45\x38\x50\x90", 6) != 0) {
      return MakeError(Errc::kNotThisFormat, "block magic");
    }
    return handlers::StreamChunk(data, offset, "bzip2");
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    auto blob = ctx.NewBlob("");
    if (!blob) return blob.error();
    bz_stream z{};
    if (BZ2_bzDecompressInit(&z, 0, 0) != BZ_OK) return MakeError(Errc::kInternal, "bz init");
    const ByteView in = ctx.view().subspan(chunk.offset, chunk.length);
    std::vector<char> buf(handlers::kStreamChunk);
    handlers::StreamResult r;
    std::uint64_t fed = 0;
    while (true) {
      if (z.avail_in == 0 && fed < in.size()) {
        const auto n = static_cast<unsigned>(std::min<std::uint64_t>(in.size() - fed, 1u << 30));
        z.next_in = const_cast<char*>(reinterpret_cast<const char*>(in.data() + fed));
        z.avail_in = n;
        fed += n;
      }
      z.next_out = buf.data();
      z.avail_out = static_cast<unsigned>(buf.size());
      const int rc = BZ2_bzDecompress(&z);
      const std::size_t have = buf.size() - z.avail_out;
      if (have) {
        if (auto s =
                (*blob)->Write(ByteView(reinterpret_cast<const std::uint8_t*>(buf.data()), have));
            !s) {
          r.status = s;
          break;
        }
        r.produced += have;
      }
      const std::uint64_t used = fed - z.avail_in;
      if (rc == BZ_STREAM_END) {
        r.complete = true;
        break;
      }
      if (rc != BZ_OK) {
        r.status = MakeError(Errc::kCorrupt, "bzip2 data error", {}, used);
        break;
      }
      if (z.avail_in == 0 && fed >= in.size() && have == 0) {
        r.status = MakeError(Errc::kTruncated, "compressed stream ends early", {}, used);
        break;
      }
    }
    r.consumed = fed - z.avail_in;
    BZ2_bzDecompressEnd(&z);
    return handlers::FinishStream(r, chunk.offset, 0, ctx);
  }
};

}  // namespace

std::unique_ptr<Handler> MakeBzip2Handler() { return std::make_unique<Bzip2Handler>(); }

}  // namespace iotcop::unpack
