// File: firmware/nvram.cc
// Reading nvram default tables: see nvram.h.
#include "firmware/nvram.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "core/elf.h"
#include "firmware/text.h"

namespace iotcop::firmware {
namespace {

bool NvramKeyChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' ||
         c == '-' || c == '/';
}

// "key=value" with an nvram-like key (letters first, no format directives) and a printable value.
bool SplitNvramPair(std::string_view s, NvramDefault& out) {
  const auto eq = s.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq > 64) return false;
  const std::string_view key = s.substr(0, eq), value = s.substr(eq + 1);
  if (!std::isalpha(static_cast<unsigned char>(key.front()))) return false;
  if (!std::all_of(key.begin(), key.end(), NvramKeyChar)) return false;
  if (value.size() > 512 || value.find("%s") != std::string_view::npos ||
      value.find("%d") != std::string_view::npos)
    return false;
  if (!std::all_of(value.begin(), value.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
      }))
    return false;
  out.key = std::string(key);
  out.value = std::string(value);
  return true;
}

// The file offset of virtual address `va` through the allocated sections with content.
std::optional<std::uint64_t> NvramVaddrOffset(const elf::ElfFile& f, std::uint64_t va) {
  for (const elf::Section& s : f.sections) {
    if (s.type == elf::kShtProgbits && s.addr != 0 && va >= s.addr && va - s.addr < s.size)
      return s.offset + (va - s.addr);
  }
  return std::nullopt;
}

// The NUL-terminated printable string at `off` (at most 512 bytes), if there is one.
std::optional<std::string_view> NvramCString(ByteView data, std::uint64_t off) {
  if (off >= data.size()) return std::nullopt;
  const std::string_view rest =
      AsString(data.subspan(off, std::min<std::size_t>(513, data.size() - off)));
  const auto nul = rest.find('\0');
  if (nul == std::string_view::npos) return std::nullopt;
  const std::string_view s = rest.substr(0, nul);
  if (!std::all_of(s.begin(), s.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
      }))
    return std::nullopt;
  return s;
}

// Broadcom's struct nvram_tuple { char *name; char *value; struct nvram_tuple *next; }
// router_defaults[] (and two-pointer variants): runs of at least kMinNvramRun consecutive tuples
// whose first pointer is an nvram key and whose second a printable string. Pointers are read as
// stored in the file: link-time addresses (executables, and MIPS/ARM REL shared objects); arrays
// whose pointers live only in RELA relocations read as zeros and are not found.
void NvramTuples(ByteView data, const elf::ElfFile& f, const elf::Section& s,
                 std::vector<NvramDefault>& out) {
  const std::size_t w = f.is64 ? 8 : 4;
  const auto bytes = Slice(data, s.offset, s.size);
  if (!bytes || bytes->size() < w * 2) return;
  auto word = [&](std::size_t at) -> std::optional<std::uint64_t> {
    if (at + w > bytes->size()) return std::nullopt;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < w; ++i) {
      const std::uint64_t b = (*bytes)[at + i];
      v |= f.endian == Endian::kLittle ? b << (8 * i) : b << (8 * (w - 1 - i));
    }
    return v;
  };
  std::set<std::uint64_t> taken;  // file offsets of tuples already read
  for (std::size_t stride = 2; stride <= 3; ++stride) {
    for (std::size_t phase = 0; phase < stride; ++phase) {
      std::vector<NvramDefault> run;
      auto flush = [&] {
        if (run.size() >= kMinNvramRun) {
          for (auto& d : run) {
            if (out.size() >= kMaxNvramEntries || !taken.insert(d.offset).second) continue;
            out.push_back(std::move(d));
          }
        }
        run.clear();
      };
      for (std::size_t at = phase * w; at + stride * w <= bytes->size(); at += stride * w) {
        if (out.size() >= kMaxNvramEntries) return;
        const auto name_va = word(at), value_va = word(at + w);
        std::optional<std::string_view> name, value;
        if (name_va && *name_va && value_va && *value_va) {
          const auto no = NvramVaddrOffset(f, *name_va), vo = NvramVaddrOffset(f, *value_va);
          if (no && vo) {
            name = NvramCString(data, *no);
            value = NvramCString(data, *vo);
          }
        }
        NvramDefault d;
        if (name && value && SplitNvramPair(std::string(*name) + "=" + std::string(*value), d) &&
            d.key == *name) {
          d.offset = s.offset + at;
          d.format = "elf-tuples";
          run.push_back(std::move(d));
        } else {
          flush();
        }
      }
      flush();
    }
  }
}

}  // namespace

