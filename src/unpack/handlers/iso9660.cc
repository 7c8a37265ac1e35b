// ISO 9660 images, bounded by the primary volume descriptor's volume space size.
#include <archive.h>

#include "unpack/handlers/libarchive_read.h"

namespace iotcop::unpack {
namespace {

class IsoHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "iso9660",
        "ISO 9660 image",
        "Primary volume descriptor (type 1, \"CD001\", version 1) at 0x8000. The chunk's length is "
        "the volume space size times the logical block size (both-endian fields must agree). "
        "Rock Ridge and Joliet names, modes and links are read by libarchive from memory.",
        {"ECMA-119", "libarchive"},
        "UDF-only images are not recognised."};
    return d;
  }
  std::vector<Magic> magics() const override {
    return {
        {"\x01"
         "CD001\x01",
         0x8000, true}};
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto pvd = Slice(data, offset + 0x8000, 2048);
    if (!pvd) return MakeError(Errc::kNotThisFormat, "short");
    const std::uint8_t* p = pvd->data();
    const auto blocks = LoadLe<std::uint32_t>(p + 80);
    const auto block = LoadLe<std::uint16_t>(p + 128);
    if (blocks != LoadBe<std::uint32_t>(p + 84) || block != LoadBe<std::uint16_t>(p + 130) ||
        (block != 512 && block != 1024 && block != 2048)) {
      return MakeError(Errc::kNotThisFormat, "inconsistent volume descriptor");
    }
    Chunk c;
    c.offset = offset;
    c.length = std::min<std::uint64_t>(std::uint64_t{blocks} * block, data.size() - offset);
    if (c.length < 0x8800) return MakeError(Errc::kNotThisFormat, "too small");
    c.description = "ISO 9660";
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    return handlers::ExtractWithLibarchive(ctx.view().subspan(chunk.offset, chunk.length),
                                           chunk.offset, archive_read_support_format_iso9660, ctx);
  }
};

}  // namespace

std::unique_ptr<Handler> MakeIsoHandler() { return std::make_unique<IsoHandler>(); }

}  // namespace iotcop::unpack
