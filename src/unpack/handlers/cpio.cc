// cpio archives (newc, crc and odc ASCII headers), bounded by walking the headers to the trailer.
#include <archive.h>

#include <cstring>

#include "unpack/handlers/libarchive_read.h"

namespace iotcop::unpack {
namespace {

std::optional<std::uint64_t> ParseNum(ByteView b, int base) {
  std::uint64_t v = 0;
  for (std::uint8_t c : b) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return std::nullopt;
    if (d >= base) return std::nullopt;
    v = v * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
  }
  return v;
}

std::uint64_t Pad4(std::uint64_t v) { return (v + 3) & ~std::uint64_t{3}; }

class CpioHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "cpio",
        "cpio archive (newc, crc, odc)",
        "ASCII cpio headers (070701 newc, 070702 crc, 070707 odc). The archive is bounded by "
        "walking every header (sizes parsed as strict hex/octal, each checked against the data) "
        "to the TRAILER!!! entry; entries are read by libarchive from memory and written through "
        "the jail (device nodes recorded, hardlinks kept inside).",
        {"libarchive cpio(5)", "Linux Documentation/driver-api/early-userspace/buffer-format.rst"},
        "Old binary cpio (0x71c7) is not recognised."};
    return d;
  }
  std::vector<Magic> magics() const override {
    return {{"070701", 0, true}, {"070702", 0, true}, {"070707", 0, true}};
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    const bool odc = data[offset + 5] == '7';
    std::uint64_t pos = offset;
    std::uint64_t entries = 0;
    while (true) {
      if (odc) {
        auto h = Slice(data, pos, 76);
        if (!h || std::memcmp(h->data(), "070707", 6) != 0) break;
        auto namesize = ParseNum(h->subspan(59, 6), 8);
        auto filesize = ParseNum(h->subspan(65, 11), 8);
        if (!namesize || !filesize || *namesize == 0) break;
        auto name = Slice(data, pos + 76, *namesize);
        if (!name) break;
        const bool trailer = AsString(*name).starts_with("TRAILER!!!");
        const auto next = CheckedAdd(pos + 76 + *namesize, *filesize);
        if (!next || *next > data.size()) break;
        pos = *next;
        ++entries;
        if (trailer) break;
      } else {
        auto h = Slice(data, pos, 110);
        if (!h || std::memcmp(h->data(), "07070", 5) != 0) break;
        auto filesize = ParseNum(h->subspan(54, 8), 16);
        auto namesize = ParseNum(h->subspan(94, 8), 16);
        if (!namesize || !filesize || *namesize == 0) break;
        auto name = Slice(data, pos + 110, *namesize);
        if (!name) break;
        const bool trailer = AsString(*name).starts_with("TRAILER!!!");
        const std::uint64_t data_start = offset + Pad4(pos - offset + 110 + *namesize);
        const auto end = CheckedAdd(data_start, *filesize);
        if (!end || *end > data.size()) break;
        pos = std::min<std::uint64_t>(offset + Pad4(*end - offset), data.size());
        ++entries;
        if (trailer) break;
      }
    }
    if (entries == 0) return MakeError(Errc::kNotThisFormat, "no valid cpio header");
    Chunk c;
    c.offset = offset;
    c.length = pos - offset;
    c.description = odc ? "cpio (odc)" : "cpio (newc)";
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    return handlers::ExtractWithLibarchive(ctx.view().subspan(chunk.offset, chunk.length),
                                           chunk.offset, archive_read_support_format_cpio, ctx);
  }
};

}  // namespace

std::unique_ptr<Handler> MakeCpioHandler() { return std::make_unique<CpioHandler>(); }

}  // namespace iotcop::unpack
