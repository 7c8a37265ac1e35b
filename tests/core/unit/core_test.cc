#include <gtest/gtest.h>

#include "core/bytes.h"
#include "core/catalogue.h"
#include "core/evidence.h"
#include "core/fact.h"
#include "unpack/tree.h"

namespace iotcop {
namespace {

TEST(ParseStatus, AcceptsEveryNotation) {
  auto m = ParseStatus("M");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->mandatory);
  EXPECT_TRUE(m->conditions.empty());
  auto r = ParseStatus("R C (9, 12)");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->mandatory);
  EXPECT_EQ(r->conditions, (std::vector<std::string>{"9", "12"}));
  auto v3 = ParseStatus("M C (14) F (e)");
  ASSERT_TRUE(v3);
  EXPECT_EQ(v3->conditions, (std::vector<std::string>{"14"}));
  EXPECT_EQ(v3->features, (std::vector<std::string>{"e"}));
  EXPECT_FALSE(ParseStatus("X"));
  EXPECT_FALSE(ParseStatus("M C 1"));
}

TEST(ByteReader, RefusesToReadPastTheEndAndNamesTheOffset) {
  const std::uint8_t data[] = {1, 0, 0, 0, 0xAA};
  ByteReader r(ByteView(data, sizeof data), "blob", 0x100);
  auto v = r.Read<std::uint32_t>();
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, 1u);
  auto bad = r.Read<std::uint32_t>();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::kTruncated);
  EXPECT_EQ(*bad.error().offset, 0x104u);
  EXPECT_NE(bad.error().Describe().find("blob: at offset 0x104"), std::string::npos);
  EXPECT_FALSE(CheckedAdd(UINT64_MAX, 1));
  EXPECT_FALSE(Slice(ByteView(data, sizeof data), 4, 2));
  EXPECT_TRUE(Slice(ByteView(data, sizeof data), 4, 1));
}

// A collector reads facts of one kind and adds facts of its own (the vulnerabilities collector
// did, and read freed memory once the store grew): adding must not move earlier facts.
TEST(FactStore, AddingKeepsEarlierFactsInPlace) {
  FactStore store;
  for (int i = 0; i < 3; ++i) store.Add("component", {{"name", "c" + std::to_string(i)}}, {}, "t");
  const std::vector<const Fact*> components = store.OfKind("component");
  ASSERT_EQ(components.size(), 3u);
  for (int i = 0; i < 5000; ++i) store.Add("vulnerability", {{"n", i}}, {}, "t");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(components[i], &store.at(static_cast<FactId>(i)));
    EXPECT_EQ(components[i]->value["name"], "c" + std::to_string(i));
  }
  EXPECT_EQ(store.OfKind("vulnerability").size(), 5000u);
}

TEST(Redact, HidesTheSecretButKeepsItsShape) {
  EXPECT_EQ(Redact(""), "(empty)");
  const std::string r = Redact("$6$iotcopsample$abcdefghijkl");
  EXPECT_EQ(r.rfind("$6$", 0), 0u);
  EXPECT_EQ(r.find("abcdef"), std::string::npos);
  EXPECT_EQ(Redact("admin").find("admin"), std::string::npos);
}

TEST(Excerpt, IsBoundedAndPrintable) {
  std::string big(1000, 'x');
  big[3] = '\x01';
  const std::string e = BoundExcerpt(big, 50);
  EXPECT_LE(e.size(), 54u);
  EXPECT_EQ(e[3], '.');
}

TEST(Tree, ResolvesLinksInsideTheRootOnly) {
  unpack::Tree t;
  const auto r = t.AddRoot({"fs", "filesystem", {}, {}, UINT32_MAX, ""});
  auto add = [&](std::string p, unpack::EntryType ty, std::string target = "") {
    unpack::Entry e;
    e.path = std::move(p);
    e.type = ty;
    e.link_target = std::move(target);
    e.root = r;
    t.AddEntry(e);
  };
  add("/", unpack::EntryType::kDir);
  add("/etc", unpack::EntryType::kDir);
  add("/var", unpack::EntryType::kDir);
  add("/var/passwd", unpack::EntryType::kFile);
  add("/etc/passwd", unpack::EntryType::kSymlink, "../var/passwd");
  add("/lnk", unpack::EntryType::kSymlink, "/etc");
  add("/loop", unpack::EntryType::kSymlink, "/loop");
  add("/escape", unpack::EntryType::kSymlink, "../../../../var");
  const auto* e = t.Find(r, "/etc/passwd");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, "/var/passwd");
  ASSERT_NE(t.Find(r, "/lnk/passwd"), nullptr);
  EXPECT_EQ(t.Find(r, "/lnk/passwd")->path, "/var/passwd");
  EXPECT_EQ(t.Find(r, "/loop"), nullptr);
  ASSERT_NE(t.Find(r, "/escape/passwd"), nullptr);  // clamped at the root, like the kernel does
  EXPECT_EQ(t.Find(r, "/etc/passwd", false)->type, unpack::EntryType::kSymlink);
  EXPECT_EQ(unpack::NormalizePath("/../a/./b//c/.."), "/a/b");
}

TEST(FieldText, StringsAsTheyAreOtherJsonCompactAbsentEmptyBadUtf8Replaced) {
  const nlohmann::json v = {{"name", "dropbear"},
                            {"port", 22},
                            {"tls", true},
                            {"none", nullptr},
                            {"list", {"a", std::string("\xff\xfe")}}};
  EXPECT_EQ(FieldText(v, "name"), "dropbear");
  EXPECT_EQ(FieldText(v, "port"), "22");
  EXPECT_EQ(FieldText(v, "tls"), "true");
  EXPECT_EQ(FieldText(v, "none"), "");
  EXPECT_EQ(FieldText(v, "absent"), "");
  EXPECT_EQ(FieldText(nlohmann::json::array({1, 2}), "name"), "");
  // Invalid UTF-8 inside JSON is replaced (U+FFFD), never a throw.
  EXPECT_EQ(FieldText(v, "list"), "[\"a\",\"\xEF\xBF\xBD\xEF\xBF\xBD\"]");
}

}  // namespace
}  // namespace iotcop
