// The Debian packages (cmake/Packaging.cmake, `make package`): cpack builds them from this build
// tree, dpkg-deb extracts them into a fresh prefix (no root, no chroot, nothing installed on the
// machine), and the installed copy, with its data and its plugin from that prefix, assesses the
// sample camera with the same verdicts as the build tree's binary.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/build_info.h"
#include "support/test_support.h"

namespace iotcop::package_test {
namespace fs = std::filesystem;
using nlohmann::json;
using test::Q;

// cpack beside the cmake that configured this build tree (CMakeCache.txt), else on PATH.
fs::path FindCpack() {
  std::istringstream cache(test::ReadFile(fs::path(IOTCOP_BUILD_DIR) / "CMakeCache.txt"));
  const std::string key = "CMAKE_COMMAND:INTERNAL=";
  for (std::string line; std::getline(cache, line);) {
    if (line.rfind(key, 0) != 0) continue;
    const fs::path cpack = fs::path(line.substr(key.size())).parent_path() / "cpack";
    if (fs::exists(cpack)) return cpack;
  }
  const auto r = test::RunShell("command -v cpack");
  return r.exit_code == 0 ? fs::path(r.out.substr(0, r.out.find('\n'))) : fs::path();
}

std::string WithoutTrailingNewline(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// A control field of a .deb (dpkg-deb -f), empty when absent.
std::string Field(const fs::path& deb, const std::string& name) {
  const auto r = test::RunShell("dpkg-deb -f " + Q(deb) + " " + name);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return WithoutTrailingNewline(r.out);
}

// The package names of a Depends field: one list of alternatives per dependency, versions and
// architecture qualifiers dropped ("libc6 (>= 2.34), a | b" -> {{libc6}, {a, b}}).
std::vector<std::vector<std::string>> DependencyNames(const std::string& depends) {
  std::vector<std::vector<std::string>> out;
  std::istringstream deps(depends);
  for (std::string dep; std::getline(deps, dep, ',');) {
    out.emplace_back();
    std::istringstream alternatives(dep);
    for (std::string alt; std::getline(alternatives, alt, '|');) {
      std::istringstream words(alt);
      std::string name;
      words >> name;
      name = name.substr(0, name.find(':'));
      if (!name.empty()) out.back().push_back(name);
    }
    if (out.back().empty()) out.pop_back();
  }
  return out;
}

// Those of `names` that dpkg-query says are installed on this machine.
std::set<std::string> InstalledPackages(const std::set<std::string>& names) {
  std::string args;
  for (const auto& n : names) args += " " + Q(n);
  // Exit code 1 when one is unknown: its line is simply missing.
  const auto r = test::RunShell("dpkg-query -W -f='${Package} ${db:Status-Status}\\n'" + args);
  std::set<std::string> installed;
  std::istringstream lines(r.out);
  for (std::string name, status; lines >> name >> status;)
    if (status == "installed") installed.insert(name);
  return installed;
}

// Checks that every dependency of `deb` has an alternative installed here or among `ours` (the
// packages under test); returns the names.
std::set<std::string> ExpectDependsInstalled(const fs::path& deb,
                                             const std::set<std::string>& ours = {}) {
  const std::string depends = Field(deb, "Depends");
  EXPECT_FALSE(depends.empty()) << deb.filename();
  std::set<std::string> names;
  const auto deps = DependencyNames(depends);
  for (const auto& alternatives : deps) names.insert(alternatives.begin(), alternatives.end());
  std::set<std::string> installed = InstalledPackages(names);
  installed.insert(ours.begin(), ours.end());
  for (const auto& alternatives : deps) {
    bool any = false;
    for (const auto& a : alternatives) any = any || installed.count(a) > 0;
    EXPECT_TRUE(any) << deb.filename() << " depends on " << alternatives.front()
                     << ", which is not installed here (Depends: " << depends << ")";
  }
  return names;
}

// The paths a .deb holds, as "usr/bin/iotcop" (folders end with '/').
std::set<std::string> DebContents(const fs::path& deb) {
  const auto r = test::RunShell("dpkg-deb --fsys-tarfile " + Q(deb) + " | tar -t");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> paths;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("./", 0) == 0) line.erase(0, 2);
    if (!line.empty()) paths.insert(line);
  }
  return paths;
}

