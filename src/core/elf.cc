#include "core/elf.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <unordered_set>

namespace iotcop::elf {
namespace {

constexpr std::uint32_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3;
constexpr std::uint32_t kPtGnuStack = 0x6474e551, kPtGnuRelro = 0x6474e552;
constexpr std::uint32_t kPfX = 1;
constexpr std::uint32_t kShtSymtab = 2, kShtStrtab = 3, kShtDynsym = 11;
constexpr std::int64_t kDtNull = 0, kDtNeeded = 1, kDtHash = 4, kDtStrtab = 5, kDtSymtab = 6,
                       kDtStrsz = 10, kDtSoname = 14, kDtRpath = 15, kDtDebug = 21, kDtBindNow = 24,
                       kDtFlags = 30, kDtRunpath = 29, kDtGnuHash = 0x6ffffef5,
                       kDtFlags1 = 0x6ffffffb;
constexpr std::uint64_t kDfBindNow = 0x8, kDf1Now = 0x1, kDf1Pie = 0x08000000;

struct Phdr {
  std::uint32_t type = 0, flags = 0;
  std::uint64_t offset = 0, vaddr = 0, filesz = 0;
};
struct Shdr {
  std::uint32_t name = 0, type = 0, link = 0;
  std::uint64_t flags = 0, offset = 0, size = 0, entsize = 0, addr = 0;
};

class Reader {
 public:
  Reader(ByteView data, bool is64, Endian e) : data_(data), is64_(is64), e_(e) {}
  std::optional<std::uint64_t> U(std::uint64_t off, int bytes) const {
    if (!Fits(data_.size(), off, static_cast<std::uint64_t>(bytes))) return std::nullopt;
    const std::uint8_t* p = data_.data() + off;
    switch (bytes) {
      case 1:
        return p[0];
      case 2:
        return e_ == Endian::kLittle ? LoadLe<std::uint16_t>(p) : LoadBe<std::uint16_t>(p);
      case 4:
        return e_ == Endian::kLittle ? LoadLe<std::uint32_t>(p) : LoadBe<std::uint32_t>(p);
      default:
        return e_ == Endian::kLittle ? LoadLe<std::uint64_t>(p) : LoadBe<std::uint64_t>(p);
    }
  }
  // A native word (4 or 8 bytes).
  std::optional<std::uint64_t> W(std::uint64_t off) const { return U(off, is64_ ? 8 : 4); }
  // NUL-terminated string at `off`, at most `max` bytes, within [.., limit).
  std::optional<std::string_view> Str(std::uint64_t off, std::uint64_t limit,
                                      std::size_t max = 4096) const {
    limit = std::min<std::uint64_t>(limit, data_.size());
    if (off >= limit) return std::nullopt;
    const char* p = reinterpret_cast<const char*>(data_.data()) + off;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(limit - off, max));
    const void* z = std::memchr(p, 0, n);
    if (!z) return std::nullopt;
    return std::string_view(p, static_cast<const char*>(z) - p);
  }
  std::uint64_t size() const { return data_.size(); }

