// File: unpack/handlers/hex_records.h
// What the text record formats of microcontroller images (Intel HEX, Motorola S-record) share:
// splitting the text into lines, decoding hex pairs, and turning the checked data records into
// binary memory images. Records may come in any address order; the image is written in address
// order, gaps up to kHexMaxFill are filled with 0xFF (erased flash, kHexMaxTotalFill in all), a
// larger gap starts a new region (its own blob, at most kHexMaxRegions), so a sparse image never
// becomes gigabytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "unpack/handler.h"

namespace iotcop::unpack::handlers {

inline constexpr std::uint64_t kHexMaxFill = 1u << 20;        // bytes of 0xFF between records
inline constexpr std::uint64_t kHexMaxTotalFill = 16u << 20;  // bytes of 0xFF in all regions
inline constexpr std::size_t kHexMaxRegions = 64;             // separate memory regions written
inline constexpr std::size_t kHexMaxLine = 600;               // longest record line (both formats)
inline constexpr std::size_t kHexMaxWarnings = 16;            // per chunk, then a count

// One data record: `length` bytes at `address`, hex-encoded at `data_at` of the view.
struct HexRecord {
  std::uint64_t address = 0;
  std::uint64_t data_at = 0;
  std::uint32_t length = 0;
  std::uint64_t line = 0;  // 1-based line number in the chunk
};

struct HexProblem {
  std::uint64_t offset = 0;  // in the view
  std::string message;       // names the line
};

// A parsed record file: what Identify found, handed to Extract.
struct HexParse {
  std::vector<HexRecord> records;
  std::vector<HexProblem> problems;
  std::uint64_t length = 0;  // bytes of the chunk (through the last record line)
  std::uint64_t lines = 0;
  std::uint64_t data_bytes = 0;
  bool terminated = false;  // an end/termination record was seen
  std::optional<std::uint64_t> entry;
  std::uint64_t base = 0;          // Intel HEX: the segment or linear base address
  std::uint64_t data_records = 0;  // S-record: data records seen (for S5/S6)
};

// What a format's record decoder says about one line.
enum class HexStep {
  kNext,       // a record (or a skipped bad one): go on
  kEnd,        // the end/termination record
  kMalformed,  // not a well-formed record: the image ends before this line
  kNotFormat,  // the first line is not a valid record (bad checksum, unknown type)
};
// Decodes one record line (without its line end) starting at `at` of the view, adding what it
// finds to `p`; `first` is true for the image's first record.
using HexRecordFn = HexStep (*)(std::string_view line, std::uint64_t at, std::uint64_t line_no,
                                bool first, HexParse& p);

// Walks the record lines from `offset` of `data` (LF or CRLF, blank lines tolerated, lines of at
// most kHexMaxLine characters starting with `lead`), calling `record` for each. nullopt when the
// first line is not a record or no data record was found; a missing end record ("end-of-file
// record", named by `end_record`) is a problem of the parse.
std::optional<HexParse> ParseHexLines(ByteView data, std::uint64_t offset, char lead,
                                      std::string_view id, std::string_view end_record,
                                      HexRecordFn record);

// The chunk of a parsed image ("Intel HEX, 12 lines, 176 data bytes, entry 0x8000000").
Chunk HexChunk(HexParse p, std::uint64_t offset, std::string_view format_name);
// Decodes the 2*n hex digits of `hex` into out[0..n); false on a non-hex character.
bool DecodeHexPairs(std::string_view hex, std::uint8_t* out, std::size_t n);

// Writes the records of `p` as binary regions (blobs "<chunk>.<id>.0x<address>"), warning about
// overlaps, large gaps and the problems found while parsing (at most kHexMaxWarnings, then a
// count).
Status WriteHexImage(const HexParse& p, const Chunk& chunk, std::string_view id,
                     ExtractContext& ctx);

}  // namespace iotcop::unpack::handlers
