// gzip (RFC 1952) members: header validated and bounded, deflate data streamed into a blob.
#include <fmt/format.h>

#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

class GzipHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "gzip",
        "gzip",
        "RFC 1952 member: method 8, reserved flags clear, optional extra/name/comment/header-CRC "
        "fields parsed within bounds. The deflate data is streamed into a blob; its real end is "
        "where the decoder stops, and CRC-32 and size of the trailer are checked (a mismatch is a "
        "warning). A truncated member keeps what was decoded and names the offset.",
        {"RFC 1952", "zlib"},
        "Concatenated members are unpacked as separate chunks."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"\x1f\x8b\x08", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    ByteReader r(data.subspan(offset));
    if (!r.Skip(3)) return MakeError(Errc::kNotThisFormat, "short");
    auto flags = r.Read<std::uint8_t>();
    if (!flags || (*flags & 0xE0)) return MakeError(Errc::kNotThisFormat, "reserved flags");
    if (!r.Skip(6)) return MakeError(Errc::kNotThisFormat, "short");
    if (*flags & 0x04) {
      auto xlen = r.Read<std::uint16_t>();
      if (!xlen || !r.Skip(*xlen)) return MakeError(Errc::kNotThisFormat, "extra field");
    }
    for (std::uint8_t bit : {std::uint8_t{0x08}, std::uint8_t{0x10}}) {
      if (!(*flags & bit)) continue;
      while (true) {
        auto c = r.Read<std::uint8_t>();
        if (!c) return MakeError(Errc::kNotThisFormat, "unterminated name");
        if (*c == 0) break;
      }
    }
    if ((*flags & 0x02) && !r.Skip(2)) return MakeError(Errc::kNotThisFormat, "short");
    // The first deflate block header must be a valid block type (not 3).
    if (r.remaining() < 1 || ((data[offset + r.pos()] >> 1) & 3) == 3) {
      return MakeError(Errc::kNotThisFormat, "bad deflate block");
    }
    return handlers::StreamChunk(data, offset, "gzip", r.pos());
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto header = std::any_cast<std::uint64_t>(chunk.state);
    auto blob = ctx.NewBlob("");
    if (!blob) return blob.error();
    const ByteView in = ctx.view().subspan(chunk.offset + header, chunk.length - header);
    auto r = handlers::Inflate(in, -15, *blob);
    if (auto s = handlers::FinishStream(r, chunk.offset, header, ctx); !s) return s;
    if (r.complete) {
      auto trailer = Slice(in, r.consumed, 8);
      if (!trailer) {
        ctx.Warn(chunk.offset + header + r.consumed, "gzip trailer missing");
      } else {
        ctx.consumed += 8;
        const ByteView t = *trailer;
        if (LoadLe<std::uint32_t>(t.data() + 4) != static_cast<std::uint32_t>(r.produced)) {
          ctx.Warn(chunk.offset + header + r.consumed, "gzip trailer size does not match");
        }
      }
    }
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeGzipHandler() { return std::make_unique<GzipHandler>(); }

}  // namespace iotcop::unpack
