// Binaries collector: every ELF executable and shared library in the tree, parsed once with the
// bounded core/elf reader, becomes a `binary` fact with its hardening properties (NX, PIE, RELRO,
// stack canary, FORTIFY, RPATH/RUNPATH, stripped) and the risky libc functions it imports.
#include <algorithm>
#include <array>

#include "core/elf.h"
#include "core/fact_kinds.h"
#include "firmware/collector.h"
#include "firmware/text_files.h"

namespace iotcop::firmware {
namespace {

// Biggest ELF file read; bigger ones are reported as a problem and skipped.
constexpr std::size_t kMaxElfBytes = 128u << 20;

// Imported functions that make memory-safety or injection bugs easy (CWE-120, CWE-134, CWE-78):
// unbounded copies and formatting, reading without a length, running a shell command line.
constexpr std::array<std::string_view, 20> kRisky = {
    "strcpy",  "strcat",  "sprintf", "vsprintf", "gets",   "system", "popen",
    "execl",   "execlp",  "execle",  "scanf",    "sscanf", "fscanf", "vscanf",
    "vsscanf", "vfscanf", "wcscpy",  "wcscat",   "stpcpy", "getwd"};

bool IsRisky(std::string_view name) {
  return std::find(kRisky.begin(), kRisky.end(), name) != kRisky.end();
}

const char* TypeName(const elf::ElfFile& f) {
  switch (f.type) {
    case elf::FileType::kExec:
      return "exec";
    case elf::FileType::kDyn:
      // A program loaded at a random address; libraries that can also run (libc.so.6 has an
      // interpreter) keep their soname and stay libraries.
      return (f.df1_pie || f.has_debug_tag || (!f.interp.empty() && f.soname.empty())) ? "pie"
                                                                                       : "dso";
    default:
      return "other";
  }
}

class BinariesCollector : public Collector {
 public:
  const CollectorDoc& doc() const override { return doc_; }

  void Collect(const FirmwareInput& in, FactStore& facts,
               std::vector<Problem>& problems) const override {
    for (const auto& e : in.tree.entries()) {
      if (e.type != unpack::EntryType::kFile || e.size < 52 || e.disk.empty()) continue;
      auto head = in.tree.Read(e, 4);
      if (!head || !elf::IsElf(AsBytes(*head))) continue;
      auto content = ReadWhole(in, e, kMaxElfBytes, doc_.name, problems);
      if (!content) continue;
      auto parsed = elf::Parse(AsBytes(*content), in.tree.DisplayPath(e));
      if (!parsed) {
        problems.push_back({"warning", "collect", in.input, in.tree.DisplayPath(e),
                            parsed.error().offset, "binaries: " + parsed.error().what});
        continue;
      }
      const elf::ElfFile& f = *parsed;
      if (f.type != elf::FileType::kExec && f.type != elf::FileType::kDyn) continue;
      facts.Add(facts::kBinary, Describe(e, f), FileEvidence(in, e, std::nullopt, Summary(f), 0),
                doc_.name);
    }
  }

 private:
  static nlohmann::json Describe(const unpack::Entry& e, const elf::ElfFile& f) {
    auto has = [&](std::string_view n) {
      for (const auto* list : {&f.imports, &f.exports, &f.symbols}) {
        if (std::find(list->begin(), list->end(), n) != list->end()) return true;
      }
      return false;
    };
    // FORTIFY_SOURCE shows as dynamic symbols named __*_chk (what checksec counts).
    std::vector<std::string> fortified, risky;
    for (const auto* list : {&f.imports, &f.exports}) {
      for (const auto& s : *list) {
        if (s.ends_with("_chk")) fortified.push_back(s);
      }
    }
    for (const auto& s : f.imports) {
      if (IsRisky(s)) risky.push_back(s);
    }
    std::sort(fortified.begin(), fortified.end());
    fortified.erase(std::unique(fortified.begin(), fortified.end()), fortified.end());
    std::sort(risky.begin(), risky.end());
    const std::string type = TypeName(f);
    const bool full_relro = f.has_relro && f.bind_now;
    return {
        {"path", e.path},
        {"arch", f.arch},
        {"bits", f.is64 ? 64 : 32},
        {"endian", f.endian == Endian::kLittle ? "little" : "big"},
        {"type", type},
        {"interp", f.interp},
        {"static", !f.has_dynamic},
        {"nx", f.has_gnu_stack && !f.stack_exec},
        {"pie", type == "pie"},
        {"relro", !f.has_relro ? "none"
                  : full_relro ? "full"
                               : "partial"},
        {"canary",
         has("__stack_chk_fail") || has("__stack_chk_guard") || has("__intel_security_cookie")},
        {"fortify", !fortified.empty()},
        {"fortified", fortified},
        {"rpath", f.rpath},
        {"runpath", f.runpath},
        {"stripped", !f.has_symtab},
        {"needed", f.needed},
        {"imports", f.imports.size()},
        {"risky", risky},
    };
  }

  static std::string Summary(const elf::ElfFile& f) {
    std::string s =
        "ELF " + std::string(f.is64 ? "64" : "32") + "-bit " + f.arch + " " + TypeName(f);
    if (!f.interp.empty()) s += ", interpreter " + f.interp;
    if (!f.warnings.empty()) s += "; " + f.warnings.front();
    return s;
  }

  CollectorDoc doc_{"binaries",
                    "ELF executables and libraries: hardening flags and risky imported functions",
                    {facts::kBinary}};
};

}  // namespace

std::unique_ptr<const Collector> MakeBinariesCollector() {
  return std::make_unique<BinariesCollector>();
}

}  // namespace iotcop::firmware