// The regular files below `dir` (a symlink to a folder is followed), relative to it.
std::set<std::string> FilesBelow(const fs::path& dir) {
  std::set<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) files.insert(fs::relative(e.path(), dir).string());
  return files;
}

// Runs `binary ARGS` from `cwd` with nothing that points at the build tree: no $IOTCOP_DATA or
// $IOTCOP_PLUGINS, a results store under `cwd`.
test::CommandResult RunIn(const fs::path& cwd, const fs::path& binary, const std::string& args) {
  return test::RunShell("cd " + Q(cwd) +
                        " && env -u IOTCOP_DATA -u IOTCOP_PLUGINS -u CI NO_COLOR=1 " +
                        "XDG_DATA_HOME=" + Q(cwd / "xdg-data") + " " + Q(binary) + " " + args);
}

// The "verdicts" of `binary assess` on the sample camera and its declaration.
json SampleVerdicts(const fs::path& cwd, const fs::path& binary, const fs::path& image) {
  const fs::path out = cwd / "report";
  const auto r = RunIn(cwd, binary,
                       "assess --firmware " + Q(image) + " --declaration " +
                           Q(fs::path(IOTCOP_SOURCE_DIR) / "samples/camera/declaration.yaml") +
                           // One vulnerability database path for both copies: the verdicts name it.
                           " --vulndb " + Q(cwd.parent_path() / "no-vulndb.sqlite") +
                           " --no-store -o " + Q(out) + " --format json");
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << binary << ": " << r.exit_code << r.err;
  if (!fs::exists(out / "report.json")) return json();
  return json::parse(test::ReadFile(out / "report.json"))["verdicts"];
}

