// VEX applied to the vulnerability matches of fw.components.known-vulnerabilities (--vex): a match
// a statement says is not_affected or fixed makes no finding and is named with its justification
// and source; under_investigation and affected keep the finding; the later file wins a conflict.
// The CycloneDX SBOM carries the analysis and the openvex renderer writes the assessment's own
// statements; end to end through `iotcop assess --vex`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <map>
#include <sstream>

#include "core/fact_kinds.h"
#include "report/renderer.h"
#include "support/firmware_support.h"
#include "support/test_support.h"
#include "vuln/vulndb.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using test::Q;

constexpr const char* kVexOpkgStatus =
    "Package: busybox\nVersion: 1.19.4-3\nStatus: install user installed\n\n"
    "Package: dnsmasq\nVersion: 2.66-4\nStatus: install user installed\n";

// Both matches of the bundled NVD seed (busybox CVE-2021-42374, dnsmasq CVE-2017-1000487) said
// not affected, by PURL and by CPE.
constexpr const char* kBothNotAffected = R"({
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/1", "author": "ACME", "timestamp": "2024-03-01T10:00:00Z",
  "version": 1,
  "statements": [
    {"vulnerability": {"name": "CVE-2021-42374"},
     "products": [{"@id": "pkg:generic/acme-cam@4.2.1",
                   "subcomponents": [{"@id": "pkg:generic/busybox@1.19.4"}]}],
     "status": "not_affected", "justification": "vulnerable_code_not_present",
     "impact_statement": "unlzma is not built"},
    {"vulnerability": {"name": "CVE-2017-1000487"},
     "products": [{"@id": "cpe:2.3:a:thekelleys:dnsmasq:2.66:*:*:*:*:*:*:*"}],
     "status": "fixed"}]})";

constexpr const char* kDnsmasqUnderInvestigation = R"({
  "@context": "https://openvex.dev/ns/v0.2.0",
  "statements": [
    {"vulnerability": {"name": "CVE-2017-1000487"}, "products": [{"@id": "dnsmasq@2.66"}],
     "status": "under_investigation"}]})";

class VexApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_ / "root";
    test::WriteFile(root_ / "usr/lib/opkg/status", kVexOpkgStatus);
    fs::create_directories(root_ / "etc");  // a root file system, not a folder of files
    db_ = tmp_ / "vulndb.sqlite";
    auto d = vuln::VulnDb::Open(db_, true);
    ASSERT_TRUE(d.ok());
    auto imp = d->ImportFile(fs::path(IOTCOP_SOURCE_DIR) / "fuzz/seeds/vulnfeed/nvd.json");
    ASSERT_TRUE(imp.ok()) << imp.error().Describe();
  }
  fs::path Vex(const std::string& name, const std::string& text) {
    test::WriteFile(tmp_ / name, text);
    return tmp_ / name;
  }
  FactStore Facts(const std::vector<fs::path>& vex, std::vector<Problem>* problems = nullptr) {
    cfg_.vulndb = db_.string();
    cfg_.vex.clear();
    for (const auto& v : vex) cfg_.vex.push_back(v.string());
    return test::Collect(test::TreeOf(root_), {"components", "vulnerabilities"}, problems, &cfg_);
  }
  test::TempDir tmp_;
  fs::path root_, db_;
  CheckConfig cfg_;
};

TEST_F(VexApplyTest, NotAffectedAndFixedTurnTheFailIntoAPassNamingTheStatements) {
  auto without = test::RunCheck("fw.components.known-vulnerabilities", Facts({}), cfg_);
  ASSERT_TRUE(without.ok) << without.error;
  ASSERT_EQ(without.findings.size(), 2u) << "busybox and dnsmasq match the feed";

  const fs::path vex = Vex("acme.openvex.json", kBothNotAffected);
  const FactStore facts = Facts({vex});
  auto r = test::RunCheck("fw.components.known-vulnerabilities", facts, cfg_);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.outcomes.size(), 1u);
  EXPECT_EQ(r.outcomes[0].verdict, Verdict::kPass);
  const std::string& why = r.outcomes[0].reason;
  EXPECT_NE(why.find("2 matches not counted"), std::string::npos) << why;
  EXPECT_NE(why.find("busybox 1.19.4: CVE-2021-42374 [VEX not_affected "
                     "(vulnerable_code_not_present): " +
                     vex.string() + "#/statements/0]"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("\"unlzma is not built\""), std::string::npos) << why;
  EXPECT_NE(
      why.find("dnsmasq 2.66: CVE-2017-1000487 [VEX fixed: " + vex.string() + "#/statements/1]"),
      std::string::npos)
      << why;
  // The matches stay in the facts, with their statement.
  for (const Fact* v : facts.OfKind(facts::kVulnerability)) {
    ASSERT_TRUE(v->value.contains("vex")) << v->value.dump();
    EXPECT_EQ(v->value["vex"]["source"], vex.string());
  }
}

