// Every component signature of rules/components.yaml against the version strings real builds of
// its program carry. tests/firmware/data/signatures/*.tsv hold one row per sample: the component,
// a path in a built tree, the string exactly as `strings` shows it in a real build, and the version
// expected from it. Each row becomes a tree with that file (binary filler, other strings, the
// sample NUL-terminated among them) run through the components collector: the row's component
// must be found with exactly that version, and no other component may claim the file. Every rule
// needs at least one row, a valid CPE and a purl. A second test runs the signatures over the real
// executables and libraries of the Debian packages installed on this host that a rule names, and
// compares with the upstream part of the package's version.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/fact_kinds.h"
#include "support/firmware_support.h"
#include "support/test_support.h"
#include "vuln/components.h"
#include "vuln/version.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;

struct SigRow {
  std::string file;  // tsv file name and line, for messages
  std::string component, path, sample, version;
};

fs::path SigDataDir() {
  return fs::path(IOTCOP_SOURCE_DIR) / "tests" / "firmware" / "data" / "signatures";
}

std::vector<SigRow> LoadSigRows() {
  std::vector<SigRow> rows;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(SigDataDir())) {
    if (e.path().extension() == ".tsv") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty() || line[0] == '#') continue;
      std::vector<std::string> cols;
      std::stringstream ss(line);
      for (std::string c; std::getline(ss, c, '\t');) cols.push_back(c);
      const std::string where = f.filename().string() + ":" + std::to_string(n);
      if (cols.size() != 4) {
        ADD_FAILURE() << where << ": want 4 tab-separated columns, got " << cols.size();
        continue;
      }
      rows.push_back({where, cols[0], cols[1], cols[2], cols[3]});
    }
  }
  return rows;
}

const std::vector<vuln::ComponentRule>& SigRules() {
  const auto& loaded = vuln::BuiltinComponentRules();
  if (!loaded) throw std::runtime_error(loaded.error().Describe());
  return *loaded;
}

// A file as a firmware build would hold it: an ELF-like header, binary filler, strings of a
// typical program (none a signature looks for), the sample NUL-terminated among them.
std::string SigFileHolding(const std::string& sample) {
  std::string data(
      "\x7f"
      "ELF\x01\x01\x01\x00",
      8);
  data += std::string(24, '\0');
  for (int i = 0; i < 64; ++i) data += static_cast<char>((i * 37 + 11) & 0xff);
  for (const char* s : {"/lib/ld-musl-mipsel.so.1", "GCC: (GNU) 8.4.0", "usage: %s [options]",
                        "cannot open %s: %s", "malloc"}) {
    data += s;
    data += '\0';
  }
  data += std::string("\x01\x02\x03", 3);
  data += sample;
  data += '\0';
  for (const char* s : {"socket", "bind failed", "%d.%d.%d.%d", ".shstrtab"}) {
    data += s;
    data += '\0';
  }
  data += std::string(32, '\xff');
  return data;
}

