// Android boot images, header versions 0 to 4 ("ANDROID!"): kernel, ramdisk, second stage,
// recovery DTBO and DTB laid out from the header's sizes and scanned in place.
#include <cstring>

#include <fmt/format.h>

#include "unpack/handlers/android_common.h"

namespace iotcop::unpack {
namespace {

struct BootImgInfo {
  std::uint32_t version = 0, page = 0;
  std::vector<handlers::AndroidSection> sections;
  std::uint64_t end = 0;
  std::string name, cmdline;
};

std::string BootImgText(const std::uint8_t* p, std::size_t max) {
  std::string s(reinterpret_cast<const char*>(p), strnlen(reinterpret_cast<const char*>(p), max));
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  return s;
}

class AndroidBootHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "android_boot",
        "Android boot image (header v0-v4)",
        "Magic \"ANDROID!\". Versions 0-2 (boot_img_hdr_v0..v2): the page size must be a power "
        "of two from 2048 to 65536 (v0 images carry no version field: a value that is not 1 or "
        "2 is taken as v0, as mkbootimg and the bootloaders do); v1/v2 must give their own "
        "header size (1648/1660 bytes), and the recovery DTBO offset must match the layout. "
        "Versions 3-4: 4096-byte pages, a header size from 1580/1584 (AOSP) up to one page (the "
        "first v3 mkbootimg, Debian's, writes 1596). The kernel, ramdisk, second "
        "stage, recovery DTBO, DTB (v2) and boot signature (v4) follow the header, each "
        "page-aligned; the kernel must be non-empty and the first section must start inside the "
        "data. Each section is scanned in place under its name (the kernel's compression and "
        "the ramdisk's cpio are identified by content); a section cut by the end of the data "
        "is scanned as far as it goes and reported at its offset. The board name and command "
        "line are recorded as a note.",
        {"AOSP system/tools/mkbootimg/include/bootimg/bootimg.h", "AOSP mkbootimg.py"},
        "The boot signature (v4) and AVB footers are not verified; the id (SHA-1) field of v0-v2 "
        "is not checked."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"ANDROID!", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto h = Slice(data, offset, 1660);
    if (!h) h = Slice(data, offset, 1584);
    if (!h) return MakeError(Errc::kNotThisFormat, "short header");
    const std::uint8_t* p = h->data();
    auto u32 = [&](std::size_t o) { return LoadLe<std::uint32_t>(p + o); };
    BootImgInfo b;
    const std::uint32_t v = u32(40);
    std::vector<std::pair<std::string, std::uint64_t>> sizes;
    std::uint64_t header = 0;
    if (v == 3 || v == 4) {
      b.version = v;
      b.page = 4096;
      header = u32(20);
      // 1580/1584 in AOSP's bootimg.h; 1596 in the first mkbootimg that wrote v3 (Debian's).
      if (header < (v == 3 ? 1580u : 1584u) || header > b.page) {
        return MakeError(Errc::kNotThisFormat, "header size");
      }
      sizes = {{"kernel", u32(8)}, {"ramdisk", u32(12)}};
      if (v == 4) sizes.push_back({"signature", u32(1580)});
      b.cmdline = BootImgText(p + 44, 1536);
    } else {
      if (h->size() < 1660) return MakeError(Errc::kNotThisFormat, "short header");
      b.version = (v == 1 || v == 2) ? v : 0;
      b.page = u32(36);
      if (b.page < 2048 || b.page > 65536 || (b.page & (b.page - 1))) {
        return MakeError(Errc::kNotThisFormat, "page size");
      }
      header = 1632;
      sizes = {{"kernel", u32(8)}, {"ramdisk", u32(16)}, {"second", u32(24)}};
      if (b.version >= 1) {
        header = u32(1644);
        if (header != (b.version == 1 ? 1648u : 1660u)) {
          return MakeError(Errc::kNotThisFormat, "header size");
        }
        sizes.push_back({"recovery_dtbo", u32(1632)});
      }
      if (b.version == 2) sizes.push_back({"dtb", u32(1648)});
      b.name = BootImgText(p + 48, 16);
      b.cmdline = BootImgText(p + 64, 512);
    }
    if (sizes[0].second == 0) return MakeError(Errc::kNotThisFormat, "no kernel");
    b.sections =
        handlers::AndroidLayout(sizes, handlers::AndroidPageAlign(header, b.page), b.page, b.end);
    if (b.version >= 1 && b.version <= 2) {
      const std::uint64_t dtbo_at = LoadLe<std::uint64_t>(p + 1636);
      for (const auto& s : b.sections) {
        if (s.name == "recovery_dtbo" && s.offset != dtbo_at) {
          return MakeError(Errc::kNotThisFormat, "recovery DTBO offset");
        }
      }
    }
    const std::uint64_t avail = data.size() - offset;
    if (b.sections.front().offset >= avail) return MakeError(Errc::kNotThisFormat, "no data");
    Chunk c;
    c.offset = offset;
    c.length = std::min(b.end, avail);
    c.description = fmt::format("Android boot image v{}, page {}{}", b.version, b.page,
                                b.name.empty() ? "" : ", board '" + b.name + "'");
    c.state = b;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& b = std::any_cast<const BootImgInfo&>(chunk.state);
    if (!b.cmdline.empty()) {
      ctx.AddNote("kernel-cmdline", b.cmdline, chunk.offset + (b.version >= 3 ? 44 : 64));
    }
    handlers::AndroidScanSections(ctx, chunk.offset, b.sections, "boot image");
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeAndroidBootHandler() { return std::make_unique<AndroidBootHandler>(); }

}  // namespace iotcop::unpack
