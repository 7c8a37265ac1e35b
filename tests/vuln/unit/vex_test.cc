// VEX reading (vuln/vex.h): the three formats from realistic documents (fuzz/seeds/vex/, written
// after OpenVEX 0.2.0, CycloneDX 1.5 VEX and CSAF 2.0 csaf_vex), hostile input naming the file and
// the JSON pointer, and the matching rule of DecideVex.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/json_mutations.h"
#include "support/test_support.h"
#include "vuln/vex.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using vuln::VexStatus;

std::string VexSeed(const char* name) {
  return test::ReadFile(fs::path(IOTCOP_SOURCE_DIR) / "fuzz/seeds/vex" / name);
}

vuln::VexComponent Busybox() {
  return {"busybox",
          "1.19.4",
          "pkg:generic/busybox@1.19.4",
          "cpe:2.3:a:busybox:busybox:1.19.4:*:*:*:*:*:*:*",
          "busybox",
          "busybox",
          "busybox",
          "1.19.4-3"};
}

TEST(Vex, ReadsOpenVex020) {
  auto doc = vuln::ParseVex(VexSeed("openvex.json"), "acme.openvex.json");
  ASSERT_TRUE(doc) << doc.error().Describe();
  EXPECT_EQ(doc->format, "openvex");
  ASSERT_EQ(doc->statements.size(), 4u);
  const auto& s = doc->statements[0];
  EXPECT_EQ(s.ids, (std::vector<std::string>{"CVE-2021-42374", "GHSA-xp5m-8hq9-5pj3"}));
  EXPECT_EQ(s.status, VexStatus::kNotAffected);
  EXPECT_EQ(s.justification, "vulnerable_code_not_present");
  EXPECT_NE(s.impact.find("CONFIG_UNLZMA"), std::string::npos);
  EXPECT_EQ(s.source, "acme.openvex.json");
  EXPECT_EQ(s.pointer, "/statements/0");
  ASSERT_EQ(s.products.size(), 1u) << "the subcomponent, not the firmware product";
  EXPECT_EQ(s.products[0].purl, "pkg:generic/busybox@1.19.4?arch=mips");
  EXPECT_EQ(doc->statements[1].status, VexStatus::kUnderInvestigation);
  EXPECT_EQ(doc->statements[2].status, VexStatus::kFixed);
  EXPECT_EQ(doc->statements[2].products[0].cpe,
            "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2011.54:*:*:*:*:*:*:*");
  EXPECT_EQ(doc->statements[3].action, "Upgrade to firmware 4.3.0");
}

TEST(Vex, ReadsCycloneDxVexResolvingBomRefsAndBomLinks) {
  auto doc = vuln::ParseVex(VexSeed("cyclonedx.json"), "acme.cdx.json");
  ASSERT_TRUE(doc) << doc.error().Describe();
  EXPECT_EQ(doc->format, "cyclonedx");
  ASSERT_EQ(doc->statements.size(), 3u) << "a vulnerability without analysis is no statement";
  const auto& bb = doc->statements[0];
  EXPECT_EQ(bb.ids, (std::vector<std::string>{"CVE-2021-42374", "GHSA-xp5m-8hq9-5pj3"}));
  EXPECT_EQ(bb.status, VexStatus::kNotAffected);
  EXPECT_EQ(bb.justification, "code_not_reachable");
  EXPECT_EQ(bb.action, "will_not_fix, update");
  EXPECT_EQ(bb.pointer, "/vulnerabilities/0");
  ASSERT_EQ(bb.products.size(), 1u);
  EXPECT_EQ(bb.products[0].cpe, "cpe:2.3:a:busybox:busybox:1.19.4:*:*:*:*:*:*:*");
  const auto& dns = doc->statements[1];
  EXPECT_EQ(dns.status, VexStatus::kFixed) << "resolved_with_pedigree";
  ASSERT_EQ(dns.products.size(), 1u);
  EXPECT_EQ(dns.products[0].name, "dnsmasq") << "BOM-Link resolved to its component";
  EXPECT_EQ(dns.products[0].version, "2.66");
  EXPECT_EQ(doc->statements[2].status, VexStatus::kUnderInvestigation);
}

