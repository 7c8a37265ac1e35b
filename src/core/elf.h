// File: core/elf.h
// A bounded ELF reader: the one parser of ELF files in iotcop (binary hardening, component
// identification, kernel modules). It reads the header, program headers, the dynamic segment and
// the symbol tables of 32/64-bit ELF files of either byte order and any machine (ARM, AArch64,
// MIPS, x86, x86-64, PowerPC, RISC-V...). Every offset and count is checked against the buffer;
// stripped files without section headers are read through the dynamic segment (DT_SYMTAB with
// DT_HASH or DT_GNU_HASH for the symbol count).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace iotcop::elf {

enum class FileType { kNone, kRel, kExec, kDyn, kCore, kOther };

inline constexpr std::uint32_t kShtProgbits = 1, kShtNobits = 8;
inline constexpr std::uint64_t kShfExecinstr = 0x4;

struct Section {
  std::string name;  // empty when the section-name table is unreadable
  std::uint32_t type = 0;
  std::uint64_t flags = 0, offset = 0, size = 0;
  std::uint64_t addr = 0;  // sh_addr: where the section is loaded (0 when not allocated)
};

struct ElfFile {
  bool is64 = false;
  Endian endian = Endian::kLittle;
  FileType type = FileType::kNone;
  std::uint16_t machine = 0;
  std::string arch;  // "mips", "arm", "aarch64", "x86-64"... with "el"/"eb" where both exist

  std::string interp;  // PT_INTERP, empty when absent
  bool has_gnu_stack = false;
  bool stack_exec = true;  // PT_GNU_STACK has PF_X, or PT_GNU_STACK is absent
  bool has_relro = false;  // PT_GNU_RELRO
  bool has_dynamic = false;
  bool bind_now = false;  // DT_BIND_NOW, DF_BIND_NOW or DF_1_NOW
  bool df1_pie = false;
  bool has_debug_tag = false;  // DT_DEBUG (what checksec calls a PIE executable)
  bool has_symtab = false;     // SHT_SYMTAB: not stripped
  bool has_sections = false;   // section headers present and readable
  std::string soname;
  std::vector<std::string> needed, rpath, runpath;
  std::vector<std::string> imports;  // undefined dynamic symbols (imported functions/objects)
  std::vector<std::string> exports;  // defined dynamic symbols
  std::vector<std::string> symbols;  // named symbols of .symtab (unstripped files)
  std::vector<Section> sections;     // section headers, in file order of the table
  // Bytes from the start the file covers (headers, segments, sections, section table); may
  // exceed the buffer when the file was cut.
  std::uint64_t extent = 0;
  std::vector<std::string> warnings;  // parts that could not be read, with offsets
};

// Limits against hostile counts.
inline constexpr std::size_t kMaxSymbols = 1u << 20;
inline constexpr std::size_t kMaxDynamic = 1u << 16;

// True when `data` starts with the ELF magic.
bool IsElf(ByteView data);

struct ParseOptions {
  bool symbols = true;  // read the symbol tables and the dynamic segment (false: layout only)
};

// Parses an ELF file held in `data`. `input` names it in errors. Fails only when the header
// itself is unusable; damaged tables become `warnings`.
Result<ElfFile> Parse(ByteView data, std::string_view input, const ParseOptions& options = {});

// The machine name of e_machine (with the byte order for bi-endian machines).
std::string MachineName(std::uint16_t machine, Endian endian, bool is64);

}  // namespace iotcop::elf