TEST(Package, DebsInstallIntoAFreshPrefixAndAssessLikeTheBuildTree) {
  const fs::path cpack = FindCpack();
  if (cpack.empty()) GTEST_SKIP() << "cpack (CMake) is not installed";
  for (const char* tool : {"dpkg-deb", "dpkg-query", "dpkg-shlibdeps", "tar"})
    if (!test::HaveTool(tool))
      GTEST_SKIP() << tool << " is not installed (dpkg-dev has dpkg-shlibdeps): no packages here";
  const fs::path build = IOTCOP_BUILD_DIR;
  const fs::path image = build / "sample" / "sample-camera.uimage";
  if (!fs::exists(image))
    GTEST_SKIP() << "no sample firmware: run scripts/make-sample-firmware.sh " << build / "sample";

  // cpack installs the build tree's components into a staging folder below -B and packs them.
  test::TempDir t;
  const auto packed = test::RunShell(Q(cpack) + " -G DEB --config " +
                                     Q(build / "CPackConfig.cmake") + " -B " + Q(t / "debs"));
  ASSERT_EQ(packed.exit_code, 0) << packed.out << packed.err;
  const std::string arch = WithoutTrailingNewline(test::RunShell("dpkg --print-architecture").out);
  const std::string version = build::kVersion;
  const fs::path main_deb = t / "debs" / ("iotcop_" + version + "_" + arch + ".deb");
  const fs::path pg_deb = t / "debs" / ("iotcop-postgres_" + version + "_" + arch + ".deb");
  ASSERT_TRUE(fs::exists(main_deb)) << packed.out;
  ASSERT_TRUE(fs::exists(pg_deb)) << packed.out;

  // Control fields: names, version, architecture, and run-time libraries that are all installed
  // here (this machine runs the build tree's binary); libpqxx only for the plugin's package.
  EXPECT_EQ(Field(main_deb, "Package"), "iotcop");
  EXPECT_EQ(Field(main_deb, "Version"), version);
  EXPECT_EQ(Field(main_deb, "Architecture"), arch);
  EXPECT_EQ(Field(main_deb, "Homepage"), "");
  EXPECT_NE(Field(main_deb, "Description").find("iotcop turns the UK Code of Practice"),
            std::string::npos);
  const std::set<std::string> main_depends = ExpectDependsInstalled(main_deb);
  EXPECT_TRUE(main_depends.count("libc6")) << Field(main_deb, "Depends");
  for (const auto& d : main_depends) EXPECT_EQ(d.rfind("libpq", 0), std::string::npos) << d;
  EXPECT_EQ(Field(pg_deb, "Package"), "iotcop-postgres");
  EXPECT_EQ(Field(pg_deb, "Version"), version);
  const std::set<std::string> pg_depends = ExpectDependsInstalled(pg_deb, {"iotcop"});
  EXPECT_NE(Field(pg_deb, "Depends").find("iotcop (= " + version + ")"), std::string::npos)
      << Field(pg_deb, "Depends");
  EXPECT_TRUE(std::any_of(pg_depends.begin(), pg_depends.end(), [](const std::string& d) {
    return d.rfind("libpqxx", 0) == 0;
  })) << Field(pg_deb, "Depends");

  // Contents: the binary and every data folder the build tree has under /usr in iotcop, the
  // plugin alone in iotcop-postgres.
  const std::set<std::string> main_files = DebContents(main_deb);
  EXPECT_TRUE(main_files.count("usr/bin/iotcop"));
  EXPECT_TRUE(main_files.count("usr/lib/iotcop/"));  // empty: see the root CMakeLists.txt
  EXPECT_TRUE(main_files.count("usr/share/iotcop/catalogue/"));
  for (const auto& f : main_files) {
    EXPECT_EQ(f.rfind("usr/", 0), 0u) << f;
    EXPECT_EQ(f.find(".so"), std::string::npos) << f;
  }
  const std::set<std::string> pg_files = DebContents(pg_deb);
  EXPECT_TRUE(pg_files.count("usr/lib/iotcop/iotcop-postgres.so"));
  for (const auto& f : pg_files)
    EXPECT_TRUE(f == "usr/lib/iotcop/iotcop-postgres.so" || f.back() == '/') << f;

  // The main package alone in a fresh prefix: data and plugin folder are the prefix's, not the
  // build tree's (its lib/iotcop holds the plugin this copy must not load).
  const fs::path prefix = t / "prefix";
  const auto x = test::RunShell("dpkg-deb -x " + Q(main_deb) + " " + Q(prefix));
  ASSERT_EQ(x.exit_code, 0) << x.err;
  const fs::path usr = fs::canonical(prefix / "usr");
  const fs::path installed = usr / "bin" / "iotcop";
  for (const auto& folder : fs::directory_iterator(build / "share" / "iotcop")) {
    const fs::path name = folder.path().filename();
    EXPECT_EQ(FilesBelow(usr / "share" / "iotcop" / name), FilesBelow(folder.path())) << name;
  }
  fs::create_directories(t / "run");
  const auto v = RunIn(t / "run", installed, "version");
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("data:       " + (usr / "share" / "iotcop").string() + "\n"),
            std::string::npos)
      << v.out;
  EXPECT_NE(v.out.find("plugins:    " + (usr / "lib" / "iotcop").string() + "\n"),
            std::string::npos)
      << v.out;
  const std::string no_server = " history --db postgresql://127.0.0.1:1/iotcop";
  const auto without = RunIn(t / "run", installed, no_server);
  EXPECT_NE(without.exit_code, 0);
  EXPECT_NE(without.err.find("plugin postgres is not installed"), std::string::npos) << without.err;

  // With iotcop-postgres too, the plugin loads (its libraries resolve, its build tag matches) and
  // the error is the connection's.
  const auto xp = test::RunShell("dpkg-deb -x " + Q(pg_deb) + " " + Q(prefix));
  ASSERT_EQ(xp.exit_code, 0) << xp.err;
  const auto with = RunIn(t / "run", installed, no_server);
  EXPECT_NE(with.exit_code, 0);
  EXPECT_EQ(with.err.find("plugin"), std::string::npos) << with.err;

  // The installed copy assesses the sample as the build tree's binary does.
  fs::create_directories(t / "run-build");
  const json from_prefix = SampleVerdicts(t / "run", installed, image);
  const json from_build = SampleVerdicts(t / "run-build", IOTCOP_BINARY, image);
  ASSERT_TRUE(from_prefix.is_array() && !from_prefix.empty()) << from_prefix.dump();
  EXPECT_EQ(from_prefix, from_build);
  for (std::size_t i = 0; i < from_prefix.size() && i < from_build.size(); ++i) {
    if (from_prefix[i] != from_build[i]) {
      ADD_FAILURE() << "first differing verdict:\n  installed:  " << from_prefix[i].dump()
                    << "\n  build tree: " << from_build[i].dump();
      break;
    }
  }
}

}  // namespace iotcop::package_test
