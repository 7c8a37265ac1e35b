// Components collector: software components and their versions, for the SBOM and vulnerability
// matching. Sources, best first: package databases (opkg status and info/*.control, dpkg status),
// version paths (/lib/modules/<kernel>), and version strings in files chosen by the signatures of
// rules/components.yaml (cve-bin-tool style: file name patterns, a hint, a version regex over the
// printable strings). One `component` fact per name and version; the kernel also becomes an
// `operating_system` fact.
#include <fnmatch.h>

#include <fmt/format.h>

#include <map>
#include <set>

#include "core/fact_kinds.h"
#include "firmware/collector.h"
#include "firmware/text_files.h"
#include "vuln/components.h"
#include "vuln/version.h"

namespace iotcop::firmware {
namespace {

using vuln::BuiltinComponentRules;
using vuln::ComponentRule;
using vuln::MakeCpe;
using vuln::MakePurl;

constexpr std::size_t kMaxScanBytes = 64u << 20;
constexpr std::size_t kMaxStatusBytes = 8u << 20;

std::string BaseName(std::string_view path) {
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// Calls fn(string, offset) for every run of at least 4 printable ASCII characters.
template <class Fn>
void ForEachString(std::string_view data, Fn&& fn) {
  std::size_t start = 0;
  bool in = false;
  for (std::size_t i = 0; i <= data.size(); ++i) {
    const bool printable =
        i < data.size() && ((data[i] >= 0x20 && data[i] < 0x7f) || data[i] == '\t');
    if (printable && !in) {
      start = i;
      in = true;
    } else if (!printable && in) {
      in = false;
      if (i - start >= 4) {
        if (!fn(data.substr(start, i - start), start)) return;
      }
    }
  }
}

struct Stanza {
  std::map<std::string, std::string> fields;
  std::uint32_t line = 0;  // line of its first field
};

// Debian control-file stanzas (opkg and dpkg status, *.control): "Field: value" lines,
// continuation lines start with a space, stanzas are separated by blank lines.
std::vector<Stanza> ParseStanzas(std::string_view text) {
  std::vector<Stanza> out;
  Stanza cur;
  std::string last;
  std::uint32_t line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      if (!cur.fields.empty()) out.push_back(std::move(cur));
      cur = Stanza{};
    } else if (line[0] != ' ' && line[0] != '\t') {
      const auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        last = std::string(line.substr(0, colon));
        std::string_view v = line.substr(colon + 1);
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        if (cur.fields.empty()) cur.line = line_no;
        cur.fields[last] = std::string(v);
      }
    }
    if (nl == text.size()) break;
    pos = nl + 1;
  }
  if (!cur.fields.empty()) out.push_back(std::move(cur));
  return out;
}

class ComponentsCollector : public Collector {
 public:
  const CollectorDoc& doc() const override { return doc_; }

  void Collect(const FirmwareInput& in, FactStore& facts,
               std::vector<Problem>& problems) const override {
    static const std::vector<ComponentRule> kNone;
    const auto& loaded = BuiltinComponentRules();
    if (!loaded) {
      problems.push_back({"error", "collect", in.input, "", std::nullopt,
                          "components: " + loaded.error().Describe()});
    }
    const std::vector<ComponentRule>& rules = loaded ? *loaded : kNone;
    Emitter emit{in, facts, doc_.name, {}};

    // 1. Package databases.
    const auto system = in.tree.SystemRoots();
    for (std::uint32_t root : system) {
      for (const auto& [path, source] :
           {std::pair{"/usr/lib/opkg/status", "opkg"}, std::pair{"/var/lib/dpkg/status", "dpkg"},
            std::pair{"/var/lib/opkg/status", "opkg"}}) {
        if (const unpack::Entry* e = in.tree.Find(root, path)) {
          ReadPackages(in, *e, source, rules, emit, problems);
        }
      }
      for (const unpack::Entry* e : in.tree.List(root, "/usr/lib/opkg/info")) {
        if (e->path.ends_with(".control")) ReadPackages(in, *e, "opkg", rules, emit, problems);
      }
    }
    // 2. Versions in paths (/lib/modules/3.3.8).
    for (const auto& e : in.tree.entries()) {
      for (const auto& r : rules) {
        std::smatch m;
        if (r.paths && e.path.starts_with(r.paths_prefix) &&
            std::regex_match(e.path, m, *r.paths)) {
          emit.Add(r, m[1].str(), "path", "", e, std::nullopt, e.path, std::nullopt);
        }
      }
    }
    // 3. Version strings in the files the signatures name, and in carved blobs.
    std::set<std::uint32_t> system_set(system.begin(), system.end());
    for (const auto& e : in.tree.entries()) {
      if (e.type != unpack::EntryType::kFile || e.disk.empty() || e.size < 16) continue;
      const std::string base = BaseName(e.path);
      const bool blob = !system_set.count(e.root);
      std::vector<const ComponentRule*> candidates;
      for (const auto& r : rules) {
        if (!r.version) continue;
        bool hit = blob && r.blobs;
        for (const auto& pat : r.files) {
          if (hit) break;
          hit = fnmatch(pat.c_str(), base.c_str(), 0) == 0;
        }
        if (hit) candidates.push_back(&r);
      }
      if (candidates.empty()) continue;
      auto content = ReadWhole(in, e, kMaxScanBytes, "components", problems);
      if (!content) continue;
      std::vector<bool> found(candidates.size(), false);
      std::size_t left = candidates.size();
      ForEachString(*content, [&](std::string_view s, std::size_t off) {
        for (std::size_t i = 0; i < candidates.size(); ++i) {
          const ComponentRule& r = *candidates[i];
          if (found[i] || s.find(r.hint) == std::string_view::npos) continue;
          std::match_results<std::string_view::const_iterator> m;
          if (std::regex_search(s.begin(), s.end(), m, *r.version)) {
            found[i] = true;
            --left;
            emit.Add(r, m[1].str(), "signature", "", e, std::nullopt, std::string(s), off);
          }
        }
        return left > 0;
      });
    }
    // 4. What the unpacker noted about chunks it claimed whole (the banner of a kernel ELF).
    for (const auto& n : in.tree.notes()) {
      for (const auto& r : rules) {
        if (!r.version || !r.blobs || n.text.find(r.hint) == std::string::npos) continue;
        std::smatch m;
        if (!std::regex_search(n.text, m, *r.version)) continue;
        Evidence ev;
        ev.input = in.input;
        ev.path = n.container;
        ev.offset = n.offset;
        ev.excerpt = BoundExcerpt(n.text);
        emit.AddNamed(r.name, &r, m[1].str(), "signature", "", "", n.container, ev);
      }
    }
  }

