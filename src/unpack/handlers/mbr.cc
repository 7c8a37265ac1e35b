// DOS/MBR partition tables (eMMC and SD-card dumps): four primary entries, extended partitions
// followed through their chain of EBRs, each partition scanned in place.
#include <set>

#include <fmt/format.h>

#include "unpack/handlers/partition_common.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kMbrSector = 512, kMbrTable = 446, kMbrMaxLogical = 128;

struct MbrPart {
  std::uint64_t start = 0, length = 0;  // bytes, relative to the chunk
  std::uint8_t type = 0;
  std::uint32_t number = 0;
  std::uint64_t entry_at = 0;  // where the entry is, relative to the chunk
};

struct MbrTable {
  std::vector<MbrPart> primary;  // extended containers included (type 0x05/0x0f/0x85)
};

bool MbrIsExtended(std::uint8_t t) { return t == 0x05 || t == 0x0f || t == 0x85; }

struct MbrEntry {
  std::uint8_t status, type;
  std::uint32_t lba, count;
};

MbrEntry MbrReadEntry(const std::uint8_t* p) {
  return {p[0], p[4], LoadLe<std::uint32_t>(p + 8), LoadLe<std::uint32_t>(p + 12)};
}

class MbrHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "mbr",
        "DOS/MBR partition table",
        "Boot signature 0x55AA at 510 of the first sector of a view (eMMC, SD-card or disk dumps). "
        "Each of the four entries must have a boot flag of 0x00 or 0x80, and a used entry a start "
        "LBA of at least 1 inside the data; used entries must not overlap; a table with a GPT "
        "protective entry (0xEE) is left to the gpt handler. Extended partitions (0x05, 0x0F, "
        "0x85) are followed through their EBR chain: each EBR must carry 0x55AA and lie inside the "
        "extended partition, each EBR is visited once and at most 128 logical partitions are read. "
        "Each partition is scanned in place as p<N> (logical ones from p5, as Linux numbers them); "
        "partitions beyond the end of a truncated dump are cut and reported with their entry's "
        "offset.",
        {"UEFI 2.10 section 5.2.1 (Legacy MBR)", "util-linux libfdisk/src/dos.c"},
        "512-byte sectors only. CHS fields are ignored (LBA is authoritative); boot code is not "
        "analysed."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"\x55\xaa", 510, false}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto s = Slice(data, offset, kMbrSector);
    if (!s) return MakeError(Errc::kNotThisFormat, "short sector");
    if ((*s)[510] != 0x55 || (*s)[511] != 0xaa) return MakeError(Errc::kNotThisFormat, "signature");
    const std::uint64_t avail = data.size() - offset;
    MbrTable t;
    std::uint64_t end = kMbrSector;
    for (std::uint32_t i = 0; i < 4; ++i) {
      const MbrEntry e = MbrReadEntry(s->data() + kMbrTable + 16 * i);
      if (e.status != 0 && e.status != 0x80) return MakeError(Errc::kNotThisFormat, "boot flag");
      if (e.type == 0 && e.count == 0 && e.lba == 0) continue;
      if (e.type == 0 || e.count == 0) return MakeError(Errc::kNotThisFormat, "entry");
      if (e.type == 0xee) return MakeError(Errc::kNotThisFormat, "GPT protective MBR");
      MbrPart p;
      p.start = std::uint64_t{e.lba} * kMbrSector;
      p.length = std::uint64_t{e.count} * kMbrSector;
      p.type = e.type;
      p.number = i + 1;
      p.entry_at = kMbrTable + 16 * i;
      if (e.lba == 0 || p.start >= avail) return MakeError(Errc::kNotThisFormat, "start LBA");
      for (const auto& q : t.primary) {
        if (p.start < q.start + q.length && q.start < p.start + p.length) {
          return MakeError(Errc::kNotThisFormat, "overlapping partitions");
        }
      }
      end = std::max(end, p.start + p.length);
      t.primary.push_back(p);
    }
    if (t.primary.empty()) return MakeError(Errc::kNotThisFormat, "no partition");
    Chunk c;
    c.offset = offset;
    c.length = std::min(end, avail);
    c.description = fmt::format("DOS/MBR partition table, {} primary entries", t.primary.size());
    c.state = t;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& t = std::any_cast<const MbrTable&>(chunk.state);
    const std::uint64_t base = chunk.offset;
    std::uint32_t logical = 5;
    for (const auto& p : t.primary) {
      const std::string name = fmt::format("p{}", p.number);
      if (!MbrIsExtended(p.type)) {
        ctx.AddNote("partition",
                    fmt::format("{}: type 0x{:02x}, {} bytes at 0x{:x}", name, p.type, p.length,
                                base + p.start),
                    base + p.entry_at);
        handlers::ScanPartition(ctx, base + p.start, p.length, name, base + p.entry_at);
        continue;
      }
      // The EBR chain: entry 1 is a logical partition relative to its EBR, entry 2 the next EBR
      // relative to the extended partition's start.
      std::set<std::uint64_t> seen;
      std::uint64_t ebr = p.start;
      for (std::uint64_t n = 0; n < kMbrMaxLogical; ++n) {
        const std::uint64_t at = base + ebr;
        if (!seen.insert(ebr).second) {
          ctx.Warn(at, "EBR chain loops back to an EBR already read; stopped");
          break;
        }
        if (ebr < p.start || ebr >= p.start + p.length) {
          ctx.Warn(at, "EBR outside its extended partition; chain stopped");
          break;
        }
        auto s = Slice(ctx.view(), at, kMbrSector);
        if (!s) {
          ctx.Warn(at, "EBR beyond the end of the data (truncated dump); chain stopped");
          break;
        }
        if ((*s)[510] != 0x55 || (*s)[511] != 0xaa) {
          ctx.Warn(at + 510, "EBR without the 0x55AA signature; chain stopped");
          break;
        }
        const MbrEntry l = MbrReadEntry(s->data() + kMbrTable);
        const MbrEntry next = MbrReadEntry(s->data() + kMbrTable + 16);
        if (l.type != 0 && l.count != 0) {
          const std::uint64_t ls = ebr + std::uint64_t{l.lba} * kMbrSector;
          const std::uint64_t ll = std::uint64_t{l.count} * kMbrSector;
          const std::string name = fmt::format("p{}", logical++);
          if (l.lba == 0 || ls + ll > p.start + p.length) {
            ctx.Warn(at + kMbrTable, fmt::format("logical partition {} lies outside its extended "
                                                 "partition; skipped",
                                                 name));
          } else {
            ctx.AddNote(
                "partition",
                fmt::format("{}: type 0x{:02x}, {} bytes at 0x{:x}", name, l.type, ll, base + ls),
                at + kMbrTable);
            handlers::ScanPartition(ctx, base + ls, ll, name, at + kMbrTable);
          }
        }
        if (next.type == 0) break;  // no next EBR (a link to offset 0 is a loop, caught above)
        ebr = p.start + std::uint64_t{next.lba} * kMbrSector;
        if (n + 1 == kMbrMaxLogical) ctx.Warn(at, "more than 128 logical partitions; stopped");
      }
    }
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeMbrHandler() { return std::make_unique<MbrHandler>(); }

}  // namespace iotcop::unpack
