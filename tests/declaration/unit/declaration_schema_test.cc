// The declaration schema as data (schema/declaration.yaml): the shipped file loads, and each kind
// of mistake in a schema file is an error naming the file and the line; `iotcop` reports a broken
// schema at the start of a command that needs it, as it does a broken catalogue.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "core/catalogue.h"
#include "declaration/schema.h"
#include "support/test_support.h"

namespace iotcop::declaration {
namespace {
namespace fs = std::filesystem;

const Catalogue& SourceCatalogue() {
  static const Catalogue kCatalogue = [] {
    auto c = Catalogue::Load(std::string(IOTCOP_SOURCE_DIR) + "/catalogue");
    EXPECT_TRUE(c) << c.error().Describe();
    return std::move(c).value();
  }();
  return kCatalogue;
}

// A small valid schema; the tests below break one line of it at a time.
const std::string kSmallSchema =
    "format: iotcop-declaration/1\n"                      // 1
    "topics:\n"                                           // 2
    "  - id: product\n"                                   // 3
    "    title: Product identity\n"                       // 4
    "    fields:\n"                                       // 5
    "      - path: schema\n"                              // 6
    "        type: text\n"                                // 7
    "        judge: informative\n"                        // 8
    "        help: the format of this file\n"             // 9
    "        example: iotcop-declaration/1\n"             // 10
    "  - id: updates\n"                                   // 11
    "    title: Software updates\n"                       // 12
    "    fields:\n"                                       // 13
    "      - path: updates.automatic\n"                   // 14
    "        type: bool\n"                                // 15
    "        judge: must_be_true\n"                       // 16
    "        provisions: [\"5.3-4\", \"5.3-6\"]\n"        // 17
    "        help: are updates applied automatically?\n"  // 18
    "        example: \"true\"\n"                         // 19
    "        property: automatic_updates\n";              // 20

// kSmallSchema with its line `line` (1-based) replaced by `with` (several lines, or none).
std::string WithLine(int line, const std::string& with) {
  std::string out;
  int n = 0;
  std::size_t start = 0;
  while (start < kSmallSchema.size()) {
    const std::size_t end = kSmallSchema.find('\n', start) + 1;
    out += ++n == line ? with : kSmallSchema.substr(start, end - start);
    start = end;
  }
  return out;
}

// The error a schema text gives, as a user sees it ("file: line N: ...").
std::string ErrorOf(const std::string& text) {
  auto s = ParseSchema(text, "schema/declaration.yaml", SourceCatalogue());
  EXPECT_FALSE(s) << text;
  return s ? std::string() : s.error().Describe();
}

TEST(DeclarationSchema, ASmallSchemaLoads) {
  auto s = ParseSchema(kSmallSchema, "small.yaml", SourceCatalogue());
  ASSERT_TRUE(s) << s.error().Describe();
  ASSERT_EQ(s->topics.size(), 2u);
  EXPECT_EQ(s->topics[1].id, "updates");
  EXPECT_EQ(s->topics[1].title, "Software updates");
  ASSERT_EQ(s->fields.size(), 2u);
  const FieldSpec& f = s->fields[1];
  EXPECT_EQ(f.path, "updates.automatic");
  EXPECT_EQ(f.topic, "updates");
  EXPECT_EQ(f.type, FieldType::kBool);
  EXPECT_EQ(f.judge, Judge::kMustBeTrue);
  EXPECT_EQ(f.provisions, (std::vector<std::string>{"5.3-4", "5.3-6"}));
  EXPECT_EQ(f.example, "true");
  EXPECT_EQ(f.property, "automatic_updates");
  EXPECT_TRUE(f.contradicting.empty());
}

TEST(DeclarationSchema, EachMistakeNamesTheFileAndTheLine) {
  struct Case {
    std::string text, error;
  };
  const std::string file = "schema/declaration.yaml: ";
  const std::vector<Case> cases = {
      // Unknown keys, at every level.
      {WithLine(20, "        property: automatic_updates\n        colour: blue\n"),
       "line 21: field updates.automatic: unknown key 'colour' (expected path, type, judge, "
       "provisions, help, example, property, contradicting)"},
      {WithLine(4, "    title: Product identity\n    summary: x\n"),
       "line 5: topic product: unknown key 'summary'"},
      {"version: 2\n" + kSmallSchema, "line 1: the schema: unknown key 'version'"},
      {WithLine(19, "        example: \"true\"\n        example: \"false\"\n"),
       "line 20: field updates.automatic: 'example' given twice"},
      // Wrong types.
      {WithLine(17, "        provisions: \"5.3-4\"\n"),
       "line 17: field updates.automatic: provisions: expected a list"},
      {WithLine(17, "        provisions: [[\"5.3-4\"]]\n"),
       "line 17: field updates.automatic: provisions: expected a list of text"},
      {WithLine(18, "        help: {what: automatic}\n"),
       "line 18: field updates.automatic: help: expected text"},
      {WithLine(18, "        help:\n"), "line 18: field updates.automatic: help: is empty"},
      {"format: iotcop-declaration/1\ntopics:\n  - id: product\n    title: P\n    fields: none\n",
       "line 5: topic product: fields: expected a list of fields"},
      {"format: iotcop-declaration/1\ntopics: {}\n", "line 2: topics: expected a list of topics"},
      {"format: iotcop-declaration/1\ntopics:\n", "line 2: topics: expected a list of topics"},
      // Missing required keys.
      {WithLine(18, ""), "line 14: field updates.automatic: missing key 'help'"},
      {WithLine(12, ""), "line 11: topic updates: missing key 'title'"},
      {WithLine(1, ""), "the schema: missing key 'format'"},
      // Unknown enum values.
      {WithLine(15, "        type: boolean\n"),
       "line 15: field updates.automatic: type: unknown value 'boolean' (expected one of: text, "
       "bool, int, date, url, contact, list, services)"},
      {WithLine(16, "        judge: must_be_truthy\n"),
       "line 16: field updates.automatic: judge: unknown value 'must_be_truthy'"},
      {WithLine(20, "        property: automatic_update\n"),
       "line 20: field updates.automatic: property: unknown value 'automatic_update'"},
      {WithLine(15, "        type: text\n"),
       "line 16: field updates.automatic: judge must_be_true does not fit type text"},
      {WithLine(1, "format: iotcop-declaration/2\n"),
       "line 1: format: expected iotcop-declaration/1, not iotcop-declaration/2"},
      // Duplicate ids.
      {WithLine(14, "      - path: schema\n"),
       "line 14: field schema: defined twice (first at line 6)"},
      {WithLine(11, "  - id: product\n"),
       "line 11: topic product: defined twice (first at line 3)"},
      {WithLine(17, "        provisions: [\"5.3-4\", \"5.3-4\"]\n"),
       "line 17: field updates.automatic: provisions: '5.3-4' listed twice"},
      // Provisions that are not EN 303 645 V2.1.1 provisions (5.3-99 is none; 5.1 is a group).
      {WithLine(17, "        provisions: [\"5.3-4\", \"5.3-99\"]\n"),
       "line 17: field updates.automatic: provisions: '5.3-99' is not a provision of ETSI EN 303 "
       "645 V2.1.1"},
      {WithLine(17, "        provisions: [\"5.1\"]\n"),
       "line 17: field updates.automatic: provisions: '5.1' is not a provision"},
      // A field that is also a section, a malformed path, no `schema` field, not YAML.
      {WithLine(14, "      - path: schema.version\n"),
       "line 14: field schema.version is under schema, which is a field itself (line 6)"},
      {WithLine(14, "      - path: Updates.Automatic\n"),
       "line 14: field Updates.Automatic: path: expected lower-case names joined by '.'"},
      {WithLine(6, "      - path: format\n"), "no field 'schema'"},
      {WithLine(17, "        provisions: [\"5.3-4\"\n"), "line 18: "},
  };
  for (const auto& c : cases) {
    const std::string error = ErrorOf(c.text);
    EXPECT_TRUE(error.starts_with(file)) << error;
    EXPECT_NE(error.find(c.error), std::string::npos)
        << "expected: " << c.error << "\ngot:      " << error;
  }
}

TEST(DeclarationSchema, TheShippedSchemaLoadsAndIsTheBuiltinOne) {
  const std::string file = std::string(IOTCOP_SOURCE_DIR) + "/schema/declaration.yaml";
  auto s = LoadSchema(file, SourceCatalogue());
  ASSERT_TRUE(s) << s.error().Describe();
  EXPECT_EQ(s->topics.size(), 18u);
  EXPECT_EQ(s->fields.size(), 79u);
  const Result<Schema>& builtin = BuiltinSchema();
  ASSERT_TRUE(builtin) << builtin.error().Describe();
  ASSERT_EQ(Fields().size(), s->fields.size());
  ASSERT_EQ(Topics().size(), s->topics.size());
  for (std::size_t i = 0; i < s->fields.size(); ++i) {
    EXPECT_EQ(Fields()[i].path, s->fields[i].path);
    EXPECT_EQ(Fields()[i].provisions, s->fields[i].provisions);
  }
  EXPECT_EQ(FindField("updates.verification")->contradicting.size(), 5u);
  EXPECT_TRUE(IsSection("product.manufacturer"));
  EXPECT_FALSE(IsSection("product.name"));
  auto missing = LoadSchema(file + ".missing", SourceCatalogue());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().Describe().find("declaration.yaml.missing: cannot read"),
            std::string::npos);
}

// A data folder whose catalogue and rules are the shipped ones and whose schema is `schema`.
void MakeDataDir(const fs::path& dir, const std::string& schema) {
  fs::create_directories(dir / "schema");
  fs::create_directory_symlink(fs::path(IOTCOP_SOURCE_DIR) / "catalogue", dir / "catalogue");
  fs::create_directory_symlink(fs::path(IOTCOP_SOURCE_DIR) / "rules", dir / "rules");
  test::WriteFile(dir / "schema" / "declaration.yaml", schema);
}

TEST(DeclarationSchemaCli, ABrokenSchemaIsOneLineAtStartAndExitsThree) {
  test::TempDir dir;
  MakeDataDir(dir / "data", WithLine(16, "        judge: must_be_truthy\n"));
  const std::string env = std::string("env -u CI XDG_DATA_HOME='") + IOTCOP_BUILD_DIR +
                          "/test-tmp/xdg-data' IOTCOP_DATA=" + test::Q(dir / "data") + " '" +
                          IOTCOP_BINARY + "' ";
  const std::string expected =
      "iotcop: declaration schema: " + (dir / "data" / "schema" / "declaration.yaml").string() +
      ": line 16: field updates.automatic: judge: unknown value";
  test::TempDir empty;
  for (const std::string& args : std::vector<std::string>{
           "declare init", "checks", "docs --out " + test::Q(dir / "docs"),
           "assess --firmware " + test::Q(empty.path()) + " -o " + test::Q(dir / "out")}) {
    const auto r = test::RunShell(env + args);
    EXPECT_EQ(r.exit_code, 3) << args << "\n" << r.err;
    EXPECT_TRUE(r.err.starts_with(expected)) << args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << args << "\n" << r.out;
  }
  EXPECT_FALSE(fs::exists(dir / "out"));
  // The catalogue does not need the schema.
  EXPECT_EQ(test::RunShell(env + "catalogue --standard psti").exit_code, 0);
}

}  // namespace
}  // namespace iotcop::declaration
