// File: tests/meta/include_graph_test.cc
// The module graph (src/CMakeLists.txt, IOTCOP_MODULES) is the law: every `#include "<module>/..."`
// of a file of src/<m>/ names <m> itself or a module <m> may use, every folder of src/ is a module,
// and docs/architecture.md's table shows the same graph. The build already refuses a header of a
// module that is not linked; this test also names an edge that the link graph lets through
// transitively (assess seeing vuln through firmware) and keeps the documentation true.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::map<std::string, std::set<std::string>> ModuleGraph() {
  std::map<std::string, std::set<std::string>> graph;
  std::istringstream in(IOTCOP_MODULE_GRAPH);
  std::string entry;
  while (in >> entry) {
    const auto colon = entry.find(':');
    const std::string m = entry.substr(0, colon);
    auto& deps = graph[m];
    std::string rest = colon == std::string::npos ? "" : entry.substr(colon + 1);
    std::istringstream d(rest);
    std::string dep;
    while (std::getline(d, dep, ',')) {
      if (!dep.empty()) deps.insert(dep);
    }
  }
  return graph;
}

TEST(IncludeGraph, EveryIncludeIsAnEdgeOfTheModuleGraph) {
  const auto graph = ModuleGraph();
  ASSERT_GE(graph.size(), 10u);
  const fs::path src = fs::path(IOTCOP_SOURCE_DIR) / "src";
  const std::regex include_re(R"re(^\s*#\s*include\s+"([a-z_]+)/)re");
  std::vector<std::string> bad;
  std::size_t files = 0, edges = 0;
  for (const auto& e : fs::recursive_directory_iterator(src)) {
    if (!e.is_regular_file()) continue;
    const std::string ext = e.path().extension().string();
    if (ext != ".cc" && ext != ".h" && ext != ".def" && ext != ".in") continue;
    const std::string rel = fs::relative(e.path(), src).generic_string();
    const std::string module = rel.substr(0, rel.find('/'));
    if (rel.find('/') == std::string::npos) continue;
    ++files;
    auto own = graph.find(module);
    if (own == graph.end()) {
      bad.push_back("src/" + rel + ": folder '" + module +
                    "' is not a module of src/CMakeLists.txt");
      continue;
    }
    std::ifstream f(e.path());
    std::string line;
    int number = 0;
    while (std::getline(f, line)) {
      ++number;
      std::smatch m;
      if (!std::regex_search(line, m, include_re)) continue;
      const std::string target = m[1];
      if (target == module || !graph.count(target)) continue;
      ++edges;
      if (!own->second.count(target)) {
        bad.push_back("src/" + rel + ":" + std::to_string(number) + ": " + module + " -> " +
                      target + " is not an edge of the module graph");
      }
    }
  }
  EXPECT_GT(files, 200u);
  EXPECT_GT(edges, 100u);
  for (const auto& b : bad) ADD_FAILURE() << b;
}

TEST(IncludeGraph, EveryModuleIsAFolder) {
  const fs::path src = fs::path(IOTCOP_SOURCE_DIR) / "src";
  for (const auto& [m, deps] : ModuleGraph()) {
    EXPECT_TRUE(fs::is_directory(src / m)) << "module " << m << " has no folder src/" << m;
    for (const auto& d : deps) EXPECT_TRUE(ModuleGraph().count(d)) << m << " -> unknown " << d;
  }
}

// docs/architecture.md has one row per module: | `m` | `dep`, `dep` | what it holds |
TEST(IncludeGraph, ArchitectureDocShowsTheGraph) {
  std::ifstream f(fs::path(IOTCOP_SOURCE_DIR) / "docs/architecture.md");
  ASSERT_TRUE(f) << "docs/architecture.md";
  std::map<std::string, std::set<std::string>> documented;
  const std::regex row_re(R"re(^\| `([a-z_]+)` \|([^|]*)\|)re");
  const std::regex dep_re("`([a-z_]+)`");
  std::string line;
  while (std::getline(f, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, row_re)) continue;
    const std::string module = m[1];
    const std::string deps = m[2];
    std::set<std::string> ds;
    for (std::sregex_iterator it(deps.begin(), deps.end(), dep_re), end; it != end; ++it)
      ds.insert((*it)[1]);
    documented[module] = ds;
  }
  for (const auto& [m, deps] : ModuleGraph()) {
    auto it = documented.find(m);
    if (it == documented.end()) {
      ADD_FAILURE() << "docs/architecture.md has no row | `" << m << "` | ... | for module " << m;
      continue;
    }
    EXPECT_EQ(it->second, deps) << "docs/architecture.md: the row of module " << m
                                << " does not list what src/CMakeLists.txt lets it use";
  }
}

}  // namespace