// The tree of one row: a root file system (so that file name patterns apply) unless the path is
// a bare name, which stands for a blob the unpacker carved (kernel images, RTOS binaries).
FactStore SigCollect(const fs::path& root, const std::string& path, const std::string& data) {
  const bool blob = path.find('/') == std::string::npos;
  if (!blob) {
    test::WriteFile(root / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
    fs::create_directories(root / "bin");
  }
  test::WriteFile(root / fs::path(path).relative_path(), data);
  return test::Collect(test::TreeOf(root), {"components"});
}

TEST(Signatures, EveryRuleHasATestedSampleACpeAndAPurl) {
  const auto& rules = SigRules();
  const auto rows = LoadSigRows();
  std::map<std::string, int> tested;
  for (const auto& row : rows) ++tested[row.component];
  for (const auto& r : rules) {
    SCOPED_TRACE(r.name);
    // A version regex is a signature: it needs a sample from a real build.
    if (r.version) {
      EXPECT_GT(tested[r.name], 0) << "signature without a row in tests/firmware/data/signatures";
    }
    EXPECT_FALSE(r.vendor.empty());
    EXPECT_FALSE(r.product.empty());
    const std::string cpe = vuln::MakeCpe(r, "1.0");
    EXPECT_TRUE(cpe.starts_with("cpe:2.3:" + r.part + ":")) << cpe;
    EXPECT_EQ(std::count(cpe.begin(), cpe.end(), ':'), 12) << cpe;
    EXPECT_EQ(vuln::MakePurl("generic", "", r.name, "1.0"), "pkg:generic/" + r.name + "@1.0");
  }
  std::set<std::string> names;
  for (const auto& r : rules) EXPECT_TRUE(names.insert(r.name).second) << "twice: " << r.name;
  for (const auto& row : rows) {
    EXPECT_TRUE(names.count(row.component)) << row.file << ": no rule " << row.component;
  }
}

TEST(Signatures, EverySampleIsFoundWithItsVersionAndClaimedOnce) {
  const auto rows = LoadSigRows();
  ASSERT_FALSE(rows.empty());
  for (const auto& row : rows) {
    SCOPED_TRACE(row.file + " " + row.component + " " + row.sample);
    test::TempDir tmp;
    const auto facts = SigCollect(tmp.path() / "root", row.path, SigFileHolding(row.sample));
    const auto found = facts.OfKind(facts::kComponent);
    std::vector<std::string> claims;
    for (const Fact* f : found) {
      claims.push_back(f->value.value("name", "") + " " + f->value.value("version", ""));
    }
    ASSERT_EQ(found.size(), 1u) << "components claiming the file: "
                                << testing::PrintToString(claims);
    EXPECT_EQ(found[0]->value["name"], row.component);
    EXPECT_EQ(found[0]->value["version"], row.version);
    EXPECT_EQ(found[0]->value["source"], "signature");
    EXPECT_FALSE(found[0]->value["cpe"].get<std::string>().empty());
  }
}

// Strings of one file, NUL-separated among the filler of SigFileHolding.
std::string SigJoin(std::initializer_list<const char*> samples) {
  std::string out;
  for (const char* s : samples) {
    if (!out.empty()) out += std::string("\0\x05", 2);
    out += s;
  }
  return out;
}

TEST(Signatures, AFileMatchedByTwoSignaturesIsClaimedByTheOneThatNamesItBest) {
  struct Case {
    std::string path, data, want, version, also;
  };
  const Case cases[] = {
      // OpenWrt's wpad (corpus 03): hostapd and wpa_supplicant both name "wpad"; the rule listed
      // first claims it.
      {"/usr/sbin/wpad", SigJoin({"hostapd v2.1-devel", "wpa_supplicant v2.1-devel"}), "hostapd",
       "2.1", "wpa_supplicant 2.1"},
      // A carved image: the kernel's "*.bin" pattern names it, FreeRTOS only searches blobs.
      {"image.bin",
       SigJoin({"FreeRTOS Kernel V10.4.3",
                "Linux version 4.9.87 (mzl@host.localdomain) (gcc version 7.3.0 (OpenWrt GCC 7.3.0 "
                "r6519-0f30f56) ) #0 Thu Mar 22 12:29:22 2018"}),
       "linux", "4.9.87", "freertos 10.4.3"},
      // Two blob-only rules: the first listed wins.
      {"rtos.img", SigJoin({"VxWorks 6.9", "FreeRTOS Kernel V10.4.3"}), "freertos", "10.4.3",
       "vxworks 6.9"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    test::TempDir tmp;
    const auto facts = SigCollect(tmp.path() / "root", c.path, SigFileHolding(c.data));
    const auto found = facts.OfKind(facts::kComponent);
    ASSERT_EQ(found.size(), 1u) << "one file, one component";
    EXPECT_EQ(found[0]->value["name"], c.want);
    EXPECT_EQ(found[0]->value["version"], c.version);
    ASSERT_TRUE(found[0]->value.contains("also_matched"));
    EXPECT_EQ(found[0]->value["also_matched"], nlohmann::json::array({c.also}));
  }
}

// dpkg's version without epoch, revision and repack suffixes: "1:1.2.13.dfsg-1" -> "1.2.13".
std::string SigUpstreamOf(const std::string& deb_version) {
  std::string v = vuln::UpstreamVersion(deb_version);
  for (const char* cut : {"+dfsg", ".dfsg", "+ds", ".ds", "~", "+"}) {
    if (const auto p = v.find(cut); p != std::string::npos) v.resize(p);
  }
  return v;
}

// Rules whose real Debian build carries no string the signature recognises, with what the build
// has instead. A rule leaves this list when its signature learns the real string.
const std::map<std::string, std::string>& SigKnownHostMisses() {
  static const std::map<std::string, std::string> kMisses = {
      {"hostapd", "Debian's hostapd has \"hostapd v%s\" (hostapd_cli has \"hostapd_cli v2.10\")"},
      // The string is there ("node.js/v20.20.2"), but the nodesource binary is larger than the
      // 64 MiB the collector reads of one file.
      {"nodejs", "nodesource's /usr/bin/node is over 64 MiB"},
  };
  return kMisses;
}

TEST(SignaturesHost, RealBinariesOfInstalledPackagesGiveTheirPackageVersion) {
  const auto installed =
      test::RunShell("dpkg-query -W -f='${Package} ${Version} ${db:Status-Status}\\n' 2>/dev/null");
  if (installed.out.empty()) GTEST_SKIP() << "no dpkg database on this host";
  std::map<std::string, std::string> versions;
  std::istringstream in(installed.out);
  for (std::string pkg, ver, status; in >> pkg >> ver >> status;) {
    if (status == "installed") versions[pkg] = ver;
  }
  int checked = 0;
  std::vector<std::string> skipped, missed;
  for (const auto& r : SigRules()) {
    std::vector<std::string> pkgs;
    for (const auto& pkg : r.packages) {
      if (versions.count(pkg)) pkgs.push_back(pkg);
    }
    if (pkgs.empty() || r.files.empty() || !r.version) {
      skipped.push_back(r.name);
      continue;
    }
    // The packages' regular files whose base name a `files` pattern matches, in one tree.
    std::string patterns;
    for (const auto& p : r.files) patterns += " '" + p + "'";
    test::TempDir tmp;
    const fs::path root = tmp.path() / "root";
    test::WriteFile(root / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
    fs::create_directories(root / "bin");
    std::set<std::string> wants;
    std::string listed;
    for (const auto& pkg : pkgs) {
      wants.insert(SigUpstreamOf(versions[pkg]));
      const auto list = test::RunShell("dpkg -L " + pkg +
                                       " | while read -r f; do [ -f \"$f\" ] && "
                                       "[ ! -L \"$f\" ] && for p in" +
                                       patterns +
                                       "; do case \"${f##*/}\" in $p) echo \"$f\"; break;; "
                                       "esac; done; done");
      std::istringstream files(list.out);
      for (std::string f; std::getline(files, f);) {
        if (f.find("/share/") != std::string::npos || f.starts_with("/etc/")) continue;
        std::error_code ec;
        fs::create_directories((root / fs::path(f).relative_path()).parent_path());
        if (fs::copy_file(f, root / fs::path(f).relative_path(), ec)) listed += f + "\n";
      }
    }
    if (listed.empty()) {
      skipped.push_back(r.name);
      continue;
    }
    SCOPED_TRACE(r.name + " in " + listed);
    ++checked;
    const auto facts = test::Collect(test::TreeOf(root), {"components"});
    bool found = false;
    for (const Fact* f : facts.OfKind(facts::kComponent)) {
      if (f->value["name"] != r.name) continue;
      found = true;
      EXPECT_TRUE(wants.count(f->value["version"].get<std::string>())) << f->value.dump();
    }
    if (!found) {
      missed.push_back(r.name);
      EXPECT_TRUE(SigKnownHostMisses().count(r.name)) << "no version found in the real files";
    } else {
      EXPECT_FALSE(SigKnownHostMisses().count(r.name))
          << "found now: take it off SigKnownHostMisses";
    }
  }
  std::cout << "[ host ] " << checked << " signatures checked on installed packages; known misses: "
            << testing::PrintToString(missed)
            << "; not installed here (skipped): " << testing::PrintToString(skipped) << "\n";
  if (checked == 0) GTEST_SKIP() << "no package a signature names is installed here";
}

}  // namespace
}  // namespace iotcop