TEST(Vex, ReadsCsafVexThroughProductTreeAndRelationships) {
  auto doc = vuln::ParseVex(VexSeed("csaf.json"), "acme.csaf.json");
  ASSERT_TRUE(doc) << doc.error().Describe();
  EXPECT_EQ(doc->format, "csaf");
  ASSERT_EQ(doc->statements.size(), 3u);
  const auto& bb = doc->statements[0];
  EXPECT_EQ(bb.ids, (std::vector<std::string>{"CVE-2021-42374", "GHSA-xp5m-8hq9-5pj3"}));
  EXPECT_EQ(bb.status, VexStatus::kNotAffected);
  EXPECT_EQ(bb.justification, "vulnerable_code_not_present");
  EXPECT_EQ(bb.impact, "unlzma is not built");
  EXPECT_EQ(bb.pointer, "/vulnerabilities/0/product_status/known_not_affected/0");
  ASSERT_EQ(bb.products.size(), 1u);
  EXPECT_EQ(bb.products[0].cpe, "cpe:2.3:a:busybox:busybox:1.19.4:*:*:*:*:*:*:*");
  EXPECT_EQ(bb.products[0].name, "busybox") << "product_name branch";
  EXPECT_EQ(bb.products[0].version, "1.19.4");
  EXPECT_EQ(doc->statements[1].status, VexStatus::kAffected);
  EXPECT_EQ(doc->statements[1].products[0].name, "dnsmasq");
  EXPECT_EQ(doc->statements[2].status, VexStatus::kUnderInvestigation);
}

TEST(Vex, HostileInputNamesTheFileAndThePointer) {
  auto err = [](const std::string& text) {
    auto r = vuln::ParseVex(text, "x.json");
    EXPECT_FALSE(r.ok()) << text.substr(0, 200);
    return r.ok() ? std::string() : r.error().Describe();
  };
  json o = json::parse(VexSeed("openvex.json"));
  o["statements"][1]["status"] = 3;
  EXPECT_EQ(err(o.dump()), "x.json: /statements/1/status: expected string, got number");
  o = json::parse(VexSeed("openvex.json"));
  o["statements"][0]["status"] = "maybe";
  EXPECT_NE(err(o.dump()).find("/statements/0/status: unknown status \"maybe\""),
            std::string::npos);
  o = json::parse(VexSeed("openvex.json"));
  o["statements"][0].erase("justification");
  o["statements"][0].erase("impact_statement");
  EXPECT_NE(err(o.dump()).find("/statements/0: not_affected without justification"),
            std::string::npos);
  o.erase("statements");
  EXPECT_EQ(err(o.dump()), "x.json: /statements: missing");

  json c = json::parse(VexSeed("csaf.json"));
  c["vulnerabilities"][0]["product_status"]["known_not_affected"][0] = "CSAFPID-9999";
  EXPECT_EQ(err(c.dump()),
            "x.json: /vulnerabilities/0/product_status/known_not_affected/0: product id "
            "\"CSAFPID-9999\" is not defined in the product_tree");
  c = json::parse(VexSeed("csaf.json"));
  c["document"]["category"] = "csaf_base";
  EXPECT_NE(err(c.dump()).find("/document/category: expected \"csaf_vex\""), std::string::npos);

  json x = json::parse(VexSeed("cyclonedx.json"));
  x["vulnerabilities"][0]["analysis"]["state"] = json::array();
  EXPECT_EQ(err(x.dump()), "x.json: /vulnerabilities/0/analysis/state: expected string, got array");

  // Not JSON: the byte offset.
  EXPECT_NE(err("{\"statements\": [1,}").find("at offset"), std::string::npos);
  EXPECT_NE(err("{\"hello\": 1}").find("not an OpenVEX"), std::string::npos);
  // Nesting and size bounds.
  EXPECT_NE(err(std::string(100000, '[')).find("nested deeper"), std::string::npos);
  // A huge array of statements stops at the cap, naming where.
  std::string huge = R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [)";
  for (std::size_t i = 0; i <= vuln::kMaxVexStatements; ++i) {
    huge += (i ? "," : "");
    huge += R"({"vulnerability": "CVE-1", "status": "affected"})";
  }
  huge += "]}";
  EXPECT_NE(err(huge).find("/statements/100000: more than 100000 statements"), std::string::npos);
  EXPECT_NE(err(std::string(vuln::kMaxVexBytes + 1, ' ')).find("larger than"), std::string::npos);
}

