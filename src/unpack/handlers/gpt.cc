// GUID partition tables (eMMC dumps, disks): header and entry-array CRCs, usable LBA range,
// protective MBR; each partition scanned in place, named by number and name or type.
#include <cstring>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/handlers/partition_common.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint32_t kGptMaxEntries = 1024;

struct GptPart {
  std::uint32_t number = 0;
  std::uint64_t first = 0, last = 0;  // LBAs
  std::string name, type;
  std::uint64_t entry_at = 0;  // relative to the chunk
};

struct GptInfo {
  std::uint64_t sector = 512;
  std::uint64_t backup_lba = 0, first_usable = 0, last_usable = 0, entries_lba = 0;
  std::uint32_t count = 0, entry_size = 0, entries_crc = 0;
  bool protective = false;
};

// The GUID as text, mixed-endian as EFI writes it.
std::string GptGuid(const std::uint8_t* g) {
  return fmt::format("{:08X}-{:04X}-{:04X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}",
                     LoadLe<std::uint32_t>(g), LoadLe<std::uint16_t>(g + 4),
                     LoadLe<std::uint16_t>(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14],
                     g[15]);
}

std::string GptTypeName(const std::string& guid) {
  static const std::pair<const char*, const char*> kGptTypes[] = {
      {"C12A7328-F81F-11D2-BA4B-00A0C93EC93B", "efi-system"},
      {"21686148-6449-6E6F-744E-656564454649", "bios-boot"},
      {"0FC63DAF-8483-4772-8E79-3D69D8477DE4", "linux"},
      {"0657FD6D-A4AB-43C4-84E5-0933C84B4F4F", "linux-swap"},
      {"E6D6D379-F507-44C2-A23C-238F2A3DF928", "linux-lvm"},
      {"A19D880F-05FC-4D3B-A006-743F0F84911E", "linux-raid"},
      {"EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", "basic-data"},
      {"4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709", "linux-root-x86-64"},
      {"B921B045-1DF0-41C3-AF44-4C6F280D3FAE", "linux-root-arm64"},
  };
  for (const auto& [g, n] : kGptTypes) {
    if (guid == g) return n;
  }
  return guid;
}

