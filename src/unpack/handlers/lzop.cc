// lzop files (LZO1X blocks with an lzop header), decoded with liblzo2.
#include <lzo/lzo1x.h>

#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint32_t kAdlerD = 0x1, kAdlerC = 0x2, kCrcD = 0x100, kCrcC = 0x200;
constexpr std::uint32_t kFilter = 0x800;
constexpr std::uint32_t kMaxBlock = 64u << 20;

class LzopHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "lzop",
        "lzop (LZO)",
        "The 9-byte lzop magic and header (version, method 1-3 = LZO1X, flags, optional filter, "
        "mode, times, name), parsed within bounds. Blocks (sizes at most 64 MiB, checksum fields "
        "as the flags say) are decoded with lzo1x_decompress_safe into a blob; stored blocks are "
        "copied. The chunk ends at the zero-length end block.",
        {"lzop source (lzop.c, p_lzo.c)", "liblzo2"},
        "Block checksums are skipped, not verified; filters (F_H_FILTER) are not undone."};
    return d;
  }
  std::vector<Magic> magics() const override {
    return {{std::string("\x89LZO\x00\x0d\x0a\x1a\x0a", 9), 0, true}};
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    ByteReader r(data.subspan(offset));
    auto fail = [] { return MakeError(Errc::kNotThisFormat, "lzop header"); };
    if (!r.Skip(9)) return fail();
    auto version = r.Read<std::uint16_t>(Endian::kBig);
    if (!version || !r.Skip(2)) return fail();
    if (*version >= 0x0940 && !r.Skip(2)) return fail();
    auto method = r.Read<std::uint8_t>();
    if (!method || *method < 1 || *method > 3) return fail();
    if (*version >= 0x0940 && !r.Skip(1)) return fail();
    auto flags = r.Read<std::uint32_t>(Endian::kBig);
    if (!flags) return fail();
    if ((*flags & kFilter) && !r.Skip(4)) return fail();
    if (!r.Skip(8)) return fail();
    if (*version >= 0x0940 && !r.Skip(4)) return fail();
    auto name_len = r.Read<std::uint8_t>();
    if (!name_len || !r.Skip(*name_len) || !r.Skip(4)) return fail();
    return handlers::StreamChunk(data, offset, "lzop", std::make_pair(r.pos(), *flags));
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto [header, flags] =
        std::any_cast<std::pair<std::uint64_t, std::uint32_t>>(chunk.state);
    auto blob = ctx.NewBlob("");
    if (!blob) return blob.error();
    if (lzo_init() != LZO_E_OK) return MakeError(Errc::kInternal, "lzo_init");
    const ByteView in = ctx.view().subspan(chunk.offset, chunk.length);
    ByteReader r(in, ctx.view_name(), chunk.offset);
    (void)r.Seek(header);
    handlers::StreamResult res;
    std::vector<std::uint8_t> out;
    while (true) {
      auto dst = r.Read<std::uint32_t>(Endian::kBig);
      if (!dst) {
        res.status = MakeError(Errc::kTruncated, "lzop block header missing", {}, r.pos());
        break;
      }
      if (*dst == 0) {
        res.complete = true;
        break;
      }
      auto src = r.Read<std::uint32_t>(Endian::kBig);
      if (!src || *dst > kMaxBlock || *src > *dst) {
        res.status = MakeError(Errc::kCorrupt, "lzop block sizes", {}, r.pos());
        break;
      }
      std::uint64_t skip = ((flags & kAdlerD) ? 4 : 0) + ((flags & kCrcD) ? 4 : 0);
      if (*src < *dst) skip += ((flags & kAdlerC) ? 4 : 0) + ((flags & kCrcC) ? 4 : 0);
      auto body = r.Skip(skip) ? r.Bytes(*src) : Result<ByteView>(MakeError(Errc::kTruncated, ""));
      if (!body) {
        res.status = MakeError(Errc::kTruncated, "lzop block runs past the data", {}, r.pos());
        break;
      }
      ByteView plain = *body;
      if (*src < *dst) {
        out.resize(*dst);
        lzo_uint len = *dst;
        if (lzo1x_decompress_safe(body->data(), body->size(), out.data(), &len, nullptr) !=
                LZO_E_OK ||
            len != *dst) {
          res.status = MakeError(Errc::kCorrupt, "LZO block corrupt", {}, r.pos() - *src);
          break;
        }
        plain = ByteView(out.data(), len);
      }
      if (auto s = (*blob)->Write(plain); !s) {
        res.status = s;
        break;
      }
      res.produced += plain.size();
    }
    res.consumed = r.pos() - header;
    return handlers::FinishStream(res, chunk.offset, header, ctx);
  }
};

}  // namespace

std::unique_ptr<Handler> MakeLzopHandler() { return std::make_unique<LzopHandler>(); }

}  // namespace iotcop::unpack
