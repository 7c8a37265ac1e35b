#include "emulate/nvram.h"

#include <fnmatch.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <utility>

#include "core/elf.h"
#include "firmware/nvram.h"
#include "firmware/text.h"

namespace iotcop::emulate {
namespace {

namespace fs = std::filesystem;

// The placeholder name the interposing shim needs (emulate/shim/real_placeholder.c), renumbered
// for each vendor library it stands in for.
constexpr std::string_view kRealPlaceholder = "libiotcop-real-0000.so";
constexpr std::size_t kMaxInterposed = 16;
// The shim's buffer for the defaults (NVRAM_DEFAULTS_MAX in libnvram.c), less its final NUL.
constexpr std::size_t kShimDefaultsMax = (1u << 20) - 1;
constexpr const char* kVendorNvramLibraries[] = {"libnvram*.so*", "libshared.so*",
                                                 "libacos_shared.so*"};

std::string NvramBase(const std::string& path) { return fs::path(path).filename().string(); }

bool NvramIsVendorLibrary(const std::string& base) {
  for (const char* pattern : kVendorNvramLibraries)
    if (fnmatch(pattern, base.c_str(), 0) == 0) return true;
  return false;
}

}  // namespace

ProgramArch ProgramArchOf(const unpack::Tree& tree, std::uint32_t root, const std::string& path) {
  const unpack::Entry* e = tree.Find(root, path);
  if (!e || e->type != unpack::EntryType::kFile) return {};
  auto head = firmware::ReadCapped(tree, *e, 64 * 1024);
  if (!head || !elf::IsElf(AsBytes(*head))) return {};
  elf::ParseOptions po;
  po.symbols = false;
  auto f = elf::Parse(AsBytes(*head), path, po);
  if (!f) return {};
  return {f->arch, NvramVariant(f->arch, AsBytes(*head))};
}

std::string NvramVariant(const std::string& arch, ByteView head) {
  // e_flags of a 32-bit ELF file is at offset 36; EF_ARM_ABI_FLOAT_HARD is 0x400.
  if (arch == "arm" && head.size() >= 40) {
    const std::uint32_t flags =
        static_cast<std::uint32_t>(head[36]) | static_cast<std::uint32_t>(head[37]) << 8 |
        static_cast<std::uint32_t>(head[38]) << 16 | static_cast<std::uint32_t>(head[39]) << 24;
    if (flags & 0x400u) return "armhf";
  }
  return arch;
}

// emulate/shim/embed.cmake's table, generated at build time.
extern const std::pair<std::string_view, std::string_view> kNvramShims[];

std::string_view NvramShim(const std::string& variant, bool interpose) {
  if (variant.empty()) return {};
  const std::string name = interpose ? variant + "-interpose" : variant;
  for (const auto* s = kNvramShims; !s->first.empty(); ++s)
    if (s->first == name) return s->second;
  return {};
}

NvramSetup PlanNvram(const unpack::Tree& tree, std::uint32_t root,
                     const std::set<std::string>& variants) {
  NvramSetup setup;
  // The defaults: text tables first, then tables compiled into programs; the first value wins.
  std::vector<const unpack::Entry*> text, programs;
  std::vector<const unpack::Entry*> libraries;
  for (const auto& e : tree.entries()) {
    if (e.root != root) continue;
    if (e.type == unpack::EntryType::kFile && firmware::IsNvramTextTable(e.path))
      text.push_back(&e);
    if (e.type == unpack::EntryType::kFile && firmware::IsNvramProgram(e.path))
      programs.push_back(&e);
    if ((e.type == unpack::EntryType::kFile || e.type == unpack::EntryType::kSymlink) &&
        NvramIsVendorLibrary(NvramBase(e.path)))
      libraries.push_back(&e);
  }
  auto by_path = [](const unpack::Entry* a, const unpack::Entry* b) { return a->path < b->path; };
  std::sort(text.begin(), text.end(), by_path);
  std::sort(programs.begin(), programs.end(), by_path);
  std::sort(libraries.begin(), libraries.end(), by_path);
  std::map<std::string, bool> seen;
  std::string records;
  auto add = [&](const std::vector<firmware::NvramDefault>& entries, const unpack::Entry& e) {
    bool used = false;
    for (const auto& d : entries) {
      if (d.key.empty() || d.key.find('=') != std::string::npos ||
          d.key.find('\0') != std::string::npos || d.value.find('\0') != std::string::npos)
        continue;
      if (seen.contains(d.key)) continue;
      const std::size_t need = d.key.size() + 1 + d.value.size() + 1;
      if (records.size() + need > kShimDefaultsMax) break;
      seen[d.key] = true;
      records += d.key + "=" + d.value;
      records.push_back('\0');
      used = true;
    }
    if (used) setup.sources.push_back(e.path);
  };
  for (const unpack::Entry* e : text) {
    if (auto t = firmware::ReadCapped(tree, *e, firmware::kMaxNvramText))
      add(firmware::ReadNvramText(*t), *e);
  }
  for (const unpack::Entry* e : programs) {
    if (auto d = firmware::ReadCapped(tree, *e, firmware::kMaxNvramElf))
      add(firmware::ReadNvramElf(AsBytes(*d), tree.DisplayPath(*e)), *e);
  }
  setup.defaults = seen.size();
  setup.files.push_back({"nvram/defaults", std::move(records), "", 0644});
  // Any user of the image may append the keys it missed.
  setup.files.push_back({"nvram/misses", "", "", 0666});

  // The shims: one preloaded build a variant, and one stand-in for each vendor library.
  std::map<std::string, std::string> templates;  // variant -> interposing shim's bytes
  for (const std::string& v : variants) {
    const std::string_view pre = NvramShim(v, false);
    const std::string_view inter = NvramShim(v, true);
    if (pre.empty() || inter.empty()) {
      setup.missing_shims.push_back(v);
      continue;
    }
    setup.variants.insert(v);
    setup.files.push_back({fmt::format("nvram/preload-{}.so", v), std::string(pre), "", 0755});
    templates[v] = std::string(inter);
  }
  std::set<std::string> taken;  // "variant/base"
  std::size_t n = 0;
  for (const unpack::Entry* e : libraries) {
    if (n >= kMaxInterposed) break;
    const std::string variant = ProgramArchOf(tree, root, e->path).variant;
    const auto t = templates.find(variant);
    if (t == templates.end()) continue;
    const std::string base = NvramBase(e->path);
    if (!taken.insert(variant + "/" + base).second) continue;
    std::string bytes = t->second;
    const auto at = bytes.find(kRealPlaceholder);
    if (at == std::string::npos || bytes.find(kRealPlaceholder, at + 1) != std::string::npos)
      continue;  // not the shim this build made
    const std::string real = fmt::format("libiotcop-real-{:04}.so", n);
    bytes.replace(at, real.size(), real);
    setup.files.push_back({fmt::format("nvram/{}/{}", variant, base), std::move(bytes), "", 0755});
    setup.files.push_back({fmt::format("nvram/{}/{}", variant, real), "", e->path, 0});
    setup.interposed.push_back(e->path);
    ++n;
  }
  return setup;
}

std::vector<std::string> NvramEnvironment(const NvramSetup& setup, const std::string& variant) {
  if (!setup.variants.contains(variant)) return {};
  std::vector<std::string> env = {fmt::format("LD_PRELOAD=/.iotcop/nvram/preload-{}.so", variant)};
  const std::string dir = fmt::format("nvram/{}/", variant);
  for (const auto& f : setup.files) {
    if (f.path.starts_with(dir)) {
      env.push_back(fmt::format("LD_LIBRARY_PATH=/.iotcop/nvram/{}", variant));
      break;
    }
  }
  return env;
}

std::vector<std::string> NvramMisses(const Sandbox& sandbox, std::size_t max) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  const std::string text = sandbox.ReadOwnFile("nvram/misses", 1u << 20);
  std::size_t start = 0;
  while (start < text.size() && out.size() < max) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string key = text.substr(start, nl - start);
    start = nl + 1;
    std::erase_if(key, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
    if (!key.empty() && seen.insert(key).second) out.push_back(std::move(key));
  }
  return out;
}

nlohmann::json DescribeNvram(const NvramSetup& setup, const Sandbox* sandbox) {
  nlohmann::json j = {{"defaults", setup.defaults},
                      {"sources", setup.sources},
                      {"interposed", setup.interposed},
                      {"shims", setup.variants},
                      {"missing_shims", setup.missing_shims}};
  if (sandbox) j["missed_keys"] = NvramMisses(*sandbox, 200);
  return j;
}

std::string NvramLine(const NvramSetup& setup) {
  if (setup.variants.empty() && setup.missing_shims.empty()) return "";
  if (setup.variants.empty())
    return fmt::format(
        "nvram: not answered (no shim for {} in this build: clang and ld.lld build it)",
        fmt::join(setup.missing_shims, ", "));
  std::string line = fmt::format("nvram: {} default(s) from {} file(s) served to the services",
                                 setup.defaults, setup.sources.size());
  if (!setup.interposed.empty())
    line += fmt::format(" (standing in for {})", fmt::join(setup.interposed, ", "));
  return line;
}

}  // namespace iotcop::emulate