TEST_F(VexApplyTest, UnderInvestigationKeepsTheFindingAndTheLaterFileWins) {
  const fs::path csaf = Vex(
      "acme.csaf.json", test::ReadFile(fs::path(IOTCOP_SOURCE_DIR) / "fuzz/seeds/vex/csaf.json"));
  const fs::path later = Vex("triage.openvex.json", kDnsmasqUnderInvestigation);
  auto r = test::RunCheck("fw.components.known-vulnerabilities", Facts({csaf, later}), cfg_);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.findings.size(), 1u) << "busybox is not affected (CSAF), dnsmasq is kept";
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.title, "dnsmasq 2.66 has 1 known vulnerability");
  EXPECT_EQ(f.provisions, std::vector<std::string>{"5.3-8"});
  EXPECT_NE(f.message.find("[VEX under_investigation: " + later.string() +
                           "#/statements/0; overrides affected (" + csaf.string() +
                           "#/vulnerabilities/1/product_status/known_affected/0)]"),
            std::string::npos)
      << f.message;
  // Affected alone keeps it too.
  auto affected = test::RunCheck("fw.components.known-vulnerabilities", Facts({csaf}), cfg_);
  ASSERT_EQ(affected.findings.size(), 1u);
  EXPECT_NE(affected.findings[0].message.find("[VEX affected: "), std::string::npos);
}

TEST_F(VexApplyTest, AnUnreadableVexIsAProblemAndAppliesNothing) {
  const fs::path bad = Vex("bad.json", R"({"@context": "https://openvex.dev/ns/v0.2.0",
    "statements": [{"vulnerability": "CVE-2021-42374", "status": 7}]})");
  std::vector<Problem> problems;
  auto r = test::RunCheck("fw.components.known-vulnerabilities", Facts({bad}, &problems), cfg_);
  EXPECT_EQ(r.findings.size(), 2u);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].message.find("/statements/0/status: expected string, got number"),
            std::string::npos)
      << problems[0].message;
}

Assessment VexAssessment(FactStore facts) {
  Assessment a;
  a.tool_version = "0.0-test";
  a.product = "acme cam";
  a.finished_at = "2026-11-22T01:00:00Z";
  a.inputs.push_back({InputKind::kFirmware, "fw.bin", std::string(64, 'a'), 10, "ok"});
  a.facts = std::move(facts);
  return a;
}

json RenderVexJson(const char* format, const Assessment& a) {
  const report::Renderer* r = report::FindRenderer(format);
  EXPECT_TRUE(r) << format;
  std::ostringstream out;
  EXPECT_TRUE(r->Render(a, Catalogue{}, out).ok());
  return json::parse(out.str());
}

TEST_F(VexApplyTest, CycloneDxAnalysisAndOpenVexStatementsCarryTheStatus) {
  const fs::path csaf = Vex(
      "acme.csaf.json", test::ReadFile(fs::path(IOTCOP_SOURCE_DIR) / "fuzz/seeds/vex/csaf.json"));
  const Assessment a = VexAssessment(Facts({csaf}));
  const json sbom = RenderVexJson("cyclonedx", a);
  std::map<std::string, json> by_id;
  for (const auto& v : sbom["vulnerabilities"]) by_id[v["id"].get<std::string>()] = v;
  ASSERT_EQ(by_id.size(), 2u) << sbom["vulnerabilities"].dump();
  EXPECT_EQ(by_id["CVE-2021-42374"]["analysis"]["state"], "not_affected");
  EXPECT_EQ(by_id["CVE-2021-42374"]["analysis"]["justification"], "code_not_present");
  EXPECT_NE(by_id["CVE-2021-42374"]["analysis"]["detail"].get<std::string>().find(
                "unlzma is not built (vulnerable_code_not_present); VEX statement " +
                csaf.string() + "#/vulnerabilities/0/product_status/known_not_affected/0"),
            std::string::npos)
      << by_id["CVE-2021-42374"]["analysis"];
  EXPECT_EQ(by_id["CVE-2017-1000487"]["analysis"]["state"], "exploitable");

  const json vex = RenderVexJson("openvex", a);
  EXPECT_EQ(report::FindRenderer("openvex")->doc().extension, "vex.openvex.json");
  // OpenVEX 0.2.0 required fields (no schema offline): @context, @id, author, timestamp,
  // version, statements with vulnerability.name, products, status; not_affected with a
  // justification or impact statement, affected with an action statement.
  EXPECT_EQ(vex["@context"], "https://openvex.dev/ns/v0.2.0");
  EXPECT_TRUE(vex["@id"].get<std::string>().starts_with("urn:uuid:"));
  EXPECT_EQ(vex["author"], "iotcop 0.0-test");
  EXPECT_EQ(vex["timestamp"], "2026-11-22T01:00:00Z");
  EXPECT_EQ(vex["version"], 1);
  ASSERT_EQ(vex["statements"].size(), 2u);
  std::map<std::string, json> st;
  for (const auto& s : vex["statements"]) {
    EXPECT_FALSE(s["products"].empty());
    EXPECT_EQ(s["products"][0]["hashes"]["sha-256"], std::string(64, 'a'));
    st[s["vulnerability"]["name"].get<std::string>()] = s;
  }
  const json& bb = st["CVE-2021-42374"];
  EXPECT_EQ(bb["status"], "not_affected");
  EXPECT_EQ(bb["justification"], "vulnerable_code_not_present");
  EXPECT_FALSE(bb["impact_statement"].get<std::string>().empty());
  EXPECT_EQ(bb["products"][0]["subcomponents"][0]["@id"], "pkg:generic/busybox@1.19.4");
  const json& dns = st["CVE-2017-1000487"];
  EXPECT_EQ(dns["status"], "affected");
  EXPECT_FALSE(dns["action_statement"].get<std::string>().empty());
  // Deterministic: same assessment, same document; another one, another @id.
  EXPECT_EQ(RenderVexJson("openvex", a), vex);
  const Assessment other = VexAssessment(Facts({}));
  const json plain = RenderVexJson("openvex", other);
  EXPECT_NE(plain["@id"], vex["@id"]);
  for (const auto& s : plain["statements"]) EXPECT_EQ(s["status"], "affected");
  // What it wrote reads back as VEX statements.
  test::WriteFile(tmp_ / "own.openvex.json", vex.dump());
  const fs::path again = tmp_ / "own.openvex.json";
  auto r = test::RunCheck("fw.components.known-vulnerabilities", Facts({again}), cfg_);
  ASSERT_EQ(r.findings.size(), 1u) << "busybox stays not_affected through our own document";
}

