// docs/ stays true: the generated pages equal what `iotcop docs` writes now, docs/cli.md names
// every command and option of --help, and docs/report-json.md names every field the JSON report
// has.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "report/renderer.h"
#include "support/report_fixture.h"
#include "support/test_support.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;

const fs::path kDocs = fs::path(IOTCOP_SOURCE_DIR) / "docs";

TEST(Docs, GeneratedPagesAreUpToDate) {
  test::TempDir dir;
  const auto r = test::RunIotcop("docs --out '" + dir.path().string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int pages = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    ++pages;
    const fs::path committed = kDocs / e.path().filename();
    ASSERT_TRUE(fs::exists(committed))
        << "docs/" << e.path().filename().string() << " is not committed: run `make docs`";
    EXPECT_TRUE(test::ReadFile(committed) == test::ReadFile(e.path()))
        << "docs/" << e.path().filename().string()
        << " differs from what the code generates: run `make docs`";
  }
  EXPECT_GE(pages, 2);
}

// Long options in a --help text ("  -o,--out TEXT", "  --format TEXT").
std::set<std::string> Options(const std::string& help) {
  std::set<std::string> out;
  std::istringstream in(help);
  const std::regex opt("(^|[ ,])(--[a-z][a-z0-9-]*)");
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("  -")) continue;
    const std::string head = line.substr(0, line.find("  ", 2));
    for (auto it = std::sregex_iterator(head.begin(), head.end(), opt);
         it != std::sregex_iterator(); ++it) {
      out.insert((*it)[2]);
    }
  }
  out.erase("--help");
  return out;
}

// Subcommand names in a --help text.
std::vector<std::string> Subcommands(const std::string& help) {
  std::vector<std::string> out;
  const auto at = help.find("Subcommands:\n");
  if (at == std::string::npos) return out;
  std::istringstream in(help.substr(at + 13));
  for (std::string line; std::getline(in, line) && line.starts_with("  ");) {
    out.push_back(line.substr(2, line.find(' ', 2) - 2));
  }
  return out;
}

TEST(Docs, CliPageNamesEveryCommandAndOption) {
  const std::string md = test::ReadFile(kDocs / "cli.md");
  ASSERT_FALSE(md.empty());
  const auto top = test::RunIotcop("--help");
  ASSERT_EQ(top.exit_code, 0);
  const auto commands = Subcommands(top.out);
  ASSERT_GE(commands.size(), 5u);
  for (const auto& c : commands) {
    EXPECT_NE(md.find("\n## " + c + "\n"), std::string::npos)
        << "docs/cli.md has no section for " << c;
    const auto help = test::RunIotcop(c + " --help");
    std::vector<std::string> helps = {help.out};
    for (const auto& sub : Subcommands(help.out))
      helps.push_back(test::RunIotcop(c + " " + sub + " --help").out);
    for (const auto& h : helps) {
      for (const auto& o : Options(h)) {
        EXPECT_TRUE(md.find("`" + o) != std::string::npos || md.find(o + "`") != std::string::npos)
            << "docs/cli.md does not document " << c << " " << o;
      }
    }
  }
  // The exit codes of the footer.
  for (const char* code : {"| 0 |", "| 1 |", "| 2 |", "| 3 |"})
    EXPECT_NE(md.find(code), std::string::npos);
}

// Every key of the JSON report, one level of arrays deep, with where it sits.
void Keys(const nlohmann::json& j, std::set<std::string>& out) {
  if (j.is_array()) {
    for (const auto& e : j) Keys(e, out);
  } else if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      out.insert(k);
      if (k != "value" && k != "extras" && k != "counts" && k != "verdicts" &&
          k != "findings_by_severity") {
        Keys(v, out);
      }
    }
  }
}

TEST(Docs, ReportJsonPageNamesEveryField) {
  const std::string md = test::ReadFile(kDocs / "report-json.md");
  ASSERT_FALSE(md.empty());
  const Assessment a = test::SampleAssessment(test::RealCatalogue());
  const nlohmann::json j = report::AssessmentJson(a, test::RealCatalogue());
  EXPECT_NE(md.find(j["schema"].get<std::string>()), std::string::npos);
  std::set<std::string> keys;
  Keys(j, keys);
  for (const auto& v : j["verdicts"]) Keys(v, keys);  // "verdicts" holds objects too
  EXPECT_GT(keys.size(), 40u);
  for (const auto& k : keys) {
    EXPECT_NE(md.find("| `" + k + "`"), std::string::npos)
        << "docs/report-json.md does not document `" << k << "`";
  }
}

}  // namespace
}  // namespace iotcop
