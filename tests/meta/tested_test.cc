// File: tests/meta/tested_test.cc
// Nothing built in goes untested (as unblob's suite does for its handlers): every format handler of
// unpack/handlers/formats.def has a test of its own under tests/unpack/ (a test whose suite, name
// or parameter names the handler's id), and every built-in check is named by its id in a test. A
// new handler or check without one fails here, naming it.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "assess/builtin_checks.h"
#include "unpack/handler.h"

namespace iotcop {
namespace {

namespace fs = std::filesystem;

std::string Squash(std::string_view s) {
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Every registered test of this binary whose source file lies under tests/<folder>/, as
// "suite name parameter" squashed to lower-case letters and digits.
std::vector<std::string> TestsIn(const std::string& folder) {
  std::vector<std::string> out;
  const auto* unit = ::testing::UnitTest::GetInstance();
  for (int i = 0; i < unit->total_test_suite_count(); ++i) {
    const auto* suite = unit->GetTestSuite(i);
    for (int j = 0; j < suite->total_test_count(); ++j) {
      const auto* info = suite->GetTestInfo(j);
      const std::string file = info->file() ? info->file() : "";
      if (file.find("tests/" + folder + "/") == std::string::npos) continue;
      out.push_back(Squash(std::string(suite->name()) + " " + info->name() + " " +
                           (info->value_param() ? info->value_param() : "")));
    }
  }
  return out;
}

// The same id in the order of formats.def, to catch a def line whose id is not its handler's.
std::vector<std::string> DefIds() {
  std::vector<std::string> ids;
#define IOTCOP_FORMAT(id, fn) ids.push_back(#id);
#include "unpack/handlers/formats.def"
#undef IOTCOP_FORMAT
  return ids;
}

TEST(Tested, FormatsDefIdsAreTheHandlersIds) {
  const auto ids = DefIds();
  const auto& handlers = unpack::BuiltinHandlers();
  ASSERT_EQ(ids.size(), handlers.size());
  for (std::size_t i = 0; i < ids.size(); ++i)
    EXPECT_EQ(ids[i], handlers[i]->doc().id) << "formats.def line " << i + 1;
}

TEST(Tested, EveryFormatHandlerHasATestOfItsOwn) {
  const auto tests = TestsIn("unpack");
  ASSERT_GT(tests.size(), 50u);
  for (const auto& h : unpack::BuiltinHandlers()) {
    const std::string id = Squash(h->doc().id);
    bool found = false;
    for (const auto& t : tests) found = found || t.find(id) != std::string::npos;
    EXPECT_TRUE(found)
        << "handler " << h->doc().id
        << " has no test under tests/unpack/ whose suite, name or parameter names it";
  }
}

TEST(Tested, EveryCheckIsNamedByItsIdInATest) {
  std::string sources;
  const fs::path root = fs::path(IOTCOP_SOURCE_DIR) / "tests";
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().extension() != ".cc") continue;
    if (e.path().parent_path().filename() == "meta") continue;
    std::ifstream f(e.path());
    std::stringstream ss;
    ss << f.rdbuf();
    sources += ss.str();
  }
  ASSERT_GT(BuiltinChecks().size(), 50u);
  for (const auto& c : BuiltinChecks()) {
    const std::string literal = "\"" + c->doc().id + "\"";
    EXPECT_NE(sources.find(literal), std::string::npos)
        << "check " << c->doc().id << " is named by no test (tests/**/*.cc)";
  }
}

}  // namespace
}  // namespace iotcop
