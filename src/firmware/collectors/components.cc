// Components collector: software components and their versions, for the SBOM and vulnerability
// matching. Sources, best first: package databases (opkg status and info/*.control, dpkg status,
// apk's lib/apk/db/installed; each package with its distribution's OSV ecosystem, from
// /etc/os-release and the like, and its source package),
// version paths (/lib/modules/<kernel>), and version strings in files chosen by the signatures of
// rules/components.yaml (cve-bin-tool style: file name patterns, a hint, a version regex over the
// printable strings). One `component` fact per name and version; the kernel also becomes an
// `operating_system` fact. A file is claimed by one signature only: the one whose `files` names
// it best (ClaimRank), the rule listed first among equals; the others that matched are listed
// in the fact's `also_matched`.
#include <fnmatch.h>

#include <fmt/format.h>

#include <map>
#include <set>

#include "core/fact_kinds.h"
#include "core/strings.h"
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

// How well signature `r` names a file (0: not at all), for the rule that one file is claimed by
// one component: 3 when a `files` pattern is the file's base name itself ("dnsmasq"), 2 when a
// wildcard pattern matches it ("lighttpd*", "*.bin"), 1 when the file is a carved blob and the
// rule searches blobs.
int ClaimRank(const ComponentRule& r, const std::string& base, bool blob) {
  int rank = blob && r.blobs ? 1 : 0;
  for (const auto& pat : r.files) {
    if (pat == base) return 3;
    if (rank < 2 && fnmatch(pat.c_str(), base.c_str(), 0) == 0) rank = 2;
  }
  return rank;
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

    // 1. Package databases, with the distribution release they belong to.
    const auto system = in.tree.SystemRoots();
    for (std::uint32_t root : system) {
      const Release release = ReadRelease(in, root, problems);
      for (const auto& [path, source] :
           {std::pair{"/usr/lib/opkg/status", "opkg"}, std::pair{"/var/lib/dpkg/status", "dpkg"},
            std::pair{"/var/lib/opkg/status", "opkg"}, std::pair{"/lib/apk/db/installed", "apk"}}) {
        if (const unpack::Entry* e = in.tree.Find(root, path)) {
          ReadPackages(in, *e, source, release, rules, emit, problems);
        }
      }
      for (const unpack::Entry* e : in.tree.List(root, "/usr/lib/opkg/info")) {
        if (e->path.ends_with(".control"))
          ReadPackages(in, *e, "opkg", release, rules, emit, problems);
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
    // 3. Version strings in the files the signatures name, and in carved blobs. One file is one
    // component: when several signatures find a version in it, the one that names the file best
    // claims it (ClaimRank) and the others are recorded on its fact (`also_matched`).
    std::set<std::uint32_t> system_set(system.begin(), system.end());
    for (const auto& e : in.tree.entries()) {
      if (e.type != unpack::EntryType::kFile || e.disk.empty() || e.size < 16) continue;
      const std::string base = BaseName(e.path);
      const bool blob = !system_set.count(e.root);
      struct Candidate {
        const ComponentRule* rule;
        int rank;
        std::string version, excerpt;
        std::size_t offset = 0;
        bool found = false;
      };
      std::vector<Candidate> candidates;
      for (const auto& r : rules) {
        if (!r.version) continue;
        const int rank = ClaimRank(r, base, blob);
        if (rank > 0) candidates.push_back({&r, rank, "", "", 0, false});
      }
      if (candidates.empty()) continue;
      auto content = ReadWhole(in, e, kMaxScanBytes, "components", problems);
      if (!content) continue;
      std::size_t left = candidates.size();
      ForEachString(*content, [&](std::string_view s, std::size_t off) {
        for (auto& c : candidates) {
          const ComponentRule& r = *c.rule;
          if (c.found || s.find(r.hint) == std::string_view::npos) continue;
          std::match_results<std::string_view::const_iterator> m;
          if (std::regex_search(s.begin(), s.end(), m, *r.version)) {
            c.found = true;
            c.version = m[1].str();
            c.excerpt = std::string(s);
            c.offset = off;
            --left;
          }
        }
        return left > 0;
      });
      // The best rank wins; between equals, the rule listed first in components.yaml.
      const Candidate* best = nullptr;
      for (const auto& c : candidates) {
        if (c.found && (!best || c.rank > best->rank)) best = &c;
      }
      if (!best) continue;
      std::vector<std::string> others;
      for (const auto& c : candidates) {
        if (c.found && &c != best) others.push_back(c.rule->name + " " + c.version);
      }
      emit.Add(*best->rule, best->version, "signature", "", e, std::nullopt, best->excerpt,
               best->offset, others);
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
             std::optional<std::uint64_t> offset, const std::vector<std::string>& also = {}) {
      AddNamed(r.name, &r, version, source, "", package_version, e.path,
               FileEvidence(in, e, line, excerpt, offset), "", "", also);
    }

    // `path`: where it was found (a file of the tree, or the container of an unpacker note).
    void AddNamed(const std::string& name, const ComponentRule* r, const std::string& version,
                  const std::string& source, const std::string& package,
                  const std::string& package_version, const std::string& path, const Evidence& ev,
                  const std::string& ecosystem = "", const std::string& source_package = "",
                  const std::vector<std::string>& also = {}) {
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
          {"purl",
           source == "dpkg" ? MakePurl("deb", "", package.empty() ? name : package, package_version)
           : source == "apk"
               ? MakePurl("apk", "alpine", package.empty() ? name : package, package_version)
               : MakePurl("generic", "", name, version)},
          {"source", source},
          {"path", path},
      };
      if (!also.empty()) v["also_matched"] = also;
      if (r) {
        v["vendor"] = r->vendor;
        v["product"] = r->product;
      }
      if (!package.empty()) {
        v["package"] = package;
        v["package_version"] = package_version;
        v["ecosystem"] = ecosystem;
        if (!source_package.empty()) v["source_package"] = source_package;
      }
      facts.Add(facts::kComponent, v, ev, collector);
      if (r && r->type == "operating-system") {
        facts.Add(facts::kOperatingSystem, {{"name", r->name}, {"version", version}}, ev,
                  collector);
      }
    }
  };

  // What the image says of its distribution: /etc/os-release (ID, VERSION_ID), else
  // /etc/debian_version, /etc/alpine-release, /etc/openwrt_release (DISTRIB_RELEASE).
  struct Release {
    std::string id, version;
  };
  static Release ReadRelease(const FirmwareInput& in, std::uint32_t root,
                             std::vector<Problem>& problems) {
    Release r;
    auto read = [&](const char* path) -> std::optional<std::string> {
      const unpack::Entry* e = in.tree.Find(root, path);
      if (!e || e->type != unpack::EntryType::kFile) return std::nullopt;
      return ReadWhole(in, *e, 64u << 10, "components", problems);
    };
    auto field = [](const std::string& text, std::string_view key) {
      for (const auto& l : SplitLines(text)) {
        const std::string_view line = l.text;
        if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != '=')
          continue;
        std::string v(line.substr(key.size() + 1));
        if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
          v = v.substr(1, v.size() - 2);
        return v;
      }
      return std::string();
    };
    if (auto os = read("/etc/os-release"); os || (os = read("/usr/lib/os-release"))) {
      r.id = field(*os, "ID");
      r.version = field(*os, "VERSION_ID");
    }
    if (auto ow = read("/etc/openwrt_release"); ow && r.version.empty()) {
      r.id = "openwrt";
      r.version = field(*ow, "DISTRIB_RELEASE");
    }
    if (auto deb = read("/etc/debian_version"); deb && r.version.empty()) {
      r.id = "debian";
      r.version = deb->substr(0, deb->find_first_of("\n "));
    }
    if (auto alp = read("/etc/alpine-release"); alp && r.version.empty()) {
      r.id = "alpine";
      r.version = alp->substr(0, alp->find_first_of("\n "));
    }
    return r;
  }

  // The OSV ecosystem of a package database's packages: "Debian:12", "Ubuntu:22.04",
  // "Alpine:v3.19", "OpenWrt:23.05.2"; the family alone when the release is unknown.
  static std::string EcosystemOf(const char* source, const Release& r) {
    const std::string_view src = source;
    auto digits_prefix = [](const std::string& v, int parts) {
      std::size_t i = 0;
      int dots = 0;
      while (i < v.size() && (std::isdigit(static_cast<unsigned char>(v[i])) || v[i] == '.')) {
        if (v[i] == '.' && ++dots == parts) break;
        ++i;
      }
      return v.substr(0, i);
    };
    if (src == "dpkg") {
      if (r.id == "ubuntu") return r.version.empty() ? "Ubuntu" : "Ubuntu:" + r.version;
      const std::string major = digits_prefix(r.version, 1);
      return r.id == "debian" && !major.empty() ? "Debian:" + major : "Debian";
    }
    if (src == "apk") {
      const std::string mm = digits_prefix(r.version, 2);
      return r.id == "alpine" && !mm.empty() ? "Alpine:v" + mm : "Alpine";
    }
    return r.id == "openwrt" && !r.version.empty() ? "OpenWrt:" + r.version : "OpenWrt";
  }

  static void ReadPackages(const FirmwareInput& in, const unpack::Entry& e, const char* source,
                           const Release& release, const std::vector<ComponentRule>& rules,
                           Emitter& emit, std::vector<Problem>& problems) {
    auto text = ReadWhole(in, e, kMaxStatusBytes, "components", problems);
    if (!text) return;
    const bool apk = std::string_view(source) == "apk";
    // apk's installed database: P:name, V:version, o:origin (the source package).
    const char* kPackage = apk ? "P" : "Package";
    const char* kVersion = apk ? "V" : "Version";
    const char* kSource = apk ? "o" : "Source";
    const std::string ecosystem = EcosystemOf(source, release);
    for (const auto& st : ParseStanzas(*text)) {
      auto pkg = st.fields.find(kPackage);
      auto ver = st.fields.find(kVersion);
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
      // dpkg's "Source: openssl (3.0.11-1)", opkg's "Source: package/network/services/dropbear".
      std::string source_package;
      if (auto src = st.fields.find(kSource); src != st.fields.end()) {
        source_package = src->second.substr(0, src->second.find(' '));
        if (const auto slash = source_package.rfind('/'); slash != std::string::npos)
          source_package = source_package.substr(slash + 1);
      }
      const std::string upstream = vuln::UpstreamVersion(ver->second);
      emit.AddNamed(
          rule ? rule->name : pkg->second, rule, upstream, source, pkg->second, ver->second, e.path,
          FileEvidence(
              in, e, st.line,
              (apk ? "P:" + pkg->second + " V:" : "Package: " + pkg->second + " Version: ") +
                  ver->second),
          ecosystem, source_package);
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
