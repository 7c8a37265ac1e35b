// File: unpack/handlers/ihex.cc
// Intel HEX (I8HEX/I16HEX/I32HEX) text images of microcontroller flash: every record's checksum
// is checked line by line, extended segment/linear address records move the base, and the data
// records become binary memory regions (hex_records.h) that the engine scans again.
#include <fmt/format.h>

#include "unpack/handlers/hex_records.h"

namespace iotcop::unpack {
namespace {

using handlers::HexParse;

enum IhexType : std::uint8_t {
  kIhexData = 0,
  kIhexEof = 1,
  kIhexSegment = 2,
  kIhexStartSegment = 3,
  kIhexLinear = 4,
  kIhexStartLinear = 5,
};

// One decoded record line: ':' count, address (2), type, data, checksum.
struct IhexLine {
  std::uint8_t count = 0, type = 0;
  std::uint16_t address = 0;
  std::uint8_t data[255] = {};
  bool checksum_ok = false;
};

// Decodes `line`; an empty optional when it is not a well-formed record (not a checksum error).
std::optional<IhexLine> DecodeIhexLine(std::string_view line) {
  if (line.size() < 11 || line[0] != ':' || (line.size() - 1) % 2 != 0) return std::nullopt;
  std::uint8_t head[4];
  if (!handlers::DecodeHexPairs(line.substr(1), head, 4)) return std::nullopt;
  IhexLine r;
  r.count = head[0];
  r.address = static_cast<std::uint16_t>(head[1] << 8 | head[2]);
  r.type = head[3];
  if (line.size() != 11 + 2 * std::size_t{r.count}) return std::nullopt;
  std::uint8_t sum_byte = 0;
  if (!handlers::DecodeHexPairs(line.substr(9), r.data, r.count) ||
      !handlers::DecodeHexPairs(line.substr(9 + 2 * std::size_t{r.count}), &sum_byte, 1)) {
    return std::nullopt;
  }
  unsigned sum = head[0] + head[1] + head[2] + head[3] + sum_byte;
  for (unsigned i = 0; i < r.count; ++i) sum += r.data[i];
  r.checksum_ok = (sum & 0xff) == 0;
  return r;
}

std::uint32_t IhexBe(const std::uint8_t* p, int n) {
  std::uint32_t v = 0;
  for (int i = 0; i < n; ++i) v = v << 8 | p[i];
  return v;
}

// One record line into `p`: the base moves with address records, data records are kept.
handlers::HexStep IhexRecord(std::string_view line, std::uint64_t at, std::uint64_t line_no,
                             bool first, HexParse& p) {
  using handlers::HexStep;
  const auto r = DecodeIhexLine(line);
  if (!r) return HexStep::kMalformed;
  if (first && (!r->checksum_ok || r->type > kIhexStartLinear)) return HexStep::kNotFormat;
  if (!r->checksum_ok) {
    p.problems.push_back(
        {at, fmt::format("ihex line {}: checksum mismatch; record skipped", line_no)});
    return HexStep::kNext;
  }
  const auto length_is = [&](unsigned want) {
    if (r->count == want) return true;
    p.problems.push_back({at, fmt::format("ihex line {}: record type {} with {} data bytes "
                                          "(must be {}); record skipped",
                                          line_no, r->type, r->count, want)});
    return false;
  };
  switch (r->type) {
    case kIhexData:
      if (r->count > 0) {
        p.records.push_back({p.base + r->address, at + 9, r->count, line_no});
        p.data_bytes += r->count;
      }
      break;
    case kIhexEof:
      return HexStep::kEnd;
    case kIhexSegment:
      if (length_is(2)) p.base = std::uint64_t{IhexBe(r->data, 2)} << 4;
      break;
    case kIhexLinear:
      if (length_is(2)) p.base = std::uint64_t{IhexBe(r->data, 2)} << 16;
      break;
    case kIhexStartSegment:
      if (length_is(4)) p.entry = (IhexBe(r->data, 2) << 4) + IhexBe(r->data + 2, 2);
      break;
    case kIhexStartLinear:
      if (length_is(4)) p.entry = IhexBe(r->data, 4);
      break;
    default:
      p.problems.push_back(
          {at, fmt::format("ihex line {}: unknown record type {}; skipped", line_no, r->type)});
  }
  return HexStep::kNext;
}

class IhexHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "ihex",
        "Intel HEX",
        "Text records \":LLAAAATT<data>CC\" line by line (LF or CRLF, blank lines tolerated, at "
        "most "
        "600 characters a line). The first line must be a well-formed record with a correct "
        "checksum; then every record's length and two's-complement checksum is checked and a bad "
        "record is skipped with a warning naming its line. Extended segment (02) and extended "
        "linear (04) address records set the base; start address records (03, 05) are reported. "
        "The image ends at the end-of-file record (01) or at the first line that is not a record "
        "(a warning when no end-of-file record was seen). Data records are written in address "
        "order as binary regions that are scanned again: gaps of up to 1 MiB are filled with 0xFF "
        "(erased flash; 16 MiB of fill in all), a larger gap starts a new region (warned), at "
        "most 64 regions; where records overlap, the bytes of the record that starts lower (at "
        "the same address: the earlier line) are kept (warned).",
        {"Intel, Hexadecimal Object File Format Specification, Revision A (1988)",
         "GNU binutils bfd/ihex.c (objcopy -O ihex)"},
        "Addresses are base + offset without the 64 KiB wrap-around the specification describes "
        "for records crossing a segment boundary (no tool emits them). Record type 03/05 start "
        "addresses are only described."};
    return d;
  }
  std::vector<Magic> magics() const override {
    // Only at the start of a view: ':' is too common to try anywhere. The usual first records:
    // an extended linear or segment address, or a data record of 16/32/8 bytes.
    return {{":02000004", 0, false}, {":02000002", 0, false}, {":10", 0, false},
            {":20", 0, false},       {":08", 0, false},       {":04", 0, false}};
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto p = handlers::ParseHexLines(data, offset, ':', "ihex", "end-of-file record", IhexRecord);
    if (!p) return MakeError(Errc::kNotThisFormat, "not an Intel HEX record");
    return handlers::HexChunk(std::move(*p), offset, "Intel HEX");
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    return handlers::WriteHexImage(std::any_cast<const HexParse&>(chunk.state), chunk, "ihex", ctx);
  }
};

}  // namespace

std::unique_ptr<Handler> MakeIhexHandler() { return std::make_unique<IhexHandler>(); }

}  // namespace iotcop::unpack