 private:
  ByteView data_;
  bool is64_;
  Endian e_;
};

std::string Hex(std::uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// File offset of virtual address `va`, through the PT_LOAD segments.
std::optional<std::uint64_t> VaToOffset(const std::vector<Phdr>& ph, std::uint64_t va) {
  for (const auto& p : ph) {
    if (p.type != kPtLoad) continue;
    if (va >= p.vaddr && va - p.vaddr < p.filesz) {
      auto off = CheckedAdd(p.offset, va - p.vaddr);
      if (off) return off;
    }
  }
  return std::nullopt;
}

// Number of symbols in a DT_GNU_HASH table at file offset `off`: one past the highest index in
// any chain.
std::optional<std::uint64_t> GnuHashCount(const Reader& r, std::uint64_t off, bool is64) {
  auto nbuckets = r.U(off, 4), symoffset = r.U(off + 4, 4), bloom = r.U(off + 8, 4);
  if (!nbuckets || !symoffset || !bloom) return std::nullopt;
  if (*nbuckets > kMaxSymbols || *bloom > kMaxSymbols) return std::nullopt;
  const std::uint64_t buckets = off + 16 + *bloom * (is64 ? 8 : 4);
  std::uint64_t max_index = 0;
  for (std::uint64_t i = 0; i < *nbuckets; ++i) {
    auto b = r.U(buckets + i * 4, 4);
    if (!b) return std::nullopt;
    max_index = std::max<std::uint64_t>(max_index, *b);
  }
  if (max_index < *symoffset) return *symoffset;
  const std::uint64_t chains = buckets + *nbuckets * 4;
  for (std::uint64_t idx = max_index; idx - max_index < kMaxSymbols; ++idx) {
    auto c = r.U(chains + (idx - *symoffset) * 4, 4);
    if (!c) return std::nullopt;
    if (*c & 1) return idx + 1;
  }
  return std::nullopt;
}

}  // namespace

bool IsElf(ByteView data) {
  return data.size() >= 4 && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F';
}

std::string MachineName(std::uint16_t machine, Endian endian, bool is64) {
  const bool le = endian == Endian::kLittle;
  switch (machine) {
    case 2:
      return "sparc";
    case 3:
      return "x86";
    case 8:
      return is64 ? (le ? "mips64el" : "mips64") : (le ? "mipsel" : "mips");
    case 20:
      return le ? "powerpcle" : "powerpc";
    case 21:
      return le ? "powerpc64le" : "powerpc64";
    case 22:
      return "s390";
    case 40:
      return le ? "arm" : "armeb";
    case 42:
      return "superh";
    case 43:
      return "sparc64";
    case 62:
      return "x86-64";
    case 83:
      return "avr";
    case 94:
      return "xtensa";
    case 183:
      return le ? "aarch64" : "aarch64_be";
    case 243:
      return is64 ? "riscv64" : "riscv32";
    case 258:
      return "loongarch";
    default:
      return "machine-" + std::to_string(machine);
  }
}

// The end of [off, off + len), saturating instead of wrapping.
std::uint64_t End(std::uint64_t off, std::uint64_t len) {
  return CheckedAdd(off, len).value_or(UINT64_MAX);
}

Result<ElfFile> Parse(ByteView data, std::string_view input, const ParseOptions& options) {
  const std::string in(input);
  if (!IsElf(data)) return MakeError(Errc::kNotThisFormat, "no ELF magic", in, 0);
  if (data.size() < 52) return MakeError(Errc::kTruncated, "ELF header cut short", in, 0);
  ElfFile f;
  if (data[4] != 1 && data[4] != 2) return MakeError(Errc::kCorrupt, "bad EI_CLASS", in, 4);
  if (data[5] != 1 && data[5] != 2) return MakeError(Errc::kCorrupt, "bad EI_DATA", in, 5);
  f.is64 = data[4] == 2;
  f.endian = data[5] == 1 ? Endian::kLittle : Endian::kBig;
  if (f.is64 && data.size() < 64)
    return MakeError(Errc::kTruncated, "ELF64 header cut short", in, 0);
  const Reader r(data, f.is64, f.endian);
  const std::uint16_t etype = static_cast<std::uint16_t>(*r.U(16, 2));
  f.type = etype == 1   ? FileType::kRel
           : etype == 2 ? FileType::kExec
           : etype == 3 ? FileType::kDyn
           : etype == 4 ? FileType::kCore
                        : FileType::kOther;
  f.machine = static_cast<std::uint16_t>(*r.U(18, 2));
  f.arch = MachineName(f.machine, f.endian, f.is64);

  const std::uint64_t phoff = *r.W(f.is64 ? 32 : 28);
  const std::uint64_t shoff = *r.W(f.is64 ? 40 : 32);
  const std::uint64_t hb = f.is64 ? 54 : 42;
  const std::uint64_t phentsize = *r.U(hb, 2), phnum = *r.U(hb + 2, 2);
  const std::uint64_t shentsize = *r.U(hb + 4, 2), shnum = *r.U(hb + 6, 2);
  const std::uint64_t shstrndx = *r.U(hb + 8, 2);
  f.extent = f.is64 ? 64 : 52;
  if (phnum > 0) f.extent = std::max(f.extent, End(phoff, phnum * phentsize));
  if (shnum > 0 && shoff != 0) f.extent = std::max(f.extent, End(shoff, shnum * shentsize));

  // Program headers.
  std::vector<Phdr> ph;
  const std::uint64_t want_ph = f.is64 ? 56 : 32;
  if (phnum > 0 && phentsize >= want_ph) {
    for (std::uint64_t i = 0; i < phnum; ++i) {
      const std::uint64_t o = phoff + i * phentsize;
      if (!Fits(r.size(), o, want_ph)) {
        f.warnings.push_back("program header " + std::to_string(i) + " out of file at " + Hex(o));
        break;
      }
      Phdr p;
      p.type = static_cast<std::uint32_t>(*r.U(o, 4));
      if (f.is64) {
        p.flags = static_cast<std::uint32_t>(*r.U(o + 4, 4));
        p.offset = *r.U(o + 8, 8);
        p.vaddr = *r.U(o + 16, 8);
        p.filesz = *r.U(o + 32, 8);
      } else {
        p.offset = *r.U(o + 4, 4);
        p.vaddr = *r.U(o + 8, 4);
        p.filesz = *r.U(o + 16, 4);
        p.flags = static_cast<std::uint32_t>(*r.U(o + 24, 4));
      }
      ph.push_back(p);
      f.extent = std::max(f.extent, End(p.offset, p.filesz));
    }
  }
  const Phdr* dyn = nullptr;
  for (const auto& p : ph) {
    switch (p.type) {
      case kPtInterp:
        if (auto s = r.Str(p.offset, p.offset + p.filesz, 256)) f.interp = std::string(*s);
        break;
      case kPtGnuStack:
        f.has_gnu_stack = true;
        f.stack_exec = (p.flags & kPfX) != 0;
        break;
      case kPtGnuRelro:
        f.has_relro = true;
        break;
      case kPtDynamic:
        dyn = &p;
        break;
      default:
        break;
    }
  }

  // Section headers: names, .symtab, .dynsym.
  std::vector<Shdr> sh;
  const std::uint64_t want_sh = f.is64 ? 64 : 40;
  if (shnum > 0 && shentsize >= want_sh && shoff != 0) {
    if (!Fits(r.size(), shoff, shnum * shentsize)) {
      f.warnings.push_back("section headers out of file at " + Hex(shoff));
    } else {
      for (std::uint64_t i = 0; i < shnum; ++i) {
        const std::uint64_t o = shoff + i * shentsize;
        Shdr s;
        s.name = static_cast<std::uint32_t>(*r.U(o, 4));
        s.type = static_cast<std::uint32_t>(*r.U(o + 4, 4));
        if (f.is64) {
          s.flags = *r.U(o + 8, 8);
          s.addr = *r.U(o + 16, 8);
          s.offset = *r.U(o + 24, 8);
          s.size = *r.U(o + 32, 8);
          s.link = static_cast<std::uint32_t>(*r.U(o + 40, 4));
          s.entsize = *r.U(o + 56, 8);
        } else {
          s.flags = *r.U(o + 8, 4);
          s.addr = *r.U(o + 12, 4);
          s.offset = *r.U(o + 16, 4);
          s.size = *r.U(o + 20, 4);
          s.link = static_cast<std::uint32_t>(*r.U(o + 24, 4));
          s.entsize = *r.U(o + 36, 4);
        }
        sh.push_back(s);
      }
      f.has_sections = true;
    }
  }
  const Shdr* names = shstrndx < sh.size() ? &sh[shstrndx] : nullptr;
  for (const auto& s : sh) {
    Section out{"", s.type, s.flags, s.offset, s.size, s.addr};
    if (names) {
      if (auto n = r.Str(End(names->offset, s.name), End(names->offset, names->size), 256)) {
        out.name = std::string(*n);
      }
    }
    if (s.type != kShtNobits) f.extent = std::max(f.extent, End(s.offset, s.size));
    f.sections.push_back(std::move(out));
  }
  if (!options.symbols) return f;
  std::unordered_set<std::string> seen_imports, seen_exports, seen_symbols;
  const std::uint64_t symsize = f.is64 ? 24 : 16;
  // Reads `count` symbols at `off` with string table [stroff, strend).
  auto read_symbols = [&](std::uint64_t off, std::uint64_t count, std::uint64_t stroff,
                          std::uint64_t strend, bool dynamic) {
    if (count > kMaxSymbols) {
      f.warnings.push_back("symbol table at " + Hex(off) + " claims " + std::to_string(count) +
                           " symbols; read " + std::to_string(kMaxSymbols));
      count = kMaxSymbols;
    }
    for (std::uint64_t i = 1; i < count; ++i) {
      const std::uint64_t o = off + i * symsize;
      auto name = r.U(o, 4);
      auto shndx = r.U(o + (f.is64 ? 6 : 14), 2);
      auto info = r.U(o + (f.is64 ? 4 : 12), 1);
      if (!name || !shndx || !info) {
        f.warnings.push_back("symbol table cut short at " + Hex(o));
        return;
      }
      if (*name == 0) continue;
      auto s = r.Str(stroff + *name, strend, 512);
      if (!s || s->empty()) continue;
      const unsigned stype = static_cast<unsigned>(*info & 0xf);
      if (stype == 3 || stype == 4) continue;  // STT_SECTION, STT_FILE
      std::string name_str(*s);
      if (dynamic && *shndx == 0) {
        if (seen_imports.insert(name_str).second) f.imports.push_back(std::move(name_str));
      } else if (dynamic) {
        if (seen_exports.insert(name_str).second) f.exports.push_back(std::move(name_str));
      } else if (seen_symbols.insert(name_str).second) {
        f.symbols.push_back(std::move(name_str));
      }
    }
  };
  bool have_dynsym = false;
  for (const auto& s : sh) {
    if (s.type != kShtSymtab && s.type != kShtDynsym) continue;
    if (s.type == kShtSymtab) f.has_symtab = true;
    if (s.link >= sh.size() || sh[s.link].type != kShtStrtab) continue;
    if (!Fits(r.size(), s.offset, s.size)) {
      f.warnings.push_back("symbol table out of file at " + Hex(s.offset));
      continue;
    }
    const Shdr& str = sh[s.link];
    const std::uint64_t strend = CheckedAdd(str.offset, str.size).value_or(0);
    read_symbols(s.offset, s.size / symsize, str.offset, strend, s.type == kShtDynsym);
    if (s.type == kShtDynsym) have_dynsym = true;
  }

  // Dynamic segment.
  if (dyn) {
    f.has_dynamic = true;
    const std::uint64_t ent = f.is64 ? 16 : 8;
    std::uint64_t strtab = 0, strsz = 0, symtab = 0, hash = 0, gnu_hash = 0;
    std::vector<std::pair<std::int64_t, std::uint64_t>> strings;  // tag, offset in strtab
    const std::uint64_t n = std::min<std::uint64_t>(dyn->filesz / ent, kMaxDynamic);
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::uint64_t o = dyn->offset + i * ent;
      auto tag = r.W(o), val = r.W(o + ent / 2);
      if (!tag || !val) {
        f.warnings.push_back("dynamic segment cut short at " + Hex(o));
        break;
      }
      const std::int64_t t = f.is64 ? static_cast<std::int64_t>(*tag)
                                    : static_cast<std::int64_t>(static_cast<std::int32_t>(*tag));
      if (t == kDtNull) break;
      switch (t) {
        case kDtNeeded:
        case kDtSoname:
        case kDtRpath:
        case kDtRunpath:
          strings.emplace_back(t, *val);
          break;
        case kDtStrtab:
          strtab = *val;
          break;
        case kDtStrsz:
          strsz = *val;
          break;
        case kDtSymtab:
          symtab = *val;
          break;
        case kDtHash:
          hash = *val;
          break;
        case kDtGnuHash:
          gnu_hash = *val;
          break;
        case kDtDebug:
          f.has_debug_tag = true;
          break;
        case kDtBindNow:
          f.bind_now = true;
          break;
        case kDtFlags:
          if (*val & kDfBindNow) f.bind_now = true;
          break;
        case kDtFlags1:
          if (*val & kDf1Now) f.bind_now = true;
          if (*val & kDf1Pie) f.df1_pie = true;
          break;
        default:
          break;
      }
    }
    auto str_off = VaToOffset(ph, strtab);
    if (!str_off && strtab != 0 && strtab < r.size()) str_off = strtab;  // prelinked at 0
    if (str_off) {
      const std::uint64_t strend =
          CheckedAdd(*str_off, strsz ? strsz : r.size()).value_or(r.size());
      for (const auto& [t, v] : strings) {
        auto s = r.Str(*str_off + v, strend, 4096);
        if (!s) {
          f.warnings.push_back("dynamic string out of table at " + Hex(*str_off + v));
          continue;
        }
        std::string str(*s);
        if (t == kDtNeeded) f.needed.push_back(str);
        if (t == kDtSoname) f.soname = str;
        if (t == kDtRpath) f.rpath.push_back(str);
        if (t == kDtRunpath) f.runpath.push_back(str);
      }
      // Stripped of section headers (sstrip): the dynamic symbols through DT_SYMTAB.
      if (!have_dynsym && symtab != 0) {
        std::optional<std::uint64_t> count;
        if (hash) {
          if (auto ho = VaToOffset(ph, hash)) count = r.U(*ho + 4, 4);
        } else if (gnu_hash) {
          if (auto go = VaToOffset(ph, gnu_hash)) count = GnuHashCount(r, *go, f.is64);
        }
        auto so = VaToOffset(ph, symtab);
        if (so && count) read_symbols(*so, *count, *str_off, strend, true);
      }
    } else if (!strings.empty() || symtab) {
      f.warnings.push_back("DT_STRTAB " + Hex(strtab) + " is outside every loaded segment");
    }
  }
  return f;
}

}  // namespace iotcop::elf
