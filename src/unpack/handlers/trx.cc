// Broadcom TRX firmware containers (v1 and v2): CRC-checked header with partition offsets.
#include <fmt/format.h>

#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

struct Trx {
  std::uint32_t len;
  std::uint16_t version;
  std::vector<std::uint32_t> parts;
};

class TrxHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "trx",
        "Broadcom TRX (v1/v2)",
        "Header magic \"HDR0\", total length, CRC-32 (over the image from offset 12, as Broadcom's "
        "CFE computes it: zlib CRC with the final inversion undone), flags and version (1: three "
        "partition offsets, 2: four). The CRC must match; each partition offset must lie inside "
        "the image and they must increase. Each partition is scanned in place and identified by "
        "content (typically LZMA kernel and SquashFS).",
        {"OpenWrt tools/firmware-utils/src/trx.c"},
        "Vendor variants with a different magic or checksum are not recognised."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"HDR0", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto h = Slice(data, offset, 32);
    if (!h) return MakeError(Errc::kNotThisFormat, "short");
    Trx t;
    t.len = LoadLe<std::uint32_t>(h->data() + 4);
    const std::uint32_t crc = LoadLe<std::uint32_t>(h->data() + 8);
    t.version = LoadLe<std::uint16_t>(h->data() + 14);
    if ((t.version != 1 && t.version != 2) || t.len < 28 || !Fits(data.size(), offset, t.len)) {
      return MakeError(Errc::kNotThisFormat, "header");
    }
    const std::uint32_t header = t.version == 1 ? 28 : 32;
    if (t.len < header) return MakeError(Errc::kNotThisFormat, "length");
    if (~handlers::Crc32(data.subspan(offset + 12, t.len - 12)) != crc) {
      return MakeError(Errc::kNotThisFormat, "CRC");
    }
    std::uint32_t prev = header - 1;
    for (int i = 0; i < (t.version == 1 ? 3 : 4); ++i) {
      const std::uint32_t p = LoadLe<std::uint32_t>(h->data() + 16 + 4 * i);
      if (p == 0) continue;
      if (p <= prev || p >= t.len) return MakeError(Errc::kNotThisFormat, "partition offset");
      t.parts.push_back(p);
      prev = p;
    }
    if (t.parts.empty()) return MakeError(Errc::kNotThisFormat, "no partitions");
    Chunk c;
    c.offset = offset;
    c.length = t.len;
    c.description = fmt::format("TRX v{}, {} partitions", t.version, t.parts.size());
    c.state = t;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& t = std::any_cast<const Trx&>(chunk.state);
    for (std::size_t i = 0; i < t.parts.size(); ++i) {
      const std::uint64_t end = i + 1 < t.parts.size() ? t.parts[i + 1] : t.len;
      ctx.ScanRange(chunk.offset + t.parts[i], end - t.parts[i], fmt::format("part{}", i));
    }
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeTrxHandler() { return std::make_unique<TrxHandler>(); }

}  // namespace iotcop::unpack