// Every value of every document replaced by every other JSON type: an error naming the file and a
// JSON pointer, or a document; never an exception.
TEST(Vex, EveryWrongTypeIsAnErrorWithAPointerNeverACrash) {
  for (const char* seed : {"openvex.json", "cyclonedx.json", "csaf.json"}) {
    const json original = json::parse(VexSeed(seed));
    std::vector<test::JsonMutation> where;
    test::WalkJson(original, json::json_pointer(), "", where);
    std::size_t errors = 0;
    for (const auto& m : where) {
      for (const auto& wrong : test::WrongTypesFor(original.at(m.where))) {
        json doc = original;
        doc.at(m.where) = wrong;
        auto r = vuln::ParseVex(doc.dump(), seed);
        if (r.ok()) continue;
        ++errors;
        const std::string d = r.error().Describe();
        EXPECT_TRUE(d.starts_with(std::string(seed) + ": /") ||
                    d.find("not an OpenVEX") != std::string::npos)
            << m.path << ": " << d;
      }
    }
    EXPECT_GT(errors, where.size() / 2) << seed;
  }
}

TEST(Vex, MostSpecificMatchWinsWithinAFileAndTheLaterFileAcrossFiles) {
  auto parse = [](const std::string& text, const char* name) {
    auto r = vuln::ParseVex(text, name);
    EXPECT_TRUE(r) << r.error().Describe();
    return *r;
  };
  const vuln::VexDocument a = parse(R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
    {"vulnerability": "CVE-1", "products": ["pkg:generic/busybox@1.19.4?arch=arm"],
     "status": "not_affected", "justification": "component_not_present"},
    {"vulnerability": "CVE-1", "products": ["busybox@1.19.4"], "status": "affected"},
    {"vulnerability": {"name": "CVE-2", "aliases": ["GHSA-2"]}, "status": "fixed"},
    {"vulnerability": "CVE-3", "products": ["cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*"],
     "status": "under_investigation"},
    {"vulnerability": "CVE-4", "products": ["pkg:generic/busybox@1.20.0"], "status": "fixed"}]})",
                                    "a.json");
  const vuln::VexDocument b = parse(R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
    {"vulnerability": "CVE-3", "products": ["busybox"], "status": "affected"}]})",
                                    "b.json");
  // The decisions point into the documents' list: it lives as long as they are read.
  const std::vector<vuln::VexDocument> only_a = {a}, a_then_b = {a, b};
  auto d = vuln::DecideVex(only_a, "CVE-1", Busybox());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->statement->status, VexStatus::kNotAffected) << "the PURL beats name@version";
  EXPECT_EQ(d->matched_by, "purl");
  d = vuln::DecideVex(only_a, "ghsa-2", Busybox());
  ASSERT_TRUE(d) << "by alias, case-insensitive";
  EXPECT_EQ(d->matched_by, "every product");
  d = vuln::DecideVex(only_a, "CVE-3", Busybox());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->matched_by, "cpe") << "a CPE with version * covers every version";
  EXPECT_FALSE(vuln::DecideVex(only_a, "CVE-4", Busybox())) << "another version";
  EXPECT_FALSE(vuln::DecideVex(only_a, "CVE-9", Busybox()));
  d = vuln::DecideVex(a_then_b, "CVE-3", Busybox());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->statement->status, VexStatus::kAffected) << "the later file wins";
  EXPECT_EQ(d->statement->source, "b.json");
  ASSERT_EQ(d->overridden.size(), 1u);
  EXPECT_EQ(d->overridden[0]->source, "a.json");
  vuln::VexComponent other = Busybox();
  other.name = other.package = "dnsmasq";
  other.purl = "pkg:generic/dnsmasq@1.19.4";
  other.cpe = "cpe:2.3:a:thekelleys:dnsmasq:1.19.4:*:*:*:*:*:*:*";
  EXPECT_FALSE(vuln::DecideVex(only_a, "CVE-1", other));
}

TEST(Vex, ReadsFilesAndNamesTheAbsentOne) {
  test::TempDir t;
  test::WriteFile(t / "v.json", VexSeed("csaf.json"));
  auto ok = vuln::ReadVexFile(t / "v.json");
  ASSERT_TRUE(ok) << ok.error().Describe();
  EXPECT_EQ(ok->statements[0].source, (t / "v.json").string());
  auto absent = vuln::ReadVexFile(t / "absent.json");
  ASSERT_FALSE(absent);
  EXPECT_NE(absent.error().Describe().find("absent.json"), std::string::npos);
}

}  // namespace
}  // namespace iotcop
