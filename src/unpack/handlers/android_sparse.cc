// Android sparse images (img2simg, fastboot): raw, fill, don't-care and CRC chunks expanded into a
// blob that is scanned again.
#include <fmt/format.h>

#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint32_t kSparseMagic = 0xed26ff3a;
constexpr std::uint16_t kSparseRaw = 0xcac1, kSparseFill = 0xcac2, kSparseDontCare = 0xcac3,
                        kSparseCrc = 0xcac4;
constexpr std::uint64_t kSparseFileHeader = 28, kSparseChunkHeader = 12;

struct SparseInfo {
  std::uint32_t blk_sz = 0, total_blks = 0, total_chunks = 0, checksum = 0;
  std::uint16_t file_hdr = 0, chunk_hdr = 0;
};

class AndroidSparseHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "android_sparse",
        "Android sparse image",
        "Magic 0xED26FF3A, version 1.x, file header of at least 28 bytes and chunk headers of at "
        "least 12, a block size that is a non-zero multiple of 4 (at most 64 MiB). Identify walks "
        "every chunk header (raw 0xCAC1, fill 0xCAC2, don't-care 0xCAC3, CRC-32 0xCAC4), checks "
        "each chunk's total size against its type and block count, and requires the blocks to "
        "add up to the header's total: the chunk ends after the last chunk. The expanded image "
        "(total blocks x block size, refused beyond the run's byte limit) is written as a blob "
        "and scanned again; fill chunks repeat their 32-bit value, don't-care chunks become "
        "zeros. The CRC-32 of CRC chunks and the header's image checksum, when non-zero, are "
        "checked against the expanded data (a mismatch is a warning naming the chunk's offset).",
        {"AOSP system/core/libsparse/sparse_format.h, sparse_read.cpp"},
        "The expanded image is written out whole (holes as zeros), so its size counts against the "
        "extraction limits, including the per-chunk expansion ratio."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"\x3a\xff\x26\xed", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto h = Slice(data, offset, kSparseFileHeader);
    if (!h) return MakeError(Errc::kNotThisFormat, "short header");
    const std::uint8_t* p = h->data();
    if (LoadLe<std::uint32_t>(p) != kSparseMagic || LoadLe<std::uint16_t>(p + 4) != 1) {
      return MakeError(Errc::kNotThisFormat, "magic or version");
    }
    SparseInfo s;
    s.file_hdr = LoadLe<std::uint16_t>(p + 8);
    s.chunk_hdr = LoadLe<std::uint16_t>(p + 10);
    s.blk_sz = LoadLe<std::uint32_t>(p + 12);
    s.total_blks = LoadLe<std::uint32_t>(p + 16);
    s.total_chunks = LoadLe<std::uint32_t>(p + 20);
    s.checksum = LoadLe<std::uint32_t>(p + 24);
    if (s.file_hdr < kSparseFileHeader || s.chunk_hdr < kSparseChunkHeader || s.blk_sz == 0 ||
        s.blk_sz % 4 || s.blk_sz > (64u << 20) || s.total_chunks == 0) {
      return MakeError(Errc::kNotThisFormat, "header fields");
    }
    std::uint64_t pos = s.file_hdr, blocks = 0;
    const std::uint64_t avail = data.size() - offset;
    for (std::uint32_t i = 0; i < s.total_chunks; ++i) {
      auto c = Slice(data, offset + pos, kSparseChunkHeader);
      if (!c) return MakeError(Errc::kNotThisFormat, "chunk header beyond the data");
      const std::uint16_t type = LoadLe<std::uint16_t>(c->data());
      const std::uint32_t n = LoadLe<std::uint32_t>(c->data() + 4);
      const std::uint32_t total = LoadLe<std::uint32_t>(c->data() + 8);
      std::uint64_t want = s.chunk_hdr;
      if (type == kSparseRaw) {
        want += std::uint64_t{n} * s.blk_sz;
      } else if (type == kSparseFill || type == kSparseCrc) {
        want += 4;
      } else if (type != kSparseDontCare) {
        return MakeError(Errc::kNotThisFormat, "chunk type");
      }
      if (total != want || (type == kSparseCrc && n != 0)) {
        return MakeError(Errc::kNotThisFormat, "chunk size");
      }
      blocks += n;
      pos += total;
      if (pos > avail || blocks > s.total_blks) {
        return MakeError(Errc::kNotThisFormat, "chunks beyond the data or the block count");
      }
    }
    if (blocks != s.total_blks) return MakeError(Errc::kNotThisFormat, "block count");
    Chunk c;
    c.offset = offset;
    c.length = pos;
    c.description = fmt::format("Android sparse image, {} chunks, {} blocks of {} bytes",
                                s.total_chunks, s.total_blks, s.blk_sz);
    c.state = s;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& s = std::any_cast<const SparseInfo&>(chunk.state);
    const std::uint64_t out_size = std::uint64_t{s.total_blks} * s.blk_sz;
    if (out_size > ctx.limits().max_total_bytes) {
      ctx.Warn(chunk.offset + 16, fmt::format("sparse image expands to {} bytes, beyond the limit "
                                              "of {}; not expanded",
                                              out_size, ctx.limits().max_total_bytes));
      return Ok();
    }
    auto blob = ctx.NewBlob("");
    if (!blob) return blob.error();
    BlobSink* out = *blob;
    const ByteView v = ctx.view().subspan(chunk.offset, chunk.length);
    std::vector<std::uint8_t> buf(handlers::kStreamChunk);
    std::uint32_t crc = 0;
    // Writes `blocks` blocks of the repeated 4-byte `pattern`.
    auto repeat = [&](std::uint64_t blocks, std::uint32_t pattern) -> Status {
      for (std::size_t k = 0; k < buf.size(); ++k) {
        buf[k] = static_cast<std::uint8_t>(pattern >> (8 * (k % 4)));  // stored little-endian
      }
      std::uint64_t left = blocks * s.blk_sz;
      while (left > 0) {
        const std::uint64_t n = std::min<std::uint64_t>(left, buf.size());
        const ByteView piece(buf.data(), n);
        crc = handlers::Crc32(piece, crc);
        if (auto st = out->Write(piece); !st) return st;
        left -= n;
      }
      return Ok();
    };
    std::uint64_t pos = s.file_hdr;
    for (std::uint32_t i = 0; i < s.total_chunks; ++i) {
      const std::uint8_t* c = v.data() + pos;  // every header was bounded by Identify
      const std::uint16_t type = LoadLe<std::uint16_t>(c);
      const std::uint32_t n = LoadLe<std::uint32_t>(c + 4);
      const std::uint32_t total = LoadLe<std::uint32_t>(c + 8);
      const std::uint64_t body = pos + s.chunk_hdr;
      Status st = Ok();
      if (type == kSparseRaw) {
        const ByteView raw = v.subspan(body, std::uint64_t{n} * s.blk_sz);
        crc = handlers::Crc32(raw, crc);
        st = out->Write(raw);
        ctx.DoneWith(chunk.offset + body, raw.size());
      } else if (type == kSparseFill) {
        st = repeat(n, LoadLe<std::uint32_t>(v.data() + body));
      } else if (type == kSparseDontCare) {
        st = repeat(n, 0);
      } else if (type == kSparseCrc && LoadLe<std::uint32_t>(v.data() + body) != crc) {
        ctx.Warn(chunk.offset + pos, fmt::format("sparse CRC chunk {}: CRC-32 of the data so far "
                                                 "does not match",
                                                 i));
      }
      if (!st) {
        ctx.Warn(chunk.offset + pos,
                 fmt::format("sparse chunk {}: expansion stopped: {}", i, st.error().what));
        return Ok();
      }
      pos += total;
    }
    if (s.checksum != 0 && s.checksum != crc) {
      ctx.Warn(chunk.offset + 24, "sparse image checksum does not match the expanded data");
    }
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeAndroidSparseHandler() {
  return std::make_unique<AndroidSparseHandler>();
}

}  // namespace iotcop::unpack
