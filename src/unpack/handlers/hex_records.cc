// File: unpack/handlers/hex_records.cc
#include "unpack/handlers/hex_records.h"

#include <algorithm>

#include <fmt/format.h>

namespace iotcop::unpack::handlers {
namespace {

constexpr std::size_t kHexWriteBuffer = 64 * 1024;

// Collects output bytes and writes them to the sink in pieces.
class HexRegionWriter {
 public:
  explicit HexRegionWriter(BlobSink* sink) : sink_(sink) {}
  Status Put(const std::uint8_t* p, std::size_t n) {
    buf_.insert(buf_.end(), p, p + n);
    return buf_.size() >= kHexWriteBuffer ? Flush() : Ok();
  }
  Status Fill(std::uint64_t n) {
    while (n > 0) {
      const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(n, kHexWriteBuffer));
      buf_.insert(buf_.end(), k, 0xff);
      n -= k;
      if (buf_.size() >= kHexWriteBuffer) {
        if (auto s = Flush(); !s) return s;
      }
    }
    return Ok();
  }
  Status Flush() {
    if (buf_.empty()) return Ok();
    auto s = sink_->Write(ByteView(buf_.data(), buf_.size()));
    buf_.clear();
    return s;
  }

 private:
  BlobSink* sink_;
  std::vector<std::uint8_t> buf_;
};

}  // namespace

std::optional<HexParse> ParseHexLines(ByteView data, std::uint64_t offset, char lead,
                                      std::string_view id, std::string_view end_record,
                                      HexRecordFn record) {
  const std::string_view text = AsString(data.subspan(offset));
  HexParse p;
  std::size_t pos = 0;
  while (pos < text.size()) {
    // The line without its end, cut at kHexMaxLine + 1 characters (a longer one is no record).
    std::size_t end = pos;
    const std::size_t stop = std::min(text.size(), pos + kHexMaxLine + 1);
    while (end < stop && text[end] != '\n' && text[end] != '\r') ++end;
    const std::string_view line = text.substr(pos, end - pos);
    std::size_t next = end;
    if (next < text.size() && text[next] == '\r') ++next;
    if (next < text.size() && text[next] == '\n') ++next;
    const std::uint64_t line_no = p.lines + 1;
    if (line.empty()) {  // blank lines between records are tolerated
      if (next == pos) break;
      pos = next;
      ++p.lines;
      continue;
    }
    if (line[0] != lead) break;
    const HexStep step = record(line, offset + pos, line_no, p.lines == 0, p);
    if (step == HexStep::kNotFormat) return std::nullopt;
    if (step == HexStep::kMalformed) {
      if (p.lines == 0) return std::nullopt;
      p.problems.push_back({offset + pos, fmt::format("{} line {}: malformed record (bad type, "
                                                      "length or non-hex character); the image "
                                                      "ends here",
                                                      id, line_no)});
      break;
    }
    ++p.lines;
    pos = next;
    p.length = pos;
    if (step == HexStep::kEnd) {
      p.terminated = true;
      break;
    }
  }
  if (p.records.empty()) return std::nullopt;
  if (!p.terminated) {
    p.problems.push_back({offset + p.length, fmt::format("{}: no {} after line {} (truncated "
                                                         "image?)",
                                                         id, end_record, p.lines)});
  }
  return p;
}

Chunk HexChunk(HexParse p, std::uint64_t offset, std::string_view format_name) {
  Chunk c;
  c.offset = offset;
  c.length = p.length;
  c.description =
      fmt::format("{}, {} lines, {} data bytes{}{}", format_name, p.lines, p.data_bytes,
                  p.entry ? fmt::format(", entry {:#x}", *p.entry) : std::string(),
                  p.problems.empty() ? "" : fmt::format(", {} problems", p.problems.size()));
  c.state = std::move(p);
  return c;
}

namespace {

int HexRecordDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

bool DecodeHexPairs(std::string_view hex, std::uint8_t* out, std::size_t n) {
  if (hex.size() < 2 * n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    const int hi = HexRecordDigit(hex[2 * i]);
    const int lo = HexRecordDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return true;
}

Status WriteHexImage(const HexParse& p, const Chunk& chunk, std::string_view id,
                     ExtractContext& ctx) {
  std::size_t warned = 0, unwarned = 0;
  auto warn = [&](std::uint64_t offset, std::string message) {
    if (warned < kHexMaxWarnings) {
      ++warned;
      ctx.Warn(offset, std::move(message));
    } else {
      ++unwarned;
    }
  };
  for (const auto& pr : p.problems) warn(pr.offset, pr.message);

  std::vector<const HexRecord*> order;
  order.reserve(p.records.size());
  for (const auto& r : p.records) order.push_back(&r);
  std::stable_sort(order.begin(), order.end(),
                   [](const HexRecord* a, const HexRecord* b) { return a->address < b->address; });

  const ByteView view = ctx.view();
  std::optional<HexRegionWriter> out;
  std::uint64_t end = 0;  // next address of the open region
  std::size_t regions = 0;
  std::uint64_t filled = 0;  // 0xFF written into gaps, all regions
  std::uint8_t bytes[256];
  for (const HexRecord* r : order) {
    std::uint64_t skip = 0;
    if (out && r->address < end) {
      skip = std::min<std::uint64_t>(end - r->address, r->length);
      warn(r->data_at, fmt::format("{} line {}: {} bytes at address {:#x} overlap earlier data "
                                   "(the bytes placed first are kept)",
                                   id, r->line, skip, r->address));
      if (skip == r->length) continue;
    } else if (out && r->address - end <= kHexMaxFill &&
               filled + (r->address - end) <= kHexMaxTotalFill) {
      filled += r->address - end;
      if (auto s = out->Fill(r->address - end); !s) return s;
      end = r->address;
    } else {
      if (out) {
        if (auto s = out->Flush(); !s) return s;
        warn(r->data_at, fmt::format("{} line {}: address gap of {} bytes before {:#x} (more than "
                                     "{} bytes, or the fill budget spent): a separate region",
                                     id, r->line, r->address - end, r->address, kHexMaxFill));
      }
      if (regions == kHexMaxRegions) {
        warn(r->data_at, fmt::format("{} line {}: more than {} separate memory regions; the rest "
                                     "is not written",
                                     id, r->line, kHexMaxRegions));
        break;
      }
      ++regions;
      auto sink = ctx.NewBlob(fmt::format("0x{:x}.{}.0x{:08x}", chunk.offset, id, r->address));
      if (!sink) return sink.error();
      out.emplace(*sink);
      end = r->address;
    }
    const ByteView hex = view.subspan(r->data_at, 2 * std::uint64_t{r->length});
    if (!DecodeHexPairs(AsString(hex), bytes, r->length)) {
      return MakeError(Errc::kInternal, "record changed after parsing", ctx.view_name(),
                       r->data_at);
    }
    if (auto s = out->Put(bytes + skip, r->length - skip); !s) return s;
    end = r->address + r->length;
  }
  if (out) {
    if (auto s = out->Flush(); !s) return s;
  }
  if (unwarned > 0) {
    ctx.Warn(chunk.offset + chunk.length,
             fmt::format("{}: {} more problems not listed", id, unwarned));
  }
  return Ok();
}

}  // namespace iotcop::unpack::handlers