TEST_F(VexApplyTest, AssessWithVexWritesJsonCycloneDxAndOpenVex) {
  const fs::path vex = Vex("acme.openvex.json", kBothNotAffected);
  const fs::path out = tmp_ / "out";
  auto r = test::RunIotcop("assess -q --firmware " + Q(root_) + " --vulndb " + Q(db_) + " --vex " +
                           Q(vex) + " --format json,cyclonedx,openvex -o " + Q(out));
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  const json report = json::parse(test::ReadFile(out / "report.json"));
  for (const auto& f : report["findings"])
    EXPECT_NE(f["check"], "fw.components.known-vulnerabilities");
  bool seen = false;
  for (const auto& v : report["verdicts"]) {
    if (v["id"] != "5.3-8") continue;
    seen = true;
    // The fixture has no update mechanism, so condition (12) makes the verdict NOT_APPLICABLE;
    // the functional part is the check's.
    EXPECT_EQ(v["functional"], "PASS") << v.dump();
  }
  EXPECT_TRUE(seen);
  std::size_t with_vex = 0;
  for (const auto& f : report["facts"])
    with_vex += f["kind"] == "vulnerability" && f["value"]["vex"]["source"] == vex.string();
  EXPECT_EQ(with_vex, 2u) << "the matches keep their statement in report.json";
  const json sbom = json::parse(test::ReadFile(out / "sbom.cdx.json"));
  ASSERT_EQ(sbom["vulnerabilities"].size(), 2u);
  EXPECT_EQ(sbom["vulnerabilities"][0]["analysis"]["state"], "resolved") << "CVE-2017-1000487";
  EXPECT_EQ(sbom["vulnerabilities"][1]["analysis"]["state"], "not_affected");
  const json own = json::parse(test::ReadFile(out / "vex.openvex.json"));
  ASSERT_EQ(own["statements"].size(), 2u);
  EXPECT_EQ(own["statements"][0]["status"], "fixed");
  EXPECT_EQ(own["statements"][1]["status"], "not_affected");

  // A malformed VEX stops the run before any work, naming the file and the pointer.
  const fs::path bad = Vex("bad.json", R"({"bomFormat": "CycloneDX", "vulnerabilities": [
    {"id": "CVE-1", "analysis": {"state": "not_affected"}, "affects": [{"ref": 4}]}]})");
  auto b = test::RunIotcop("assess -q --firmware " + Q(root_) + " --vulndb " + Q(db_) + " --vex " +
                           Q(bad) + " -o " + Q(tmp_ / "out2"));
  EXPECT_EQ(b.exit_code, 3) << b.out << b.err;
  EXPECT_NE(
      b.err.find(bad.string() + ": /vulnerabilities/0/affects/0/ref: expected string, got number"),
      std::string::npos)
      << b.err;
}

}  // namespace
}  // namespace iotcop
