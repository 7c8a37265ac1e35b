// File: unpack/handlers/seama.cc
// SEAMA firmware containers (D-Link DIR-8xx, DAP, DCS; written by OpenWrt's mkseama/oseama and
// D-Link's own tools): an entity is a 28-byte big-endian header (magic, reserved, meta size,
// image size, MD5 of the image), NUL-separated "key=value" meta data and the image; a seal is the
// 12-byte header without MD5, its meta data, then entities. The image is scanned in place.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/handlers/vendor_crypto.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kSeamaSeal = 12;
constexpr std::uint64_t kSeamaEntity = 28;
constexpr std::uint64_t kSeamaMaxMeta = 4096;
const std::string kSeamaMagic("\x5e\xa3\xa4\x17\x00\x00", 6);  // magic and reserved (zero)

struct SeamaInfo {
  bool seal = false;
  std::uint64_t payload_at = 0;   // relative to the chunk
  std::uint64_t payload_len = 0;  // bounded by the data
  std::uint32_t declared = 0;     // the image size the header declares
  bool md5_ok = false;
};

// Meta data: printable "key=value" strings separated (and padded) by NUL bytes.
bool SeamaMetaOk(ByteView meta) {
  return std::all_of(meta.begin(), meta.end(),
                     [](std::uint8_t c) { return c == 0 || (c >= 0x20 && c < 0x7f); });
}

std::string SeamaMetaText(ByteView meta) {
  std::string out;
  for (std::uint8_t c : meta) {
    if (c == 0) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.substr(0, 120);
}

class SeamaHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "seama",
        "SEAMA firmware container (D-Link)",
        "Big-endian header at magic 0x5EA3A417 with a zero reserved field, a meta-data size "
        "(at most 4096 bytes of printable NUL-separated \"key=value\" strings) and an image "
        "size. A seal (a header without MD5 whose meta data is followed by another SEAMA "
        "header) spans its declared size, bounded by the data, and its entities are scanned in "
        "place and carved one by one. An entity (28-byte header with the MD5 of its image) "
        "must declare a non-empty image; the MD5 is verified and a mismatch is a warning naming "
        "the digest's offset; an image that runs past the data is bounded by it with a "
        "warning. The image is scanned in place.",
        {"OpenWrt tools/firmware-utils/src/seama.h, mkseama.c, oseama.c",
         "OpenWrt target/linux/generic/files/drivers/mtd/mtdsplit/mtdsplit_seama.c"},
        "The meta data is reported, not interpreted; the little-endian variant binwalk "
        "mentions is not recognised."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{kSeamaMagic, 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto h = Slice(data, offset, kSeamaSeal);
    if (!h) return MakeError(Errc::kNotThisFormat, "short header");
    const std::uint16_t metasize = LoadBe<std::uint16_t>(h->data() + 6);
    SeamaInfo info;
    info.declared = LoadBe<std::uint32_t>(h->data() + 8);
    if (metasize > kSeamaMaxMeta) return MakeError(Errc::kNotThisFormat, "meta size");
    const std::uint64_t rest = data.size() - offset;
    // A seal: the meta data right after the 12-byte header, then another SEAMA header.
    if (auto next = Slice(data, offset + kSeamaSeal + metasize, kSeamaMagic.size());
        next && std::memcmp(next->data(), kSeamaMagic.data(), kSeamaMagic.size()) == 0 &&
        SeamaMetaOk(data.subspan(offset + kSeamaSeal, metasize))) {
      info.seal = true;
      info.payload_at = kSeamaSeal + metasize;
      info.payload_len = info.declared == 0
                             ? rest - info.payload_at
                             : std::min<std::uint64_t>(info.declared, rest - info.payload_at);
      Chunk c;
      c.offset = offset;
      c.length = info.payload_at + info.payload_len;
      c.description = fmt::format("SEAMA seal, meta '{}'",
                                  SeamaMetaText(data.subspan(offset + kSeamaSeal, metasize)));
      c.state = info;
      return c;
    }
    auto meta = Slice(data, offset + kSeamaEntity, metasize);
    if (!meta || !SeamaMetaOk(*meta) || info.declared == 0) {
      return MakeError(Errc::kNotThisFormat, "entity header");
    }
    info.payload_at = kSeamaEntity + metasize;
    if (info.payload_at >= rest) return MakeError(Errc::kNotThisFormat, "no image");
    info.payload_len = std::min<std::uint64_t>(info.declared, rest - info.payload_at);
    if (info.payload_len == info.declared) {
      const std::string md5 =
          handlers::DigestOf("MD5", data.subspan(offset + info.payload_at, info.payload_len));
      info.md5_ok = md5.size() == 16 && std::memcmp(md5.data(), h->data() + 12, 16) == 0;
    }
    Chunk c;
    c.offset = offset;
    c.length = info.payload_at + info.payload_len;
    c.description =
        fmt::format("SEAMA entity, {} bytes, meta '{}'", info.declared, SeamaMetaText(*meta));
    c.state = info;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& info = std::any_cast<const SeamaInfo&>(chunk.state);
    if (!info.seal && info.payload_len < info.declared) {
      ctx.Warn(chunk.offset + chunk.length,
               fmt::format("SEAMA image truncated: header at 0x{:x} declares {} bytes, {} present",
                           chunk.offset, info.declared, info.payload_len));
    } else if (!info.seal && !info.md5_ok) {
      ctx.Warn(chunk.offset + 12, "SEAMA image does not match the header's MD5");
    }
    if (info.payload_len != 0) {
      ctx.ScanRange(chunk.offset + info.payload_at, info.payload_len,
                    info.seal ? "entities" : "image");
    }
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeSeamaHandler() { return std::make_unique<SeamaHandler>(); }

}  // namespace iotcop::unpack
