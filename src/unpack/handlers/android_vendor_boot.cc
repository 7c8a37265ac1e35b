// Android vendor_boot images, header versions 3 and 4 ("VNDRBOOT"): vendor ramdisk(s), DTB and
// bootconfig laid out from the header and scanned in place.
#include <cctype>

#include <fmt/format.h>

#include "unpack/handlers/android_common.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kVendorBootV4Entry = 108;  // vendor_ramdisk_table_entry_v4
constexpr std::uint32_t kVendorBootMaxRamdisks = 64;

struct VendorBootInfo {
  std::uint32_t version = 0, page = 0;
  std::vector<handlers::AndroidSection> sections;
  std::uint64_t end = 0, ramdisk_at = 0, ramdisk_size = 0, table_at = 0;
  std::uint32_t table_entries = 0, table_entry_size = 0;
};

class AndroidVendorBootHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "android_vendor_boot",
        "Android vendor_boot image (header v3-v4)",
        "Magic \"VNDRBOOT\", header version 3 or 4, a page size that is a power of two from 2048 "
        "to 65536 and a header size from 2112/2128 bytes (AOSP; 2108 from the first mkbootimg that "
        "wrote them, Debian's) up to 8 KiB. The vendor ramdisk, DTB, (v4) "
        "vendor ramdisk table and bootconfig follow the header page-aligned; the first section "
        "must start inside the data. With a v4 table (at most 64 entries of at least 108 bytes), "
        "each ramdisk fragment must lie inside the vendor ramdisk section and is scanned in "
        "place under its name; otherwise the whole vendor ramdisk is. The DTB and bootconfig are "
        "scanned in place; sections cut by the end of the data are reported at their offset.",
        {"AOSP system/tools/mkbootimg/include/bootimg/bootimg.h", "AOSP mkbootimg.py"},
        "Board ids of v4 ramdisk entries are not reported."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"VNDRBOOT", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto h = Slice(data, offset, 2128);
    if (!h) h = Slice(data, offset, 2112);
    if (!h) return MakeError(Errc::kNotThisFormat, "short header");
    const std::uint8_t* p = h->data();
    auto u32 = [&](std::size_t o) { return LoadLe<std::uint32_t>(p + o); };
    VendorBootInfo b;
    b.version = u32(8);
    b.page = u32(12);
    if (b.version != 3 && b.version != 4) return MakeError(Errc::kNotThisFormat, "version");
    if (b.page < 2048 || b.page > 65536 || (b.page & (b.page - 1))) {
      return MakeError(Errc::kNotThisFormat, "page size");
    }
    const std::uint32_t header = u32(2096);
    // 2112/2128 in AOSP's bootimg.h; 2108 in the first mkbootimg that wrote them (Debian's).
    if (header < (b.version == 3 ? 2108u : 2128u) || header > 8192) {
      return MakeError(Errc::kNotThisFormat, "header size");
    }
    b.ramdisk_size = u32(24);
    std::vector<std::pair<std::string, std::uint64_t>> sizes = {{"vendor_ramdisk", b.ramdisk_size},
                                                                {"dtb", u32(2100)}};
    if (b.version == 4) {
      sizes.push_back({"vendor_ramdisk_table", u32(2112)});
      sizes.push_back({"bootconfig", u32(2124)});
      b.table_entries = u32(2116);
      b.table_entry_size = u32(2120);
      if (b.table_entries > kVendorBootMaxRamdisks ||
          (b.table_entries > 0 &&
           (b.table_entry_size < kVendorBootV4Entry ||
            std::uint64_t{b.table_entries} * b.table_entry_size > u32(2112)))) {
        return MakeError(Errc::kNotThisFormat, "ramdisk table");
      }
    }
    const std::uint64_t start = handlers::AndroidPageAlign(header, b.page);
    b.sections = handlers::AndroidLayout(sizes, start, b.page, b.end);
    b.ramdisk_at = start;
    b.table_at = start + handlers::AndroidPageAlign(b.ramdisk_size, b.page) +
                 handlers::AndroidPageAlign(u32(2100), b.page);
    const std::uint64_t avail = data.size() - offset;
    if (b.sections.empty() || b.sections.front().offset >= avail) {
      return MakeError(Errc::kNotThisFormat, "no data");
    }
    Chunk c;
    c.offset = offset;
    c.length = std::min(b.end, avail);
    c.description = fmt::format("Android vendor_boot v{}, page {}", b.version, b.page);
    c.state = b;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& b = std::any_cast<const VendorBootInfo&>(chunk.state);
    std::vector<handlers::AndroidSection> sections;
    for (const auto& s : b.sections) {
      if (s.name == "vendor_ramdisk_table") continue;
      if (s.name != "vendor_ramdisk" || b.table_entries == 0) {
        sections.push_back(s);
        continue;
      }
      auto table = Slice(ctx.view(), chunk.offset + b.table_at,
                         std::uint64_t{b.table_entries} * b.table_entry_size);
      if (!table) {
        ctx.Warn(chunk.offset + b.table_at,
                 "vendor ramdisk table beyond the end of the data; "
                 "the vendor ramdisk is scanned whole");
        sections.push_back(s);
        continue;
      }
      for (std::uint32_t i = 0; i < b.table_entries; ++i) {
        const std::uint8_t* e = table->data() + std::uint64_t{i} * b.table_entry_size;
        const std::uint32_t size = LoadLe<std::uint32_t>(e), off = LoadLe<std::uint32_t>(e + 4);
        std::string name;
        for (int k = 0; k < 32 && e[12 + k]; ++k) {
          const char ch = static_cast<char>(e[12 + k]);
          name.push_back(
              std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' ? ch : '_');
        }
        if (!Fits(b.ramdisk_size, off, size) || size == 0) {
          ctx.Warn(chunk.offset + b.table_at + std::uint64_t{i} * b.table_entry_size,
                   fmt::format("vendor ramdisk entry {} ({}+{}) outside the vendor ramdisk "
                               "({} bytes); skipped",
                               i, off, size, b.ramdisk_size));
          continue;
        }
        sections.push_back({fmt::format("vendor_ramdisk{}{}", i, name.empty() ? "" : "-" + name),
                            b.ramdisk_at + off, size});
      }
    }
    handlers::AndroidScanSections(ctx, chunk.offset, sections, "vendor_boot");
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeAndroidVendorBootHandler() {
  return std::make_unique<AndroidVendorBootHandler>();
}

}  // namespace iotcop::unpack
