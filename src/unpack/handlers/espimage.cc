// File: unpack/handlers/espimage.cc
// Espressif ESP8266/ESP32 application and bootloader images as the ROM bootloader loads them
// (esptool elf2image): header, on the ESP32 family an extended header, segments (load address,
// length, data), the XOR checksum byte at the end of a 16-byte line and, when the extended header
// says so, the appended SHA-256 of the image. Segments become notes and are scanned in place.

#include <cstring>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/handlers/vendor_crypto.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint8_t kEspMagic = 0xE9;
constexpr unsigned kEspMaxSegments = 16;  // ESP_IMAGE_MAX_SEGMENTS
constexpr std::uint64_t kEspHeader = 8;
constexpr std::uint64_t kEsp32Header = 24;  // with the extended header
constexpr std::uint64_t kEspMaxSegment = 16u << 20;
constexpr std::uint32_t kEspAppDescMagic = 0xABCD5432;
// Every Espressif chip maps its RAM, flash caches and RTC memory into this window.
constexpr std::uint32_t kEspAddrLow = 0x3F000000, kEspAddrHigh = 0x60000000;

const char* EspChipName(std::uint16_t id) {
  switch (id) {
    case 0x00:
      return "ESP32";
    case 0x02:
      return "ESP32-S2";
    case 0x05:
      return "ESP32-C3";
    case 0x09:
      return "ESP32-S3";
    case 0x0C:
      return "ESP32-C2";
    case 0x0D:
      return "ESP32-C6";
    case 0x10:
      return "ESP32-H2";
    case 0x12:
      return "ESP32-P4";
    case 0x14:
      return "ESP32-C61";
    case 0x17:
      return "ESP32-C5";
  }
  return nullptr;
}

struct EspSegment {
  std::uint32_t load = 0, length = 0;
  std::uint64_t header_at = 0;  // in the view
};

struct EspImage {
  bool esp32 = false;
  std::uint16_t chip = 0;
  std::uint32_t entry = 0;
  std::vector<EspSegment> segments;
  std::uint64_t checksum_at = 0;  // in the view
  std::uint8_t checksum = 0;      // computed
  bool hash_appended = false;
  std::string app;  // "project 'x' version 'y', ESP-IDF v5.1" from esp_app_desc_t
};

bool EspAddr(std::uint32_t a) { return a >= kEspAddrLow && a < kEspAddrHigh; }

// A printable NUL-terminated field of at most n bytes ("" when not printable).
std::string EspField(const std::uint8_t* p, std::size_t n) {
  std::string s(reinterpret_cast<const char*>(p), strnlen(reinterpret_cast<const char*>(p), n));
  for (char c : s) {
    if (c < 0x20 || c >= 0x7f) return {};
  }
  return s;
}

// The segment table after a header of `header` bytes; nullopt when it does not fit the data.
std::optional<EspImage> WalkEsp(ByteView v, std::uint64_t header, unsigned count) {
  EspImage img;
  std::uint64_t pos = header;
  std::uint8_t sum = 0xEF;
  for (unsigned i = 0; i < count; ++i) {
    if (!Fits(v.size(), pos, 8)) return std::nullopt;
    EspSegment s{LoadLe<std::uint32_t>(v.data() + pos), LoadLe<std::uint32_t>(v.data() + pos + 4),
                 pos};
    if (!EspAddr(s.load) || s.length > kEspMaxSegment || !Fits(v.size(), pos + 8, s.length)) {
      return std::nullopt;
    }
    for (std::uint64_t k = 0; k < s.length; ++k) sum ^= v[pos + 8 + k];
    img.segments.push_back(s);
    pos += 8 + s.length;
  }
  img.checksum_at = pos + (15 - pos % 16);
  if (img.checksum_at >= v.size()) return std::nullopt;
  img.checksum = sum;
  return img;
}

class EspImageHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "espimage",
        "Espressif ESP8266/ESP32 application image",
        "Header magic 0xE9 with 1 to 16 segments and a flash mode of 0 to 5. ESP32-family images "
        "(ESP32, -S2, -S3, -C2, -C3, -C5, -C6, -C61, -H2, -P4) have the 16-byte extended header "
        "(known chip id, reserved bytes zero, hash-appended flag 0 or 1); otherwise the 8-byte "
        "ESP8266 header is used. The entry point and every segment's load address must lie in "
        "the chips' memory window 0x3F000000-0x5FFFFFFF and every segment (at most 16 MiB) inside "
        "the data. The XOR checksum (seed 0xEF) of all segment data, stored in the byte that ends "
        "a 16-byte line after the last segment, is checked, and so is the SHA-256 of the image "
        "appended when the extended header says so; a mismatch is a warning naming its offset. "
        "Each segment is listed as a note (kind \"esp-segment\": load address and size) and "
        "scanned in place; the ESP-IDF application description (esp_app_desc_t: project, "
        "version, ESP-IDF version) in the first segment becomes a note (kind \"esp-app\").",
        {"esptool docs/en/advanced-topics/firmware-image-format.rst, esptool bin_image.py",
         "ESP-IDF components/bootloader_support/include/esp_app_format.h, esp_app_desc.h"},
        "Secure boot signature blocks after the image, flash encryption and the ESP8266 \"v2\" "
        "image (magic 0xEA) are not handled; segments are not reassembled into an ELF."};
    return d;
  }
  std::vector<Magic> magics() const override {
    std::vector<Magic> m;
    for (unsigned n = 1; n <= kEspMaxSegments; ++n) {
      m.push_back({std::string{static_cast<char>(kEspMagic), static_cast<char>(n)}, 0, true});
    }
    return m;
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    const ByteView v = data.subspan(offset);
    if (v.size() < kEsp32Header + 16 || v[0] != kEspMagic)
      return MakeError(Errc::kNotThisFormat, "short");
    const unsigned count = v[1];
    const std::uint32_t entry = LoadLe<std::uint32_t>(v.data() + 4);
    if (count == 0 || count > kEspMaxSegments || v[2] > 5 || !EspAddr(entry)) {
      return MakeError(Errc::kNotThisFormat, "header");
    }
    std::optional<EspImage> img;
    const std::uint16_t chip = LoadLe<std::uint16_t>(v.data() + 12);
    if (EspChipName(chip) && v[23] <= 1 && LoadLe<std::uint32_t>(v.data() + 19) == 0) {
      img = WalkEsp(v, kEsp32Header, count);
      if (img) {
        img->esp32 = true;
        img->chip = chip;
        img->hash_appended = v[23] == 1;
      }
    }
    if (!img) img = WalkEsp(v, kEspHeader, count);
    if (!img) return MakeError(Errc::kNotThisFormat, "segments");
    img->entry = entry;
    const auto& s0 = img->segments[0];
    if (s0.length >= 256 &&
        LoadLe<std::uint32_t>(v.data() + s0.header_at + 8) == kEspAppDescMagic) {
      const std::uint8_t* d = v.data() + s0.header_at + 8;  // esp_app_desc_t
      img->app = fmt::format("project '{}' version '{}', built {} {}, ESP-IDF {}",
                             EspField(d + 48, 32), EspField(d + 16, 32), EspField(d + 96, 16),
                             EspField(d + 80, 16), EspField(d + 112, 32));
    }
    std::uint64_t length = img->checksum_at + 1;
    if (img->hash_appended) length = std::min<std::uint64_t>(length + 32, v.size());
    // Offsets in the view from here on.
    img->checksum_at += offset;
    for (auto& s : img->segments) s.header_at += offset;
    Chunk c;
    c.offset = offset;
    c.length = length;
    c.description = fmt::format("{} image, {} segments, entry {:#x}",
                                img->esp32 ? EspChipName(img->chip) : "ESP8266",
                                img->segments.size(), img->entry);
    c.state = std::move(*img);
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& img = std::any_cast<const EspImage&>(chunk.state);
    const ByteView v = ctx.view();
    if (v[img.checksum_at] != img.checksum) {
      ctx.Warn(img.checksum_at, fmt::format("ESP image checksum byte is {:#04x}, the segments give "
                                            "{:#04x}",
                                            v[img.checksum_at], img.checksum));
    }
    if (img.hash_appended) {
      const std::uint64_t hashed = img.checksum_at + 1 - chunk.offset;
      if (chunk.length < hashed + 32) {
        ctx.Warn(img.checksum_at + 1, "ESP image SHA-256 missing: the image is truncated");
      } else {
        const std::string md = handlers::DigestOf("SHA256", v.subspan(chunk.offset, hashed));
        const bool ok =
            md.size() == 32 && std::memcmp(md.data(), v.data() + img.checksum_at + 1, 32) == 0;
        if (!ok) {
          ctx.Warn(img.checksum_at + 1, "ESP image appended SHA-256 does not match the image");
        }
      }
    }
    if (!img.app.empty()) ctx.AddNote("esp-app", img.app, img.segments[0].header_at + 8);
    for (std::size_t i = 0; i < img.segments.size(); ++i) {
      const auto& s = img.segments[i];
      ctx.AddNote("esp-segment",
                  fmt::format("segment {}: {:#x} bytes loaded at {:#010x}", i, s.length, s.load),
                  s.header_at);
      if (s.length > 0) ctx.ScanRange(s.header_at + 8, s.length, fmt::format("seg{}", i));
    }
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeEspImageHandler() { return std::make_unique<EspImageHandler>(); }

}  // namespace iotcop::unpack
