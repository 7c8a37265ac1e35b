// File: unpack/handlers/tplink_safeloader.cc
// TP-Link "safeloader" factory images (Pharos CPE/WBS, Archer C2600/C7 v4+, EAP... and the
// OpenWrt factory images made by tplink-safeloader): the image size, an MD5 over a published
// 16-byte salt and the rest of the image, a vendor information block, then at 0x1014 a text
// partition table of "fwup-ptn NAME base 0x... size 0x..." lines whose bases count from 0x1014.
// Each listed partition (os-image, file-system, support-list...) is scanned in place.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/handlers/vendor_crypto.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kSafeloaderTableAt = 0x1014;  // the partition table; bases count from here
constexpr std::uint64_t kSafeloaderTableLen = 0x800;
constexpr std::uint64_t kSafeloaderVendorMax = 0x1014 - 0x18;
constexpr std::uint64_t kSafeloaderMd5At = 4;
constexpr std::size_t kSafeloaderMaxParts = 32;
constexpr std::size_t kSafeloaderMaxName = 32;
// The salt tplink-safeloader.c publishes (md5_salt), the same on most safeloader devices.
constexpr std::uint8_t kSafeloaderSalt[16] = {0x7a, 0x2b, 0x15, 0xed, 0x9b, 0x98, 0x59, 0x6d,
                                              0xe5, 0x04, 0xab, 0x44, 0xac, 0x2a, 0x9f, 0x4e};
constexpr std::string_view kSafeloaderEntry = "fwup-ptn ";

struct SafeloaderPart {
  std::string name;
  std::uint64_t base = 0;  // relative to the table
  std::uint64_t size = 0;
};

struct SafeloaderInfo {
  std::uint32_t size = 0;
  std::vector<SafeloaderPart> parts;
};

// Reads "0x" and 1 to 8 hex digits at `*p` (bounded by `end`); advances `*p`.
bool SafeloaderHex(const std::uint8_t** p, const std::uint8_t* end, std::uint64_t* v) {
  if (end - *p < 3 || (*p)[0] != '0' || ((*p)[1] | 0x20) != 'x') return false;
  *p += 2;
  *v = 0;
  int digits = 0;
  while (*p < end && digits < 9) {
    const std::uint8_t c = **p;
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') d = (c | 0x20) - 'a' + 10;
    if (d < 0) break;
    *v = *v * 16 + static_cast<std::uint64_t>(d);
    ++digits;
    ++*p;
  }
  return digits >= 1 && digits <= 8;
}

bool SafeloaderWord(const std::uint8_t** p, const std::uint8_t* end, std::string_view w) {
  if (static_cast<std::size_t>(end - *p) < w.size() || std::memcmp(*p, w.data(), w.size()) != 0)
    return false;
  *p += w.size();
  return true;
}

// Parses the partition table in `t`: entries up to the first NUL or 0xFF byte.
bool SafeloaderParse(ByteView t, std::vector<SafeloaderPart>* parts) {
  const std::uint8_t* p = t.data();
  const std::uint8_t* end = t.data() + t.size();
  while (p < end && *p != 0 && *p != 0xff) {
    if (parts->size() == kSafeloaderMaxParts || !SafeloaderWord(&p, end, kSafeloaderEntry))
      return false;
    SafeloaderPart part;
    while (p<end&& * p> 0x20 && *p < 0x7f && part.name.size() <= kSafeloaderMaxName)
      part.name += static_cast<char>(*p++);
    if (part.name.empty() || part.name.size() > kSafeloaderMaxName) return false;
    if (!SafeloaderWord(&p, end, " base ") || !SafeloaderHex(&p, end, &part.base) ||
        !SafeloaderWord(&p, end, " size ") || !SafeloaderHex(&p, end, &part.size)) {
      return false;
    }
    if (p < end && *p == '\t') ++p;
    if (p < end && *p == '\r') ++p;
    if (!SafeloaderWord(&p, end, "\n")) return false;
    parts->push_back(std::move(part));
  }
  return !parts->empty();
}

class TplinkSafeloaderHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "tplink_safeloader",
        "TP-Link safeloader factory image",
        "Found by the partition table's first entry \"fwup-ptn \" at offset 0x1014. Big endian: "
        "the image size (offset 0: at least 0x1814 and inside the data), the MD5 of the published "
        "16-byte salt followed by everything from offset 0x14 to the image's end (offset 4), the "
        "vendor information length (offset 0x14, at most 4092) and text. The 2048-byte table "
        "must parse entirely: up to 32 lines \"fwup-ptn NAME base 0xHEX size 0xHEX\" (tab, "
        "CR, LF), ended by a NUL or 0xFF byte, each partition after the table and inside the "
        "image (bases count from 0x1014). The MD5 is verified; a mismatch is a warning naming "
        "offset 4. Every partition (os-image, file-system, support-list, soft-version...) is "
        "scanned in place, named by its partition name.",
        {"OpenWrt firmware-utils src/tplink-safeloader.c (generate_factory_image, "
         "put_partitions, md5_salt)",
         "unblob unblob/handlers/archive/tplink (safeloader)"},
        "Older VxWorks-based images with a shorter vendor block (table elsewhere than 0x1014), "
        "and images signed with RSA after the MD5 block (the signature is not verified), are "
        "recognised only when the table is at 0x1014. Devices that use another MD5 salt get the "
        "checksum warning; their partitions still come out."};
    return d;
  }
  std::vector<Magic> magics() const override {
    return {{std::string(kSafeloaderEntry), kSafeloaderTableAt, true}};
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto head = Slice(data, offset, kSafeloaderTableAt + kSafeloaderTableLen);
    if (!head) return MakeError(Errc::kNotThisFormat, "short header");
    SafeloaderInfo info;
    info.size = LoadBe<std::uint32_t>(head->data());
    if (info.size < kSafeloaderTableAt + kSafeloaderTableLen ||
        !Fits(data.size(), offset, info.size)) {
      return MakeError(Errc::kNotThisFormat, "image size");
    }
    const std::uint32_t vendor_len = LoadBe<std::uint32_t>(head->data() + 0x14);
    if (vendor_len > kSafeloaderVendorMax) return MakeError(Errc::kNotThisFormat, "vendor length");
    if (!SafeloaderParse(head->subspan(kSafeloaderTableAt, kSafeloaderTableLen), &info.parts)) {
      return MakeError(Errc::kNotThisFormat, "partition table");
    }
    for (const auto& p : info.parts) {
      if (p.base < kSafeloaderTableLen || !Fits(info.size - kSafeloaderTableAt, p.base, p.size)) {
        return MakeError(Errc::kNotThisFormat, "partition outside the image");
      }
    }
    std::string vendor;
    for (std::uint32_t i = 0; i < vendor_len && vendor.size() < 64; ++i) {
      const std::uint8_t c = (*head)[0x18 + i];
      if (c == '\r' || c == '\n' || c == 0) break;
      vendor += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
    }
    std::string names;
    for (const auto& p : info.parts) names += (names.empty() ? "" : ", ") + p.name;
    Chunk c;
    c.offset = offset;
    c.length = info.size;
    c.description = vendor.empty()
                        ? fmt::format("TP-Link safeloader, partitions: {}", names)
                        : fmt::format("TP-Link safeloader '{}', partitions: {}", vendor, names);
    c.state = std::move(info);
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& info = std::any_cast<const SafeloaderInfo&>(chunk.state);
    const ByteView image = ctx.view().subspan(chunk.offset, info.size);
    handlers::EvpDigest md5("MD5");
    md5.Update(ByteView(kSafeloaderSalt, sizeof kSafeloaderSalt));
    md5.Update(image.subspan(0x14));
    const std::string got = md5.Final();
    if (got.size() != 16 || std::memcmp(got.data(), image.data() + kSafeloaderMd5At, 16) != 0) {
      ctx.Warn(chunk.offset + kSafeloaderMd5At,
               "safeloader MD5 (published salt) does not match the image (another salt, or "
               "damaged)");
    }
    for (const auto& p : info.parts) {
      if (p.size == 0) continue;
      ctx.ScanRange(chunk.offset + kSafeloaderTableAt + p.base, p.size, p.name);
    }
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeTplinkSafeloaderHandler() {
  return std::make_unique<TplinkSafeloaderHandler>();
}

}  // namespace iotcop::unpack
