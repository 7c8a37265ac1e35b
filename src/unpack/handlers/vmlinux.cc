// File: unpack/handlers/vmlinux.cc
// Linux kernel ELF images (vmlinux): an ELF executable with the kernel's own sections and the
// "Linux version x.y.z" banner. The kernel's banner becomes a tree Note (kind "linux-kernel") so
// the components collector names the kernel and its version, and the kernel's data sections
// (.init.ramfs / .init.data with the built-in initramfs, .rodata, .data) are scanned in place for
// what is embedded. Any other ELF file (a program of a root filesystem) is left alone.
#include <algorithm>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "core/elf.h"
#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

constexpr std::string_view kBanner = "Linux version ";
constexpr std::size_t kMaxBanner = 256;
constexpr std::size_t kMaxRanges = 64;

// Section names only a kernel image has (the linker script of every architecture emits some).
constexpr std::string_view kKernelSections[] = {".init.text",  ".init.data",    ".init.ramfs",
                                                "__ksymtab",   "__ksymtab_gpl", "__param",
                                                ".init.setup", "__ex_table",    ".head.text"};

struct KernelInfo {
  std::string banner;
  std::uint64_t banner_at = 0;  // in the view
  std::uint64_t extent = 0;     // bytes the ELF says it covers
  std::vector<elf::Section> scan;
};

// The first "Linux version <digit>.<digit>" in `d`, as one printable line; npos when absent.
std::size_t FindBanner(std::string_view d, std::string* banner) {
  std::size_t pos = 0;
  while ((pos = d.find(kBanner, pos)) != std::string_view::npos) {
    const std::size_t v = pos + kBanner.size();
    const auto digit = [&](std::size_t i) { return i < d.size() && d[i] >= '0' && d[i] <= '9'; };
    std::size_t i = v;
    while (digit(i) && i - v < 4) ++i;
    if (i > v && i < d.size() && d[i] == '.' && digit(i + 1)) {
      std::size_t end = pos;
      while (end < d.size() && end - pos < kMaxBanner && d[end] >= 0x20 && d[end] < 0x7f) ++end;
      *banner = std::string(d.substr(pos, end - pos));
      return pos;
    }
    pos = v;
  }
  return std::string_view::npos;
}

// "init.ramfs" from ".init.ramfs": a folder-name-safe form of a section name.
std::string RangeName(std::string_view section) {
  std::string out;
  for (char c : section) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (ok)
      out.push_back(c);
    else if (!out.empty() && out.back() != '.')
      out.push_back('.');
  }
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out.empty() ? "section" : out.substr(0, 64);
}

class VmlinuxHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "vmlinux",
        "Linux kernel ELF image (vmlinux)",
        "An ELF file (32/64-bit, either byte order, executable or position-independent) is a "
        "kernel only when it has one of the kernel's own sections (.init.text, .init.data, "
        ".init.ramfs, __ksymtab, __param, .init.setup, __ex_table, .head.text) and the banner "
        "\"Linux version <digits>.<digits>\"; any other ELF (a program in a root filesystem) is "
        "left alone. The chunk is the ELF's extent (headers, segments, sections and section "
        "table, bounded by the data). The banner is recorded as a tree note (kind "
        "\"linux-kernel\") that the components collector reads, so the kernel version is known "
        "without copying the kernel out. Data sections (PROGBITS, not executable, not debug "
        "information; at most 64, non-overlapping) are scanned in place, so an initramfs "
        "(cpio, or gzip/xz/lzma/zstd of one) in .init.ramfs or .init.data is unpacked; without "
        "section headers everything after the ELF header is scanned.",
        {"Linux include/asm-generic/vmlinux.lds.h, init/version.c (linux_banner)",
         "System V ABI, ELF section headers"},
        "Compressed kernels (zImage, bzImage, Image.gz) are not ELF: their decompressed image is "
        "found by the compression handlers and the banner by the components collector in the "
        "kept blob. Section contents are not relocated or decompressed beyond what the scan "
        "finds."};
    return d;
  }
  std::vector<Magic> magics() const override {
    return {
        {"\x7f"
         "ELF",
         0, true}};
  }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    const ByteView v = data.subspan(offset);
    auto f = elf::Parse(v, "", elf::ParseOptions{.symbols = false});
    if (!f) return MakeError(Errc::kNotThisFormat, "ELF header");
    if (f->type != elf::FileType::kExec && f->type != elf::FileType::kDyn) {
      return MakeError(Errc::kNotThisFormat, "not an executable");
    }
    const bool kernel_sections = std::any_of(f->sections.begin(), f->sections.end(), [](auto& s) {
      return std::find(std::begin(kKernelSections), std::end(kKernelSections), s.name) !=
             std::end(kKernelSections);
    });
    if (!kernel_sections) return MakeError(Errc::kNotThisFormat, "no kernel sections");
    KernelInfo info;
    info.extent = f->extent;
    const std::uint64_t length = std::min<std::uint64_t>(f->extent, v.size());
    const std::size_t at = FindBanner(AsString(v.subspan(0, length)), &info.banner);
    if (at == std::string_view::npos) return MakeError(Errc::kNotThisFormat, "no Linux banner");
    info.banner_at = offset + at;
    // Data sections in file order, non-overlapping, inside the chunk.
    std::vector<elf::Section> secs;
    for (const auto& s : f->sections) {
      if (s.type != elf::kShtProgbits || (s.flags & elf::kShfExecinstr) || s.size < 16 ||
          s.name.starts_with(".debug") || s.name == ".comment" || !Fits(length, s.offset, s.size)) {
        continue;
      }
      secs.push_back(s);
    }
    std::sort(secs.begin(), secs.end(),
              [](const auto& a, const auto& b) { return a.offset < b.offset; });
    std::uint64_t end = 0;
    for (const auto& s : secs) {
      if (s.offset < end || info.scan.size() >= kMaxRanges) continue;
      info.scan.push_back(s);
      end = s.offset + s.size;
    }
    const std::uint64_t ehdr = f->is64 ? 64 : 52;
    if (info.scan.empty() && length > ehdr) {
      info.scan.push_back({"data", elf::kShtProgbits, 0, ehdr, length - ehdr});
    }
    std::string version = info.banner.substr(kBanner.size());
    version = version.substr(0, version.find(' '));
    Chunk c;
    c.offset = offset;
    c.length = length;
    c.description = fmt::format("Linux kernel ELF {}, {}, {} bytes{}", version, f->arch, f->extent,
                                length < f->extent ? " (truncated)" : "");
    c.state = std::move(info);
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& info = std::any_cast<const KernelInfo&>(chunk.state);
    if (chunk.length < info.extent) {
      ctx.Warn(
          chunk.offset + chunk.length,
          fmt::format("kernel ELF truncated: {} of {} bytes present", chunk.length, info.extent));
    }
    ctx.AddNote("linux-kernel", info.banner, info.banner_at);
    for (const auto& s : info.scan) {
      ctx.ScanRange(chunk.offset + s.offset, s.size, RangeName(s.name));
    }
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeVmlinuxHandler() { return std::make_unique<VmlinuxHandler>(); }

}  // namespace iotcop::unpack
