// tar archives (POSIX ustar, GNU), bounded by walking checksummed 512-byte headers.
#include <archive.h>

#include "unpack/handlers/libarchive_read.h"

namespace iotcop::unpack {
namespace {

std::optional<std::uint64_t> Octal(ByteView b) {
  std::uint64_t v = 0;
  bool any = false;
  for (std::uint8_t c : b) {
    if (c == 0 || c == ' ') {
      if (any) break;
      continue;
    }
    if (c < '0' || c > '7') return std::nullopt;
    v = v * 8 + (c - '0');
    any = true;
    if (v > (1ull << 40)) return std::nullopt;
  }
  return v;
}

bool ChecksumOk(ByteView h) {
  auto stored = Octal(h.subspan(148, 8));
  if (!stored) return false;
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : h[i];
  return sum == *stored;
}

class TarHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "tar",
        "tar archive",
        "POSIX ustar and GNU tar (magic \"ustar\" at 257). Every 512-byte header's checksum is "
        "verified while walking to the end-of-archive blocks, which bounds the chunk; entries are "
        "read by libarchive from memory and written through the jail (pax and GNU long names, "
        "hardlinks and symlinks included).",
        {"POSIX.1-2001 pax/ustar", "libarchive tar(5)"},
        "Pre-POSIX v7 tar without the ustar magic is not carved (it has no magic)."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"ustar", 257, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    std::uint64_t pos = offset;
    std::uint64_t headers = 0;
    while (true) {
      auto h = Slice(data, pos, 512);
      if (!h) break;
      if (std::all_of(h->begin(), h->end(), [](std::uint8_t b) { return b == 0; })) {
        pos = std::min<std::uint64_t>(pos + 1024, data.size());
        break;
      }
      if (!ChecksumOk(*h)) break;
      auto size = Octal(h->subspan(124, 12));
      if (!size) break;
      const char type = static_cast<char>((*h)[156]);
      const std::uint64_t body = (type == '5' || type == '1' || type == '2') ? 0 : *size;
      const auto next = CheckedAdd(pos + 512, (body + 511) & ~std::uint64_t{511});
      ++headers;
      if (!next || *next > data.size()) {
        pos = data.size();
        break;
      }
      pos = *next;
    }
    if (headers == 0) return MakeError(Errc::kNotThisFormat, "no valid tar header");
    Chunk c;
    c.offset = offset;
    c.length = pos - offset;
    c.description = "tar";
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    return handlers::ExtractWithLibarchive(ctx.view().subspan(chunk.offset, chunk.length),
                                           chunk.offset, archive_read_support_format_tar, ctx);
  }
};

}  // namespace

std::unique_ptr<Handler> MakeTarHandler() { return std::make_unique<TarHandler>(); }

}  // namespace iotcop::unpack
