// File: unpack/handlers/common.h
// Helpers shared by the format handlers: CRC32, zlib inflation into a blob, the chunk size used
// when streaming decompressed data, and the vendor SquashFS magics.
#pragma once

#include <cstdint>

#include "core/bytes.h"
#include "core/result.h"
#include "unpack/handler.h"

namespace iotcop::unpack::handlers {

inline constexpr std::size_t kStreamChunk = 256 * 1024;

// SquashFS magics renamed in vendor trees (sqlzma: "shsq"/"qshs"; DD-WRT: "hsqt"/"tqsh"; "sqlz"),
// claimed by the squashfs (4.0 little-endian) and squashfs3 (2.x/3.x) handlers, each for its
// versions; the version and byte order come from the superblock.
inline constexpr const char* kSquashfsVendorMagics[] = {"shsq", "qshs", "hsqt", "tqsh", "sqlz"};

// A stream chunk starting at `offset`: bounded by the rest of `data`, its real end found while
// decoding (Chunk::length_is_bound).
Chunk StreamChunk(ByteView data, std::uint64_t offset, std::string description,
                  std::any state = {});

// zlib's CRC-32 (IEEE) of `data`, continuing from `crc`.
std::uint32_t Crc32(ByteView data, std::uint32_t crc = 0);

struct StreamResult {
  std::uint64_t consumed = 0;  // input bytes used (0 when nothing decoded)
  std::uint64_t produced = 0;
  bool complete = false;  // the stream's end marker was reached
  Status status;          // why it stopped early (truncated, corrupt, limit)
};

// Inflates `in` (window_bits as for zlib's inflateInit2: -15 raw, 15 zlib, 31 gzip) into `out`.
StreamResult Inflate(ByteView in, int window_bits, BlobSink* out);

// Runs an initialised liblzma decoder (xz, lzma-alone) over `prefix` then `in` into `out`.
// `prefix` lets a handler feed a rebuilt header (LZMA streams without a size field).
StreamResult LzmaDecode(void* lzma_stream_ptr, ByteView prefix, ByteView in, BlobSink* out);

// The usual end of a stream handler's Extract: set consumed, warn about a truncated or corrupt
// stream at `offset` and keep what was decoded.
Status FinishStream(const StreamResult& r, std::uint64_t offset, std::uint64_t header_len,
                    ExtractContext& ctx);

}  // namespace iotcop::unpack::handlers
