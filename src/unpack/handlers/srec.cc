// File: unpack/handlers/srec.cc
// Motorola S-record (S19/S28/S37) text images of microcontroller flash: every record's checksum
// is checked line by line, the S5/S6 record count is compared with the data records seen, and the
// S1/S2/S3 data records become binary memory regions (hex_records.h) that the engine scans again.
#include <fmt/format.h>

#include "unpack/handlers/hex_records.h"

namespace iotcop::unpack {
namespace {

using handlers::HexParse;

// Address bytes of each record type S0..S9 (0: reserved S4).
constexpr int kSrecAddressBytes[10] = {2, 2, 3, 4, 0, 2, 3, 4, 3, 2};

struct SrecLine {
  int type = 0;
  std::uint8_t count = 0;  // address + data + checksum bytes
  std::uint32_t address = 0;
  std::uint32_t data_len = 0;
  std::size_t data_col = 0;  // column of the data's first hex digit
  bool checksum_ok = false;
};

// Decodes `line`; an empty optional when it is not a well-formed record (not a checksum error).
std::optional<SrecLine> DecodeSrecLine(std::string_view line) {
  if (line.size() < 10 || line[0] != 'S' || line[1] < '0' || line[1] > '9' || line[1] == '4') {
    return std::nullopt;
  }
  SrecLine r;
  r.type = line[1] - '0';
  const int abytes = kSrecAddressBytes[r.type];
  if (!handlers::DecodeHexPairs(line.substr(2), &r.count, 1)) return std::nullopt;
  if (r.count < abytes + 1 || line.size() != 4 + 2 * std::size_t{r.count}) return std::nullopt;
  std::uint8_t body[255];
  if (!handlers::DecodeHexPairs(line.substr(4), body, r.count)) return std::nullopt;
  unsigned sum = r.count;
  for (unsigned i = 0; i + 1 < r.count; ++i) sum += body[i];
  r.checksum_ok = static_cast<std::uint8_t>(~sum & 0xff) == body[r.count - 1];
  for (int i = 0; i < abytes; ++i) r.address = r.address << 8 | body[i];
  r.data_len = r.count - abytes - 1u;
  r.data_col = 4 + 2 * static_cast<std::size_t>(abytes);
  return r;
}

// One record line into `p`: data records are kept, S5/S6 counts compared, S7-S9 end the image.
handlers::HexStep SrecRecord(std::string_view line, std::uint64_t at, std::uint64_t line_no,
                             bool first, HexParse& p) {
  using handlers::HexStep;
  const auto r = DecodeSrecLine(line);
  if (!r) return HexStep::kMalformed;
  if (first && !r->checksum_ok) return HexStep::kNotFormat;
  if (!r->checksum_ok) {
    p.problems.push_back(
        {at, fmt::format("srec line {}: checksum mismatch; record skipped", line_no)});
    return HexStep::kNext;
  }
  switch (r->type) {
    case 1:
    case 2:
    case 3:
      ++p.data_records;
      if (r->data_len > 0) {
        p.records.push_back({r->address, at + r->data_col, r->data_len, line_no});
        p.data_bytes += r->data_len;
      }
      break;
    case 5:
    case 6:
      if (r->address != (p.data_records & (r->type == 5 ? 0xffffu : 0xffffffu))) {
        p.problems.push_back({at, fmt::format("srec line {}: record count says {} data records, "
                                              "{} seen (records missing?)",
                                              line_no, r->address, p.data_records)});
      }
      break;
    case 7:
    case 8:
    case 9:
      p.entry = r->address;
      return HexStep::kEnd;
    default:  // S0 header
      break;
  }
  return HexStep::kNext;
}

class SrecHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "srec",
        "Motorola S-record",
        "Text records \"S<type><count><address><data><checksum>\" line by line (LF or CRLF, blank "
        "lines tolerated, at most 600 characters a line). The first line must be a well-formed "
        "record with a correct checksum; then every record's type, byte count and ones'-"
        "complement checksum is checked and a bad record is skipped with a warning naming its "
        "line. S1/S2/S3 data records (16/24/32-bit addresses) are written in address order as "
        "binary regions that are scanned again (gaps of up to 1 MiB filled with 0xFF, 16 MiB of "
        "fill in all, a larger gap starts a new region, at most 64 regions, where records "
        "overlap the one that starts lower wins; all warned); an S5/S6 record count that differs "
        "from the data records seen is a warning; "
        "S7/S8/S9 end the image and give the entry address. A missing termination record is a "
        "warning.",
        {"Motorola M68000 Family Programmer's Reference Manual, appendix C (S-record output "
         "format)",
         "GNU binutils bfd/srec.c (objcopy -O srec)", "srecord (srec_cat)"},
        "The S0 header's text is not reported."};
    return d;
  }
  std::vector<Magic> magics() const override {
    // Only at the start of a view: a header record, or the first data record of each size.
    return {{"S0", 0, false}, {"S1", 0, false}, {"S2", 0, false}, {"S3", 0, false}};
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto p = handlers::ParseHexLines(data, offset, 'S', "srec", "termination record (S7/S8/S9)",
                                     SrecRecord);
    if (!p) return MakeError(Errc::kNotThisFormat, "not an S-record");
    return handlers::HexChunk(std::move(*p), offset, "Motorola S-record");
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    return handlers::WriteHexImage(std::any_cast<const HexParse&>(chunk.state), chunk, "srec", ctx);
  }
};

}  // namespace

std::unique_ptr<Handler> MakeSrecHandler() { return std::make_unique<SrecHandler>(); }

}  // namespace iotcop::unpack
