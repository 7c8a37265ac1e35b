// 7z archives, bounded by the start header's next-header offset and size (CRC checked).
#include <archive.h>

#include "unpack/handlers/common.h"
#include "unpack/handlers/libarchive_read.h"

namespace iotcop::unpack {
namespace {

class SevenZipHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "7z",
        "7z archive",
        "Signature 7z\\xBC\\xAF\\x27\\x1C; the start header's CRC-32 must match, and the chunk "
        "ends "
        "after the next header (offset and size from the start header, checked against the data). "
        "Entries are read by libarchive from memory through the jail.",
        {"7-Zip DOC/7zFormat.txt", "libarchive"},
        "Encrypted archives are not extracted."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"7z\xBC\xAF\x27\x1C", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto h = Slice(data, offset, 32);
    if (!h) return MakeError(Errc::kNotThisFormat, "short");
    if (handlers::Crc32(h->subspan(12, 20)) != LoadLe<std::uint32_t>(h->data() + 8)) {
      return MakeError(Errc::kNotThisFormat, "start header CRC");
    }
    const auto next_off = LoadLe<std::uint64_t>(h->data() + 12);
    const auto next_size = LoadLe<std::uint64_t>(h->data() + 20);
    auto end = CheckedAdd(32, next_off);
    if (end) end = CheckedAdd(*end, next_size);
    if (!end || *end == 32) return MakeError(Errc::kNotThisFormat, "bad next header");
    Chunk c;
    c.offset = offset;
    c.length = std::min<std::uint64_t>(*end, data.size() - offset);
    c.description = "7z";
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    return handlers::ExtractWithLibarchive(ctx.view().subspan(chunk.offset, chunk.length),
                                           chunk.offset, archive_read_support_format_7zip, ctx);
  }
};

}  // namespace

std::unique_ptr<Handler> MakeSevenZipHandler() { return std::make_unique<SevenZipHandler>(); }

}  // namespace iotcop::unpack