bool IsNvramTextTable(std::string_view path) {
  const std::string_view b = Basename(path);
  if (path.find("/init.d/") != std::string_view::npos) return false;
  if (b.ends_with(".default") || b.starts_with("nvram") || b.ends_with(".nvram") ||
      b == "default_nvram" || b.starts_with("nvram_default") || b.ends_with("_default.cfg") ||
      b == "default.cfg" || b == "nvram.ini" || b.starts_with("RT2860_default") ||
      b.starts_with("RT3052_default") || b.starts_with("RT2561_default"))
    return true;
  // Ralink/MediaTek driver tables: RT2860AP.dat, RT2860.dat, MT7628.dat, iNIC_ap.dat.
  if (b.ends_with(".dat") && (b.starts_with("RT") || b.starts_with("MT") || b.starts_with("iNIC")))
    return true;
  // OpenWrt-style vendor default configuration: /etc/config/*default*.
  return path.find("/etc/config/") != std::string_view::npos &&
         b.find("default") != std::string_view::npos;
}

bool IsNvramProgram(std::string_view path) {
  const std::string_view b = Basename(path);
  return b.starts_with("libnvram") || b.starts_with("libshared") || b == "nvram" ||
         b == "nvram_daemon" || b == "nvramd" || b.starts_with("libcfg") ||
         b.starts_with("libapmib");
}

std::vector<NvramDefault> ReadNvramText(std::string_view text) {
  std::vector<NvramDefault> out;
  // A script named like a table (nvram.sh, /etc/nvram_init) sets shell variables, not defaults.
  if (!LooksLikeText(text) || text.starts_with("#!")) return out;
  for (const TextLine& l : SplitLines(text, kMaxNvramEntries)) {
    std::string_view t = Trim(l.text);
    if (t.empty() || t.front() == '#' || t.front() == ';' || t.front() == '[') continue;
    if (t.starts_with("export ")) t = Trim(t.substr(7));
    // key="value" as some vendor tables quote it
    NvramDefault d;
    std::string unquoted(t);
    const auto eq = unquoted.find('=');
    if (eq != std::string::npos && unquoted.size() >= eq + 3 && unquoted[eq + 1] == '"' &&
        unquoted.back() == '"')
      unquoted = unquoted.substr(0, eq + 1) + unquoted.substr(eq + 2, unquoted.size() - eq - 3);
    if (!SplitNvramPair(unquoted, d)) continue;
    d.line = l.number;
    d.format = "text";
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<NvramDefault> ReadNvramElf(ByteView data, std::string_view input) {
  std::vector<NvramDefault> out;
  if (!elf::IsElf(data)) return out;
  auto parsed = elf::Parse(data, input, {.symbols = false});
  if (!parsed) return out;
  for (const elf::Section& s : parsed->sections) {
    if (s.type != elf::kShtProgbits || (s.flags & elf::kShfExecinstr) != 0) continue;
    if (!s.name.starts_with(".rodata") && !s.name.starts_with(".data")) continue;
    const auto bytes = Slice(data, s.offset, s.size);
    if (!bytes) continue;
    NvramTuples(data, *parsed, s, out);
    const std::string_view sec = AsString(*bytes);
    std::vector<NvramDefault> run;
    auto flush = [&] {
      if (run.size() >= kMinNvramRun) {
        for (auto& d : run) {
          if (out.size() >= kMaxNvramEntries) break;
          out.push_back(std::move(d));
        }
      }
      run.clear();
    };
    std::size_t i = 0;
    while (i < sec.size() && out.size() < kMaxNvramEntries) {
      if (sec[i] == '\0') {
        ++i;
        continue;
      }
      const auto nul = sec.find('\0', i);
      if (nul == std::string_view::npos) break;
      NvramDefault d;
      if (SplitNvramPair(sec.substr(i, nul - i), d)) {
        d.offset = s.offset + i;
        d.format = "elf-strings";
        run.push_back(std::move(d));
      } else {
        flush();
      }
      i = nul + 1;
    }
    flush();
  }
  return out;
}

bool IsSecretNvramKey(std::string_view key) {
  const std::string k = Lower(key);
  for (std::string_view w : {"pass", "pwd", "psk", "secret", "key", "community", "token"}) {
    if (k.find(w) != std::string::npos) return true;
  }
  return k == "pw";
}

}  // namespace iotcop::firmware
