// File: firmware/nvram.h
// The one reader of nvram default tables (used by the config-credentials collector): text tables
// of `key=value` lines (Broadcom/Tomato nvram.default, default.cfg, /etc/nvram.ini, Ralink/MediaTek
// RT2860_default* and RT*.dat, /etc/config/*default*) and the string tables compiled into nvram
// libraries and programs (libnvram.so, libshared.so, nvram, nvram_daemon), read through core/elf.h:
// runs of consecutive NUL-terminated "key=value" strings in .rodata/.data, and Broadcom's
// router_defaults[] arrays of {char *name; char *value[; next]} whose pointers are mapped through
// the sections' addresses. Bounded: 1 MiB of text, 8 MiB of ELF, 50000 entries a file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"

namespace iotcop::firmware {

struct NvramDefault {
  std::string key, value;
  std::uint32_t line = 0;    // text tables: 1-based line
  std::uint64_t offset = 0;  // ELF: file offset of the "key=value" string or of the tuple
  std::string format;        // "text", "elf-strings" or "elf-tuples"
};

inline constexpr std::size_t kMaxNvramText = 1u << 20;
inline constexpr std::size_t kMaxNvramElf = 8u << 20;
inline constexpr std::size_t kMaxNvramEntries = 50000;
// Fewest consecutive key=value strings that make a string table of defaults.
inline constexpr std::size_t kMinNvramRun = 6;

// True for a path whose file is a text table of nvram defaults.
bool IsNvramTextTable(std::string_view path);
// True for a path whose ELF file may hold a compiled table of defaults.
bool IsNvramProgram(std::string_view path);

// `key=value` lines; comments (#, ;) and [sections] skipped; nothing from a script (#!).
std::vector<NvramDefault> ReadNvramText(std::string_view text);
// Runs of at least kMinNvramRun consecutive "key=value" strings or {name, value} pointer tuples in
// an ELF file's data sections; empty when `data` is no ELF or holds no such run.
std::vector<NvramDefault> ReadNvramElf(ByteView data, std::string_view input);

// True for keys whose values are secrets (passwords, keys, PSKs, communities): never shown.
bool IsSecretNvramKey(std::string_view key);

}  // namespace iotcop::firmware