// A partition name (UTF-16LE, up to 36 units) as one safe path component; non-ASCII becomes '_'.
std::string GptName(const std::uint8_t* p) {
  std::string n;
  for (int i = 0; i < 36; ++i) {
    const std::uint16_t u = LoadLe<std::uint16_t>(p + 2 * i);
    if (u == 0) break;
    const bool ok = (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
                    u == '-' || u == '_' || u == '.';
    n.push_back(ok ? static_cast<char>(u) : '_');
  }
  return n;
}

class GptHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "gpt",
        "GUID partition table (GPT)",
        "\"EFI PART\" at LBA 1 (512- or 4096-byte sectors). The header size (92 up to one sector) "
        "and the header CRC-32 must match, its own LBA must be 1, the usable range must be "
        "ordered and the entry array (at most 1024 entries of 128 bytes or a multiple) must lie "
        "before the first usable LBA. The entry array's CRC-32 is checked (a mismatch is a "
        "warning naming its offset); the protective MBR (type 0xEE at LBA 0) is checked and its "
        "absence reported. Each used entry must have first <= last inside the usable range (else "
        "it is skipped with a warning); each partition is scanned in place as p<N>-<name> (or "
        "the type's name when the entry has none), and partitions beyond the end of a truncated "
        "dump are cut and reported. The chunk runs to the backup header when it is present.",
        {"UEFI 2.10 section 5.3 (GUID Partition Table Disk Layout)",
         "util-linux libfdisk/src/gpt.c"},
        "The backup header and backup entry array are not read (the primary is used; a damaged "
        "primary is not recovered from the backup). Partition attributes are not reported."};
    return d;
  }
  std::vector<Magic> magics() const override {
    return {{"EFI PART", 512, true}, {"EFI PART", 4096, true}};
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    GptInfo g;
    std::optional<ByteView> h;
    for (std::uint64_t sector : {512u, 4096u}) {
      auto s = Slice(data, offset + sector, 92);
      if (s && std::memcmp(s->data(), "EFI PART", 8) == 0) {
        g.sector = sector;
        h = s;
        break;
      }
    }
    if (!h) return MakeError(Errc::kNotThisFormat, "signature");
    const std::uint32_t hsize = LoadLe<std::uint32_t>(h->data() + 12);
    if (hsize < 92 || hsize > g.sector) return MakeError(Errc::kNotThisFormat, "header size");
    auto full = Slice(data, offset + g.sector, hsize);
    if (!full) return MakeError(Errc::kNotThisFormat, "short header");
    std::vector<std::uint8_t> copy(full->begin(), full->end());
    const std::uint32_t hcrc = LoadLe<std::uint32_t>(copy.data() + 16);
    std::memset(copy.data() + 16, 0, 4);
    if (handlers::Crc32(ByteView(copy.data(), copy.size())) != hcrc) {
      return MakeError(Errc::kNotThisFormat, "header CRC");
    }
    const std::uint8_t* p = copy.data();
    if (LoadLe<std::uint64_t>(p + 24) != 1) return MakeError(Errc::kNotThisFormat, "my LBA");
    g.backup_lba = LoadLe<std::uint64_t>(p + 32);
    g.first_usable = LoadLe<std::uint64_t>(p + 40);
    g.last_usable = LoadLe<std::uint64_t>(p + 48);
    g.entries_lba = LoadLe<std::uint64_t>(p + 72);
    g.count = LoadLe<std::uint32_t>(p + 80);
    g.entry_size = LoadLe<std::uint32_t>(p + 84);
    g.entries_crc = LoadLe<std::uint32_t>(p + 88);
    const std::uint64_t max_lba = (std::uint64_t{1} << 63) / g.sector;
    if (g.first_usable > g.last_usable || g.last_usable >= max_lba || g.backup_lba >= max_lba) {
      return MakeError(Errc::kNotThisFormat, "usable range");
    }
    if (g.count == 0 || g.count > kGptMaxEntries || g.entry_size < 128 || g.entry_size % 128 ||
        g.entry_size > 4096) {
      return MakeError(Errc::kNotThisFormat, "entry array");
    }
    const std::uint64_t array_bytes = std::uint64_t{g.count} * g.entry_size;
    if (g.entries_lba < 2 || g.entries_lba * g.sector + array_bytes > g.first_usable * g.sector) {
      return MakeError(Errc::kNotThisFormat, "entry array outside the header area");
    }
    if (auto mbr = Slice(data, offset, 512); mbr && (*mbr)[510] == 0x55 && (*mbr)[511] == 0xaa) {
      for (int i = 0; i < 4; ++i) g.protective |= (*mbr)[446 + 16 * i + 4] == 0xee;
    }
    const std::uint64_t avail = data.size() - offset;
    const std::uint64_t end = std::max(g.backup_lba, g.last_usable) < max_lba - 1
                                  ? (std::max(g.backup_lba, g.last_usable) + 1) * g.sector
                                  : avail;
    Chunk c;
    c.offset = offset;
    c.length = std::min(end, avail);
    c.description = fmt::format("GPT, {}-byte sectors, {} entries", g.sector, g.count);
    c.state = g;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& g = std::any_cast<const GptInfo&>(chunk.state);
    const std::uint64_t base = chunk.offset;
    if (!g.protective) ctx.Warn(base + 446, "GPT without a protective MBR entry (0xEE) at LBA 0");
    const std::uint64_t array_at = base + g.entries_lba * g.sector;
    auto array = Slice(ctx.view(), array_at, std::uint64_t{g.count} * g.entry_size);
    if (!array) {
      ctx.Warn(array_at, "GPT entry array beyond the end of the data (truncated dump)");
      return Ok();
    }
    if (handlers::Crc32(*array) != g.entries_crc) {
      ctx.Warn(array_at, "GPT entry array CRC-32 does not match the header; entries read anyway");
    }
    const std::uint64_t present_end = ctx.view().size();
    if (base + (g.backup_lba + 1) * g.sector > present_end) {
      ctx.Warn(present_end, fmt::format("GPT backup header at LBA {} is beyond the end of the data "
                                        "(truncated dump)",
                                        g.backup_lba));
    }
    for (std::uint32_t i = 0; i < g.count; ++i) {
      const std::uint8_t* e = array->data() + std::uint64_t{i} * g.entry_size;
      const std::uint64_t at = array_at + std::uint64_t{i} * g.entry_size;
      static const std::uint8_t kZero[16] = {};
      if (std::memcmp(e, kZero, 16) == 0) continue;
      GptPart part;
      part.number = i + 1;
      part.type = GptTypeName(GptGuid(e));
      part.first = LoadLe<std::uint64_t>(e + 32);
      part.last = LoadLe<std::uint64_t>(e + 40);
      part.name = GptName(e + 56);
      const std::string folder =
          fmt::format("p{}-{}", part.number, part.name.empty() ? part.type : part.name);
      if (part.first > part.last || part.first < g.first_usable || part.last > g.last_usable) {
        ctx.Warn(at,
                 fmt::format("GPT entry {} (LBA {}..{}) outside the usable range {}..{}; "
                             "skipped",
                             part.number, part.first, part.last, g.first_usable, g.last_usable));
        continue;
      }
      ctx.AddNote("partition",
                  fmt::format("{}: type {}, LBA {}..{}", folder, part.type, part.first, part.last),
                  at);
      handlers::ScanPartition(ctx, base + part.first * g.sector,
                              (part.last - part.first + 1) * g.sector, folder, at);
    }
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeGptHandler() { return std::make_unique<GptHandler>(); }

}  // namespace iotcop::unpack
