// File: unpack/handlers/esppart.cc
// ESP32 partition tables (ESP-IDF gen_esp32part.py): 32-byte entries with magic 0xAA 0x50, an
// optional MD5 entry (0xEB 0xEB) over the entries before it, 0xFF padding to the end. In a flash
// dump the table sits at flash offset 0x8000 (CONFIG_PARTITION_TABLE_OFFSET's default): the
// partitions that follow it in the view are scanned in place, each by its label.

#include <algorithm>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/handlers/vendor_crypto.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kEspPartEntry = 32;
constexpr std::uint64_t kEspPartMaxLen = 0xC00;  // ESP_PARTITION_TABLE_MAX_LEN
constexpr std::uint64_t kEspPartTableFlashOffset = 0x8000;

struct EspPartition {
  std::uint8_t type = 0, subtype = 0;
  std::uint32_t offset = 0, size = 0, flags = 0;
  std::string label;
  std::uint64_t entry_at = 0;  // in the view
};

struct EspPartTable {
  std::vector<EspPartition> parts;
  bool has_md5 = false, md5_ok = false;
  std::uint64_t md5_at = 0;
  std::uint64_t table_len = 0;
};

std::string EspPartKind(const EspPartition& p) {
  if (p.type == 0) {
    if (p.subtype == 0) return "app/factory";
    if (p.subtype >= 0x10 && p.subtype < 0x20) return fmt::format("app/ota_{}", p.subtype - 0x10);
    if (p.subtype == 0x20) return "app/test";
    return fmt::format("app/{:#04x}", p.subtype);
  }
  if (p.type == 1) {
    switch (p.subtype) {
      case 0x00:
        return "data/ota";
      case 0x01:
        return "data/phy";
      case 0x02:
        return "data/nvs";
      case 0x03:
        return "data/coredump";
      case 0x04:
        return "data/nvs_keys";
      case 0x05:
        return "data/efuse";
      case 0x80:
        return "data/esphttpd";
      case 0x81:
        return "data/fat";
      case 0x82:
        return "data/spiffs";
      case 0x83:
        return "data/littlefs";
    }
    return fmt::format("data/{:#04x}", p.subtype);
  }
  return fmt::format("{:#04x}/{:#04x}", p.type, p.subtype);
}

// "nvs" from the label; characters that cannot name a folder become '_'.
std::string EspPartFolder(std::string_view label, std::size_t index) {
  std::string out;
  for (char c : label) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    out.push_back(ok ? c : '_');
  }
  return out.empty() ? fmt::format("part{}", index) : out;
}

class EspPartHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "esppart",
        "ESP32 partition table",
        "32-byte little-endian entries (magic 0xAA 0x50, type, subtype, offset, size, 16-byte "
        "label, flags) up to 0xC00 bytes, ended by the MD5 entry (0xEB 0xEB, 14 bytes 0xFF, the "
        "MD5 of the entries before it, checked: a mismatch is a warning) or 0xFF padding. Each "
        "partition must be 4 KiB aligned, non-empty and its label printable; partitions are "
        "listed as notes (kind \"esp-partition\": label, type/subtype, offset, size). When the "
        "table lies at 0x8000 or later in the view, the view is taken as a flash dump with the "
        "table at flash offset 0x8000 and every partition after the table that lies in the view "
        "is scanned in place (cut at the view's end with a warning); the chunk spans the "
        "partitions.",
        {"ESP-IDF components/partition_table/gen_esp32part.py",
         "ESP-IDF components/esp_partition/include/esp_partition.h (types and subtypes)"},
        "A table moved from 0x8000 (CONFIG_PARTITION_TABLE_OFFSET) makes the partition offsets "
        "wrong by the move; encrypted partitions (flag 1) are scanned as they are; a table alone "
        "(partitions.bin) is only listed."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"\xAA\x50", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    const ByteView v =
        data.subspan(offset, std::min<std::uint64_t>(data.size() - offset, kEspPartMaxLen));
    EspPartTable t;
    std::uint64_t pos = 0;
    for (; pos + kEspPartEntry <= v.size(); pos += kEspPartEntry) {
      const std::uint8_t* e = v.data() + pos;
      if (e[0] == 0xAA && e[1] == 0x50) {
        EspPartition p;
        p.type = e[2];
        p.subtype = e[3];
        p.offset = LoadLe<std::uint32_t>(e + 4);
        p.size = LoadLe<std::uint32_t>(e + 8);
        const char* label = reinterpret_cast<const char*>(e + 12);
        p.label.assign(label, strnlen(label, 16));
        p.flags = LoadLe<std::uint32_t>(e + 28);
        p.entry_at = offset + pos;
        const bool printable = std::all_of(p.label.begin(), p.label.end(),
                                           [](char c) { return c >= 0x20 && c < 0x7f; });
        if (p.offset % 0x1000 != 0 || p.size == 0 || !printable || p.label.empty()) {
          return MakeError(Errc::kNotThisFormat, "entry");
        }
        t.parts.push_back(std::move(p));
        continue;
      }
      if (e[0] == 0xEB && e[1] == 0xEB) {
        t.has_md5 = true;
        t.md5_at = offset + pos;
        const std::string md = handlers::DigestOf("MD5", v.first(pos));
        t.md5_ok = md.size() == 16 && std::memcmp(md.data(), e + 16, 16) == 0;
        pos += kEspPartEntry;
      }
      break;  // 0xFF padding, or whatever ends the table
    }
    if (t.parts.empty()) return MakeError(Errc::kNotThisFormat, "no entries");
    t.table_len = pos;
    // A flash dump: the table at flash offset 0x8000; the chunk spans the partitions after it.
    std::uint64_t length = t.table_len;
    if (offset >= kEspPartTableFlashOffset) {
      const std::uint64_t base = offset - kEspPartTableFlashOffset;
      for (const auto& p : t.parts) {
        if (base + p.offset < offset + t.table_len || base + p.offset >= data.size()) continue;
        length = std::max(length,
                          std::min<std::uint64_t>(base + p.offset + p.size, data.size()) - offset);
      }
    }
    Chunk c;
    c.offset = offset;
    c.length = length;
    c.description = fmt::format("ESP32 partition table, {} partitions{}", t.parts.size(),
                                t.has_md5 ? (t.md5_ok ? ", MD5 ok" : ", MD5 mismatch") : "");
    c.state = std::move(t);
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& t = std::any_cast<const EspPartTable&>(chunk.state);
    if (t.has_md5 && !t.md5_ok) {
      ctx.Warn(t.md5_at, "ESP32 partition table MD5 does not match its entries");
    }
    const bool dump = chunk.offset >= kEspPartTableFlashOffset;
    const std::uint64_t base = dump ? chunk.offset - kEspPartTableFlashOffset : 0;
    const std::uint64_t end = chunk.offset + chunk.length;
    std::vector<std::size_t> order(t.parts.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return t.parts[a].offset < t.parts[b].offset;
    });
    std::set<std::string> folders;
    std::uint64_t scanned = chunk.offset + t.table_len;  // partitions never overlap: each once
    for (const std::size_t i : order) {
      const auto& p = t.parts[i];
      ctx.AddNote("esp-partition",
                  fmt::format("partition '{}' {} at {:#x}, {:#x} bytes{}", p.label, EspPartKind(p),
                              p.offset, p.size, p.flags & 1 ? ", encrypted" : ""),
                  p.entry_at);
      if (!dump) continue;
      const std::uint64_t at = base + p.offset;
      if (at < scanned) {
        ctx.Warn(p.entry_at, fmt::format("ESP32 partition '{}' at {:#x} overlaps the table or "
                                         "another partition: not scanned",
                                         p.label, p.offset));
        continue;
      }
      if (at >= end) {
        ctx.Warn(p.entry_at, fmt::format("ESP32 partition '{}' at {:#x} is not in the image",
                                         p.label, p.offset));
        continue;
      }
      const std::uint64_t len = std::min<std::uint64_t>(p.size, end - at);
      if (len < p.size) {
        ctx.Warn(at + len, fmt::format("ESP32 partition '{}' cut: {:#x} of {:#x} bytes present",
                                       p.label, len, p.size));
      }
      std::string folder = EspPartFolder(p.label, i);
      if (!folders.insert(folder).second) folder += fmt::format("-{}", i);  // labels repeat
      ctx.ScanRange(at, len, folder);
      scanned = at + len;
    }
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeEspPartHandler() { return std::make_unique<EspPartHandler>(); }

}  // namespace iotcop::unpack