 private:
  struct Emitter {
    const FirmwareInput& in;
    FactStore& facts;
    std::string collector;
    std::set<std::string> seen;           // name + version
    std::set<std::string> seen_packages;  // package + version

    void Add(const ComponentRule& r, const std::string& version, const std::string& source,
             const std::string& package_version, const unpack::Entry& e,
             std::optional<std::uint32_t> line, const std::string& excerpt,
             std::optional<std::uint64_t> offset) {
      AddNamed(r.name, &r, version, source, "", package_version, e.path,
               FileEvidence(in, e, line, excerpt, offset));
    }

    // `path`: where it was found (a file of the tree, or the container of an unpacker note).
    void AddNamed(const std::string& name, const ComponentRule* r, const std::string& version,
                  const std::string& source, const std::string& package,
                  const std::string& package_version, const std::string& path, const Evidence& ev) {
      // Every installed package is listed (two packages of one project are two components);
      // a version string or path adds a component only when nothing named it yet.
      if (!package.empty()) {
        if (!seen_packages.insert(package + '\0' + package_version).second) return;
        seen.insert(name + '\0' + version);
      } else if (!seen.insert(name + '\0' + version).second) {
        return;
      }
      nlohmann::json v = {
          {"name", name},
          {"version", version},
          {"type", r ? r->type : "library"},
          {"cpe", r ? MakeCpe(*r, version) : ""},
          {"purl", source == "dpkg"
                       ? MakePurl("deb", "", package.empty() ? name : package, package_version)
                       : MakePurl("generic", "", name, version)},
          {"source", source},
          {"path", path},
      };
      if (r) {
        v["vendor"] = r->vendor;
        v["product"] = r->product;
      }
      if (!package.empty()) {
        v["package"] = package;
        v["package_version"] = package_version;
      }
      facts.Add(facts::kComponent, v, ev, collector);
      if (r && r->type == "operating-system") {
        facts.Add(facts::kOperatingSystem, {{"name", r->name}, {"version", version}}, ev,
                  collector);
      }
    }
  };

  static void ReadPackages(const FirmwareInput& in, const unpack::Entry& e, const char* source,
                           const std::vector<ComponentRule>& rules, Emitter& emit,
                           std::vector<Problem>& problems) {
    auto text = ReadWhole(in, e, kMaxStatusBytes, "components", problems);
    if (!text) return;
    for (const auto& st : ParseStanzas(*text)) {
      auto pkg = st.fields.find("Package");
      auto ver = st.fields.find("Version");
      if (pkg == st.fields.end() || ver == st.fields.end()) continue;
      if (auto status = st.fields.find("Status"); status != st.fields.end()) {
        const std::string& s = status->second;
        if (s.find("installed") == std::string::npos ||
            s.find("not-installed") != std::string::npos) {
          continue;
        }
      }
      const ComponentRule* rule = nullptr;
      for (const auto& r : rules) {
        for (const auto& p : r.packages) {
          if (p == pkg->second) rule = &r;
        }
        if (rule) break;
      }
      const std::string upstream = vuln::UpstreamVersion(ver->second);
      emit.AddNamed(
          rule ? rule->name : pkg->second, rule, upstream, source, pkg->second, ver->second, e.path,
          FileEvidence(in, e, st.line, "Package: " + pkg->second + " Version: " + ver->second));
    }
  }

  CollectorDoc doc_{"components",
                    "software components and versions from package databases and version strings",
                    {facts::kComponent, facts::kOperatingSystem}};
};

}  // namespace

std::unique_ptr<const Collector> MakeComponentsCollector() {
  return std::make_unique<ComponentsCollector>();
}

}  // namespace iotcop::firmware
