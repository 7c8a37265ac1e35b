// LZMA "alone" streams (.lzma, kernels in uImages and TP-Link images), with or without the 8-byte
// size field, with the property bytes and dictionary sizes router firmware uses.
#include <lzma.h>

#include <array>

#include <fmt/format.h>

#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

struct Params {
  std::uint64_t header = 13;        // 13, or 5 when the stream has no size field
  std::uint64_t size = UINT64_MAX;  // from the header, UINT64_MAX when unknown
};

bool PlausibleDict(std::uint32_t d) {
  if (d < 4096 || d > (1u << 30)) return false;
  // Powers of two and 2^n + 2^(n-1) are what encoders write; anything else is a false hit.
  for (int n = 12; n <= 30; ++n) {
    if (d == (1u << n) || d == (1u << n) + (1u << (n - 1))) return true;
  }
  return false;
}

// The 13-byte header liblzma's alone decoder reads: the stream's properties, its dictionary size
// lowered to `max_dict` (an LZMA match never reaches further back than the output so far, so a
// dictionary larger than the output decodes nothing differently; only its allocation grows: a
// header claiming 1 GiB must not cost 1 GiB per candidate) and its size field, or "unknown" for
// streams without one.
std::array<std::uint8_t, 13> AloneHeader(const std::uint8_t* stream, const Params& p,
                                         std::uint64_t max_dict) {
  std::array<std::uint8_t, 13> hdr{};
  std::memcpy(hdr.data(), stream, 5);
  const std::uint32_t dict = LoadLe<std::uint32_t>(stream + 1);
  if (dict > max_dict) {
    std::uint32_t d = 4096;  // the smallest power of two >= max_dict (and >= liblzma's minimum)
    while (d < max_dict && d < (1u << 30)) d <<= 1;
    if (d < dict) {
      for (int i = 0; i < 4; ++i) hdr[1 + i] = static_cast<std::uint8_t>(d >> (8 * i));
    }
  }
  for (int i = 0; i < 8; ++i) hdr[5 + i] = p.header == 13 ? stream[5 + i] : 0xFF;
  return hdr;
}

// Decodes up to 64 KiB of output to see whether the candidate really is an LZMA stream.
bool TrialDecode(ByteView data, std::uint64_t offset, const Params& p) {
  const auto hdr = AloneHeader(data.data() + offset, p, 65536);
  lzma_stream z = LZMA_STREAM_INIT;
  if (lzma_alone_decoder(&z, 256u << 20) != LZMA_OK) return false;
  std::array<std::uint8_t, 65536> out;
  const ByteView rest = data.subspan(
      offset + p.header, std::min<std::uint64_t>(data.size() - offset - p.header, 65536));
  z.next_in = hdr.data();
  z.avail_in = hdr.size();
  z.next_out = out.data();
  z.avail_out = out.size();
  lzma_ret rc = lzma_code(&z, LZMA_RUN);
  if (rc == LZMA_OK) {
    z.next_in = rest.data();
    z.avail_in = rest.size();
    rc = lzma_code(&z, LZMA_RUN);
  }
  const bool ok = (rc == LZMA_OK || rc == LZMA_STREAM_END) &&
                  z.total_out >= std::min<std::uint64_t>(p.size, 256);
  lzma_end(&z);
  return ok;
}

class LzmaHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "lzma",
        "LZMA (alone)",
        "The 13-byte LZMA-alone header: property byte (lc/lp/pb valid, lc+lp <= 4), dictionary "
        "size (a power of two or 2^n+2^(n-1), 4 KiB to 1 GiB) and the uncompressed size (or -1). "
        "The range coder's first byte must be zero. Streams without the size field (a 5-byte "
        "header, common in router firmware) are recognised when the 13-byte reading fails, and "
        "decoded with a rebuilt header. A trial decode of the first 64 KiB (with a 64 KiB "
        "dictionary: no match reaches further back than the output) confirms the candidate. "
        "Decoded by liblzma into a blob with the dictionary lowered to the stream's size when "
        "known, or to at most 128 MiB, so a header's claim costs no memory the output does not "
        "need; streams without an end marker end at the first undecodable byte.",
        {"LZMA SDK lzma-specification.txt", "liblzma"},
        "Property bytes with lc+lp > 4 are not decodable by liblzma's LZMA1 decoder. A stream "
        "without a size field whose matches reach back more than 128 MiB is reported as "
        "corrupt there."};
    return d;
  }
  std::vector<Magic> magics() const override {
    return {{std::string("\x5d\x00\x00", 3), 0, true},  {std::string("\x6d\x00\x00", 3), 0, true},
            {std::string("\x6c\x00\x00", 3), 0, false}, {std::string("\x5e\x00\x00", 3), 0, false},
            {std::string("\x5d\x00\x10", 3), 0, false}, {std::string("\x5d\x00\x20", 3), 0, false}};
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto h = Slice(data, offset, 14);
    if (!h) return MakeError(Errc::kNotThisFormat, "short");
    const std::uint8_t props = (*h)[0];
    if (props >= 9 * 5 * 5) return MakeError(Errc::kNotThisFormat, "props");
    const unsigned lc = props % 9, lp = (props / 9) % 5;
    if (lc + lp > 4) return MakeError(Errc::kNotThisFormat, "lc+lp");
    if (!PlausibleDict(LoadLe<std::uint32_t>(h->data() + 1)))
      return MakeError(Errc::kNotThisFormat, "dict");
    const std::uint64_t rest = data.size() - offset;
    Params p;
    p.size = LoadLe<std::uint64_t>(h->data() + 5);
    const bool size_ok = p.size == UINT64_MAX || (p.size > 0 && p.size / 1024 <= rest);
    if (!(size_ok && (*h)[13] == 0 && TrialDecode(data, offset, p))) {
      p = Params{5, UINT64_MAX};
      if ((*h)[5] != 0 || !TrialDecode(data, offset, p))
        return MakeError(Errc::kNotThisFormat, "trial decode");
    }
    return handlers::StreamChunk(
        data, offset,
        p.header == 5 ? "LZMA (no size field)" : fmt::format("LZMA, {} bytes", p.size), p);
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& p = std::any_cast<const Params&>(chunk.state);
    auto blob = ctx.NewBlob("");
    if (!blob) return blob.error();
    // A stream without a size gets at most 128 MiB of dictionary, well inside the decoder's
    // memory limit (a header's claim of more would otherwise fail the whole stream).
    const auto hdr = AloneHeader(ctx.view().data() + chunk.offset, p,
                                 std::min<std::uint64_t>(p.size, 128u << 20));
    lzma_stream z = LZMA_STREAM_INIT;
    if (lzma_alone_decoder(&z, 256u << 20) != LZMA_OK)
      return MakeError(Errc::kInternal, "lzma init");
    const ByteView in = ctx.view().subspan(chunk.offset + p.header, chunk.length - p.header);
    auto r = handlers::LzmaDecode(&z, ByteView(hdr.data(), hdr.size()), in, *blob);
    lzma_end(&z);
    if (p.size == UINT64_MAX && !r.status && r.status.error().code == Errc::kCorrupt &&
        r.produced > 0) {
      // No size and no end marker: the stream simply stops; what follows is other data.
      r.status = Ok();
      r.complete = true;
    }
    return handlers::FinishStream(r, chunk.offset, p.header, ctx);
  }
};

}  // namespace

std::unique_ptr<Handler> MakeLzmaHandler() { return std::make_unique<LzmaHandler>(); }

}  // namespace iotcop::unpack
