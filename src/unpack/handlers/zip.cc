// zip archives, bounded by their end-of-central-directory record.
#include <archive.h>

#include <cstring>

#include "unpack/handlers/libarchive_read.h"

namespace iotcop::unpack {
namespace {

class ZipHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "zip",
        "zip archive",
        "Local file header magic PK\\3\\4. The chunk ends at the first end-of-central-directory "
        "record whose central directory lies inside the chunk (offset + size consistent), plus "
        "its comment; entries are read by libarchive from memory through the jail.",
        {"PKWARE APPNOTE.TXT", "libarchive"},
        "Zip64 end records and encrypted entries are not extracted (encrypted entries are "
        "warned about)."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"PK\x03\x04", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    const std::uint64_t max_scan = std::min<std::uint64_t>(data.size() - offset, 1ull << 32);
    const std::uint8_t* base = data.data() + offset;
    for (std::uint64_t p = 0; p + 22 <= max_scan; ++p) {
      const void* hit = std::memchr(base + p, 'P', max_scan - 22 - p + 1);
      if (!hit) break;
      p = static_cast<std::uint64_t>(static_cast<const std::uint8_t*>(hit) - base);
      if (std::memcmp(base + p, "PK\x05\x06", 4) != 0) continue;
      const std::uint32_t cd_size = LoadLe<std::uint32_t>(base + p + 12);
      const std::uint32_t cd_off = LoadLe<std::uint32_t>(base + p + 16);
      const std::uint16_t comment = LoadLe<std::uint16_t>(base + p + 20);
      if (std::uint64_t{cd_off} + cd_size != p) continue;
      Chunk c;
      c.offset = offset;
      c.length = std::min<std::uint64_t>(p + 22 + comment, data.size() - offset);
      c.description = "zip";
      return c;
    }
    return MakeError(Errc::kNotThisFormat, "no end of central directory");
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    return handlers::ExtractWithLibarchive(ctx.view().subspan(chunk.offset, chunk.length),
                                           chunk.offset, archive_read_support_format_zip_seekable,
                                           ctx);
  }
};

}  // namespace

std::unique_ptr<Handler> MakeZipHandler() { return std::make_unique<ZipHandler>(); }

}  // namespace iotcop::unpack
