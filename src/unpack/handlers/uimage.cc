// U-Boot legacy uImage (incl. multi-file images): 64-byte big-endian header with a header CRC.
#include <cstring>

#include <fmt/format.h>

#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

using handlers::Crc32;

constexpr std::uint64_t kUImageHeader = 64;
constexpr std::uint8_t kTypeMulti = 4;

const char* CompName(std::uint8_t c) {
  switch (c) {
    case 0:
      return "none";
    case 1:
      return "gzip";
    case 2:
      return "bzip2";
    case 3:
      return "lzma";
    case 4:
      return "lzo";
    case 5:
      return "lz4";
    case 6:
      return "zstd";
  }
  return "unknown";
}

constexpr std::uint64_t kUImageCrcPiece = 4u << 20;

struct UImageHeader {
  std::uint32_t size, dcrc;
  std::uint8_t os, arch, type, comp;
  std::string name;
};

class UImageHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "uimage",
        "U-Boot legacy uImage",
        "64-byte big-endian header (magic 0x27051956). The header CRC-32 must match; the data size "
        "is bounded by the input; the data CRC is checked and a mismatch is a warning. The payload "
        "is identified by its content, not by the header's compression field (headers that say "
        "\"none\" over a gzip payload are common). Multi-file images (type 4) are split using "
        "their size table.",
        {"U-Boot include/image.h", "U-Boot tools/mkimage.c"},
        "The header's compression claim is only reported; a payload compressed with an unknown "
        "scheme is reported as an unknown region."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"\x27\x05\x19\x56", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto hdr = Slice(data, offset, kUImageHeader);
    if (!hdr) return MakeError(Errc::kNotThisFormat, "short header");
    std::uint8_t copy[kUImageHeader];
    std::memcpy(copy, hdr->data(), kUImageHeader);
    const std::uint32_t hcrc = LoadBe<std::uint32_t>(copy + 4);
    std::memset(copy + 4, 0, 4);
    if (Crc32(ByteView(copy, kUImageHeader)) != hcrc)
      return MakeError(Errc::kNotThisFormat, "header CRC");
    UImageHeader h;
    h.size = LoadBe<std::uint32_t>(copy + 12);
    h.dcrc = LoadBe<std::uint32_t>(copy + 24);
    h.os = copy[28];
    h.arch = copy[29];
    h.type = copy[30];
    h.comp = copy[31];
    const char* name = reinterpret_cast<const char*>(copy + 32);
    h.name.assign(name, strnlen(name, 32));
    Chunk c;
    c.offset = offset;
    c.length = std::min<std::uint64_t>(kUImageHeader + h.size, data.size() - offset);
    c.description = fmt::format("uImage '{}', type {}, header says compression {}", h.name, h.type,
                                CompName(h.comp));
    c.state = h;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& h = std::any_cast<const UImageHeader&>(chunk.state);
    const std::uint64_t start = chunk.offset + kUImageHeader;
    const std::uint64_t avail = chunk.length - kUImageHeader;
    if (avail < h.size) {
      ctx.Warn(start + avail, fmt::format("uImage data truncated: header says {} bytes, {} present",
                                          h.size, avail));
    } else {
      // In pieces, each let go once summed: the payload is read again by whatever handles it, and
      // a large image's pages need not all be in memory at once.
      std::uint32_t crc = 0;
      for (std::uint64_t at = 0; at < avail; at += kUImageCrcPiece) {
        const std::uint64_t n = std::min(kUImageCrcPiece, avail - at);
        crc = Crc32(ctx.view().subspan(start + at, n), crc);
        ctx.DoneWith(start + at, n);
      }
      if (crc != h.dcrc) ctx.Warn(start, "uImage data CRC does not match the header");
    }
    if (avail == 0) return Ok();
    if (h.type != kTypeMulti) {
      ctx.ScanRange(start, avail, "");
      return Ok();
    }
    // Multi-file: big-endian sizes, 0-terminated, then each image padded to 4 bytes.
    ByteReader r(ctx.view().subspan(start, avail), ctx.view_name(), start);
    std::vector<std::uint32_t> sizes;
    while (true) {
      auto s = r.Read<std::uint32_t>(Endian::kBig);
      if (!s) return s.error();
      if (*s == 0) break;
      sizes.push_back(*s);
      if (sizes.size() > 1024) return MakeError(Errc::kCorrupt, "multi-file size table too long");
    }
    std::uint64_t pos = r.pos();
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      if (!Fits(avail, pos, sizes[i])) {
        ctx.Warn(start + pos, fmt::format("multi-file part {} truncated", i));
        if (pos < avail) ctx.ScanRange(start + pos, avail - pos, fmt::format("part{}", i));
        break;
      }
      ctx.ScanRange(start + pos, sizes[i], fmt::format("part{}", i));
      pos += (sizes[i] + 3u) & ~std::uint64_t{3};
    }
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeUImageHandler() { return std::make_unique<UImageHandler>(); }

}  // namespace iotcop::unpack
