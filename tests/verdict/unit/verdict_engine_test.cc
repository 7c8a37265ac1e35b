// The verdict engine (core/verdict_engine.h) on a small catalogue the test writes: every path of
// the precedence FAIL > NOT_APPLICABLE by condition > PASS > NOT_APPLICABLE by a check >
// INCONCLUSIVE, evidence over declaration, guideline aggregation and the projections onto PSTI,
// EN 303 645 V3 and the 2018 Code of Practice; then the same projections on the real catalogue.
#include <gtest/gtest.h>

#include "core/fact_kinds.h"
#include "support/report_fixture.h"
#include "support/test_support.h"
#include "verdict/check_runner.h"
#include "verdict/verdict_engine.h"

namespace iotcop {
namespace {

constexpr const char* kV2Yaml = R"yaml(standard:
  id: "en303645-v2"
  name: "ETSI EN 303 645"
  version: "V2.1.1 (2020-06)"
conditions:
  - id: "1"
    text: "passwords are used"
    property: "passwords_used"
  - id: "5"
    text: "the device is not constrained"
    property: "constrained"
    negate: true
groups:
  - id: "5.1"
    title: "No universal default passwords"
items:
  - id: "5.1-1"
    title: "Unique passwords"
    status: "M C (1)"
    group: "5.1"
    decide_with: "account files in the firmware image"
    links: ["cop2018:1"]
  - id: "5.1-5"
    title: "Brute-force protection"
    status: "M C (5)"
    group: "5.1"
    decide_with: "a live login attempt"
    links: ["cop2018:1"]
  - id: "5.2-1"
    title: "Disclosure policy"
    status: "M"
    decide_with: "the published security contact"
    links: ["cop2018:2"]
  - id: "5.4-1"
    title: "Secure storage"
    status: "M"
    decide_with: "key files in the image"
    links: ["cop2018:4"]
)yaml";

constexpr const char* kCopYaml = R"yaml(standard:
  id: "cop2018"
  name: "Code of Practice"
  version: "2018"
items:
  - id: "1"
    title: "No default passwords"
  - id: "2"
    title: "Vulnerability disclosure"
  - id: "4"
    title: "Secure storage"
)yaml";

constexpr const char* kPstiYaml = R"yaml(standard:
  id: "psti"
  name: "PSTI"
  version: "2023"
items:
  - id: "1"
    title: "Passwords"
    status: "M"
    deemed_by: ["en303645-v2:5.1-1"]
    links: ["cop2018:1"]
  - id: "2"
    title: "Reporting"
    status: "M"
    deemed_by: ["en303645-v2:5.2-1"]
    links: ["cop2018:2"]
  - id: "iso29147"
    title: "A referenced standard"
)yaml";

constexpr const char* kV3Yaml = R"yaml(standard:
  id: "en303645-v3"
  name: "ETSI EN 303 645"
  version: "V3"
items:
  - id: "5.1-1"
    title: "Unique passwords"
    status: "M"
    v2: ["5.1-1"]
    links: ["en303645-v2:5.1-1"]
  - id: "5.1-6"
    title: "A new provision"
    status: "M"
    relation: "new"
    decide_with: "something V2.1.1 never asked"
)yaml";

class VerdictEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    test::WriteFile(dir_ / "en303645-v2.yaml", kV2Yaml);
    test::WriteFile(dir_ / "cop2018.yaml", kCopYaml);
    test::WriteFile(dir_ / "psti.yaml", kPstiYaml);
    test::WriteFile(dir_ / "en303645-v3.yaml", kV3Yaml);
    auto c = Catalogue::Load(dir_.path().string());
    ASSERT_TRUE(c) << c.error().Describe();
    cat_ = std::move(c).value();
    ASSERT_TRUE(cat_.DanglingLinks().empty());
    a_.inputs.push_back({InputKind::kFirmware, "fw.bin"});
  }

  FactId Property(const std::string& name, bool value, InputKind source = InputKind::kFirmware) {
    Evidence e;
    e.source = source;
    e.input = source == InputKind::kDeclaration ? "ixit.yaml" : "fw.bin";
    return a_.facts.Add(facts::kProperty,
                        {{"name", name}, {"value", value}, {"reason", name + " reason"}}, e,
                        "test");
  }

  void AddCheck(CheckDoc doc, std::function<void(CheckContext&)> run = nullptr) {
    if (doc.inputs.empty()) doc.inputs = {InputKind::kFirmware};
    checks_.push_back(std::make_unique<test::LambdaCheck>(std::move(doc), std::move(run)));
  }

  void Decide(const std::string& standard = "en303645-v2") {
    RunChecks(checks_, CheckConfig{}, a_);
    Status st = DecideVerdicts(cat_, standard, a_);
    ASSERT_TRUE(st) << st.error().Describe();
  }

  const ItemVerdict& V(const std::string& id) {
    for (const auto& v : a_.verdicts)
      if (v.id == id) return v;
    ADD_FAILURE() << "no verdict " << id;
    static ItemVerdict none;
    return none;
  }

  const GuidelineVerdict& G(const std::string& id) {
    for (const auto& g : a_.guidelines)
      if (g.id == id) return g;
    ADD_FAILURE() << "no guideline " << id;
    static GuidelineVerdict none;
    return none;
  }

  test::TempDir dir_;
  Catalogue cat_;
  Assessment a_;
  std::vector<std::unique_ptr<const Check>> checks_;
};

TEST_F(VerdictEngine, WhatNothingAssessedIsInconclusiveWithWhatWouldDecideIt) {
  Decide();
  ASSERT_EQ(a_.verdicts.size(), 4u);
  for (const auto& v : a_.verdicts) {
    EXPECT_NE(v.verdict, Verdict::kPass) << v.id;
    EXPECT_FALSE(v.reason.empty()) << v.id;
  }
  EXPECT_EQ(V("5.4-1").verdict, Verdict::kInconclusive);
  EXPECT_NE(V("5.4-1").reason.find("not assessed"), std::string::npos) << V("5.4-1").reason;
  EXPECT_NE(V("5.4-1").reason.find("key files in the image"), std::string::npos);
  // A condition nobody established is said so.
  EXPECT_NE(
      V("5.1-1").reason.find("applicability not established for condition (1) passwords are used"),
      std::string::npos)
      << V("5.1-1").reason;
}

TEST_F(VerdictEngine, AFindingThatCitesAProvisionFailsIt) {
  a_.facts.Add(facts::kAccount, {{"name", "root"}}, {}, "test");
  AddCheck({"t.accounts", "Accounts", {"5.1-1"}, {}, {facts::kAccount}}, [](CheckContext& ctx) {
    Finding f;
    f.title = "root has a default password";
    f.severity = Severity::kCritical;
    ctx.Report(f, "root");
  });
  Decide();
  const ItemVerdict& v = V("5.1-1");
  EXPECT_EQ(v.verdict, Verdict::kFail);
  ASSERT_EQ(v.findings.size(), 1u);
  EXPECT_EQ(a_.findings[v.findings[0]].title, "root has a default password");
  EXPECT_NE(v.reason.find("t.accounts: 1 finding (root has a default password)"), std::string::npos)
      << v.reason;
  EXPECT_EQ(v.checks, std::vector<std::string>{"t.accounts"});
  ASSERT_TRUE(v.functional);
  EXPECT_EQ(*v.functional, Verdict::kFail);
  EXPECT_FALSE(v.conceptual);
}

TEST_F(VerdictEngine, ACheckWithFactsAndNoFindingPasses) {
  const FactId id = a_.facts.Add(facts::kPrivateKey, {{"type", "rsa"}}, {}, "test");
  AddCheck({"t.keys", "Keys", {"5.4-1"}, {}, {facts::kPrivateKey}});
  Decide();
  EXPECT_EQ(V("5.4-1").verdict, Verdict::kPass);
  EXPECT_EQ(V("5.4-1").facts, std::vector<FactId>{id});
  EXPECT_NE(V("5.4-1").reason.find("nothing found in 1 fact (private_key)"), std::string::npos);
}

TEST_F(VerdictEngine, ACheckWithoutFactsIsInconclusiveNeverPass) {
  AddCheck({"t.keys", "Keys", {"5.4-1"}, {}, {facts::kPrivateKey}});
  Decide();
  EXPECT_EQ(V("5.4-1").verdict, Verdict::kInconclusive);
  EXPECT_NE(V("5.4-1").reason.find("t.keys: no private_key facts to judge"), std::string::npos)
      << V("5.4-1").reason;
  EXPECT_NE(V("5.4-1").reason.find("would be decided by: key files in the image"),
            std::string::npos);
}

TEST_F(VerdictEngine, AConditionThatDoesNotHoldMakesItNotApplicableWithTheJustification) {
  Property("constrained", true);  // condition 5 "the device is not constrained" does not hold
  AddCheck({"t.login", "Login", {"5.1-5"}, {}, {}},
           [](CheckContext& ctx) { ctx.Pass("5.1-5", "lockout after 5 attempts"); });
  Decide();
  const ItemVerdict& v = V("5.1-5");
  EXPECT_EQ(v.verdict, Verdict::kNotApplicable);
  EXPECT_NE(
      v.reason.find(
          "condition (5) \"the device is not constrained\" does not hold: constrained reason"),
      std::string::npos)
      << v.reason;
  // When the condition holds the same provision is judged.
  Assessment b;
  b.inputs = a_.inputs;
  Evidence e;
  e.input = "fw.bin";
  b.facts.Add(facts::kProperty, {{"name", "constrained"}, {"value", false}, {"reason", "r"}}, e,
              "t");
  RunChecks(checks_, CheckConfig{}, b);
  ASSERT_TRUE(DecideVerdicts(cat_, "en303645-v2", b));
  for (const auto& w : b.verdicts)
    if (w.id == "5.1-5") {
      EXPECT_EQ(w.verdict, Verdict::kPass) << w.reason;
    }
}

TEST_F(VerdictEngine, AFindingOutranksAConditionThatDoesNotHold) {
  Property("constrained", true);
  AddCheck({"t.login", "Login", {"5.1-5"}, {}, {}}, [](CheckContext& ctx) {
    Finding f;
    f.title = "no lockout";
    ctx.Report(f, "lockout");
  });
  Decide();
  EXPECT_EQ(V("5.1-5").verdict, Verdict::kFail);
}

TEST_F(VerdictEngine, EvidenceOutranksTheDeclarationAndTheConflictIsNoted) {
  Property("constrained", false, InputKind::kDeclaration);  // declared: not constrained
  Property("constrained", true);                            // the image says: constrained
  Decide();
  const ItemVerdict& v = V("5.1-5");
  EXPECT_EQ(v.verdict, Verdict::kNotApplicable);
  EXPECT_NE(v.reason.find("the declaration says no, the evidence says yes"), std::string::npos)
      << v.reason;
  EXPECT_EQ(v.facts.size(), 2u);  // both facts are the basis
}

TEST_F(VerdictEngine, TheDeclarationDecidesWhenThereIsNoEvidence) {
  Property("constrained", true, InputKind::kDeclaration);
  Decide();
  EXPECT_EQ(V("5.1-5").verdict, Verdict::kNotApplicable);
  EXPECT_EQ(V("5.1-5").reason.find("the declaration says"), std::string::npos);
}

TEST_F(VerdictEngine, ACheckMaySayNotApplicableButAPassOutranksIt) {
  a_.facts.Add(facts::kDisclosure, {{"kind", "security.txt"}}, {}, "test");
  AddCheck({"t.na", "Says n/a", {"5.2-1"}, {}, {}},
           [](CheckContext& ctx) { ctx.NotApplicable("5.2-1", "no web server"); });
  Decide();
  EXPECT_EQ(V("5.2-1").verdict, Verdict::kNotApplicable);
  EXPECT_EQ(V("5.2-1").reason, "no web server");
  a_ = Assessment{};
  a_.inputs.push_back({InputKind::kFirmware, "fw.bin"});
  a_.facts.Add(facts::kDisclosure, {{"kind", "security.txt"}}, {}, "test");
  AddCheck({"t.txt", "security.txt", {"5.2-1"}, {}, {facts::kDisclosure}});
  Decide();
  EXPECT_EQ(V("5.2-1").verdict, Verdict::kPass);
}

TEST_F(VerdictEngine, APassOnTheDeclarationAloneWhileTheTestCouldNotDecideSaysSo) {
  a_.inputs.push_back({InputKind::kDeclaration, "ixit.yaml"});
  AddCheck({"t.txt", "security.txt", {"5.2-1"}, {}, {facts::kDisclosure}});
  AddCheck({"decl.policy", "Declared policy", {"5.2-1"}, {InputKind::kDeclaration}, {}},
           [](CheckContext& ctx) { ctx.Pass("5.2-1", "declared contact"); });
  Decide();
  const ItemVerdict& v = V("5.2-1");
  EXPECT_EQ(v.verdict, Verdict::kPass);
  ASSERT_TRUE(v.functional && v.conceptual);  // the two parts are kept apart
  EXPECT_EQ(*v.functional, Verdict::kInconclusive);
  EXPECT_EQ(*v.conceptual, Verdict::kPass);
  EXPECT_EQ(v.rests_on, "declaration");
  EXPECT_EQ(v.caveat,
            "declared; functional test inconclusive: t.txt: no disclosure facts to judge");
  EXPECT_EQ(VerdictWithCaveat(v),
            "PASS (declared; functional test inconclusive: t.txt: no disclosure facts to judge)");
  EXPECT_EQ(CountDeclaredOnly(a_.verdicts), 1);
  // Once the test decides, the PASS rests on both and carries no caveat.
  a_.facts.Add(facts::kDisclosure, {{"valid", true}}, {}, "test");
  a_.outcomes.clear();
  a_.findings.clear();
  a_.checks.clear();
  Decide();
  EXPECT_EQ(V("5.2-1").rests_on, "declaration and tests");
  EXPECT_TRUE(V("5.2-1").caveat.empty());
  EXPECT_EQ(CountDeclaredOnly(a_.verdicts), 0);
}

TEST_F(VerdictEngine, AFindingThatOnlyInformsNeverFailsNorPasses) {
  a_.facts.Add(facts::kBinary, {{"path", "/bin/x"}}, {}, "test");
  CheckDoc doc{"t.hardening", "Hardening", {}, {}, {facts::kBinary}};
  doc.informs = {"5.4-1"};
  AddCheck(doc, [](CheckContext& ctx) {
    Finding f;
    f.title = "1 of 1 binaries have no stack canary";
    ctx.Report(f, "property:canary");
    // Naming the provision explicitly does not make it decide what the check only informs.
    Finding g;
    g.title = "imports strcpy";
    g.provisions = {"5.4-1"};
    ctx.Report(g, "imports");
  });
  Decide();
  const ItemVerdict& v = V("5.4-1");
  EXPECT_EQ(v.verdict, Verdict::kInconclusive) << v.reason;
  EXPECT_TRUE(v.findings.empty());
  ASSERT_EQ(v.informing.size(), 2u);
  for (std::size_t i : v.informing) {
    EXPECT_TRUE(a_.findings[i].provisions.empty());
    EXPECT_EQ(a_.findings[i].informs, std::vector<std::string>{"5.4-1"});
  }
  EXPECT_NE(v.reason.find("2 findings inform it without deciding it (t.hardening)"),
            std::string::npos)
      << v.reason;
  EXPECT_NE(v.reason.find("would be decided by: key files in the image"), std::string::npos);
  EXPECT_TRUE(v.rests_on.empty());
}

TEST_F(VerdictEngine, InformingFindingsStandBesideADecidingCheck) {
  a_.facts.Add(facts::kBinary, {{"path", "/bin/x"}}, {}, "test");
  a_.facts.Add(facts::kPrivateKey, {{"type", "rsa"}}, {}, "test");
  CheckDoc doc{"t.hardening", "Hardening", {}, {}, {facts::kBinary}};
  doc.informs = {"5.4-1"};
  AddCheck(doc, [](CheckContext& ctx) { ctx.Report(Finding{}, "property:nx"); });
  AddCheck({"t.keys", "Keys", {"5.4-1"}, {}, {facts::kPrivateKey}});
  Decide();
  EXPECT_EQ(V("5.4-1").verdict, Verdict::kPass);
  EXPECT_EQ(V("5.4-1").rests_on, "tests");
  EXPECT_EQ(V("5.4-1").informing.size(), 1u);
  EXPECT_EQ(V("5.4-1").checks, std::vector<std::string>{"t.keys"});
}

TEST_F(VerdictEngine, AChecksInternalErrorIsAProblemAndLeavesItInconclusive) {
  class Broken final : public Check {
   public:
    const CheckDoc& doc() const override { return doc_; }
    Status Run(CheckContext&) const override { throw std::runtime_error("boom"); }

   private:
    CheckDoc doc_{"t.broken", "Broken", {"5.4-1"}, {InputKind::kFirmware}, {}};
  };
  checks_.push_back(std::make_unique<Broken>());
  Decide();
  EXPECT_EQ(V("5.4-1").verdict, Verdict::kInconclusive);
  EXPECT_NE(V("5.4-1").reason.find("check t.broken failed: internal error: boom"),
            std::string::npos);
  ASSERT_EQ(a_.problems.size(), 1u);
  EXPECT_EQ(a_.problems[0].stage, "check");
}

TEST_F(VerdictEngine, GuidelinesAggregateTheirProvisions) {
  Property("constrained", true);
  a_.facts.Add(facts::kPrivateKey, {{"type", "rsa"}}, {}, "test");
  AddCheck({"t.accounts", "Accounts", {"5.1-1"}, {}, {}}, [](CheckContext& ctx) {
    Finding f;
    f.title = "default password";
    ctx.Report(f, "root");
  });
  AddCheck({"t.keys", "Keys", {"5.4-1"}, {}, {facts::kPrivateKey}});
  Decide();
  ASSERT_EQ(a_.guidelines.size(), 3u);
  EXPECT_EQ(G("1").verdict, Verdict::kFail);
  EXPECT_EQ(G("1").fail, 1);
  EXPECT_EQ(G("1").not_applicable, 1);
  EXPECT_EQ(G("2").verdict, Verdict::kInconclusive);
  EXPECT_EQ(G("2").inconclusive, 1);
  EXPECT_EQ(G("4").verdict, Verdict::kPass);
  EXPECT_EQ(G("4").pass, 1);
  EXPECT_EQ(Combine({Verdict::kNotApplicable, Verdict::kNotApplicable}), Verdict::kNotApplicable);
  EXPECT_EQ(Combine({Verdict::kPass, Verdict::kNotApplicable}), Verdict::kPass);
  EXPECT_EQ(Combine({Verdict::kPass, Verdict::kInconclusive}), Verdict::kInconclusive);
  EXPECT_EQ(Combine({}), Verdict::kInconclusive);
}

TEST_F(VerdictEngine, ProjectsOntoPstiV3AndTheCodeOfPractice) {
  AddCheck({"t.accounts", "Accounts", {"5.1-1"}, {}, {}}, [](CheckContext& ctx) {
    Finding f;
    f.title = "default password";
    ctx.Report(f, "root");
  });
  Decide("psti");
  ASSERT_EQ(a_.verdicts.size(), 2u);  // the referenced standard is not a requirement
  EXPECT_EQ(V("1").verdict, Verdict::kFail);
  EXPECT_EQ(V("1").derived_from, std::vector<std::string>{"en303645-v2:5.1-1"});
  EXPECT_EQ(V("1").findings.size(), 1u);
  EXPECT_TRUE(V("1").mandatory);
  EXPECT_EQ(V("2").verdict, Verdict::kInconclusive);
  EXPECT_NE(V("2").reason.find("from EN 303 645 V2.1.1 5.2-1 INCONCLUSIVE"), std::string::npos);

  ASSERT_TRUE(DecideVerdicts(cat_, "en303645-v3", a_));
  ASSERT_EQ(a_.verdicts.size(), 2u);
  EXPECT_EQ(V("5.1-1").verdict, Verdict::kFail);
  EXPECT_EQ(V("5.1-6").verdict, Verdict::kInconclusive);
  EXPECT_NE(
      V("5.1-6").reason.find("not assessed; would be decided by: something V2.1.1 never asked"),
      std::string::npos);

  ASSERT_TRUE(DecideVerdicts(cat_, "cop2018", a_));
  ASSERT_EQ(a_.verdicts.size(), 3u);
  EXPECT_EQ(V("1").verdict, Verdict::kFail);
  EXPECT_EQ(V("1").derived_from,
            (std::vector<std::string>{"en303645-v2:5.1-1", "en303645-v2:5.1-5"}));
  EXPECT_FALSE(DecideVerdicts(cat_, "nonsense", a_));
}

// The same projections on the real catalogue.
TEST(VerdictEngineRealCatalogue, ProjectsEveryStandard) {
  const Catalogue& cat = test::RealCatalogue();
  EXPECT_TRUE(cat.DanglingLinks().empty());
  const std::map<std::string, std::size_t> want = {
      {"en303645-v2", 67}, {"psti", 3}, {"cop2018", 13}};
  for (const auto& [standard, n] : want) {
    Assessment a = test::SampleAssessment(cat, standard);
    EXPECT_EQ(a.verdicts.size(), n) << standard;
    EXPECT_EQ(a.guidelines.size(), 13u);
    for (const auto& v : a.verdicts) {
      EXPECT_EQ(v.standard, standard);
      EXPECT_FALSE(v.reason.empty()) << v.id;
      if (v.verdict == Verdict::kFail) {
        EXPECT_FALSE(v.findings.empty()) << standard << " " << v.id;
      }
    }
  }
  Assessment psti = test::SampleAssessment(cat, "psti");
  EXPECT_EQ(psti.verdicts[0].id, "1");
  EXPECT_EQ(psti.verdicts[0].verdict, Verdict::kFail);  // 5.1-1 fails in the sample
  Assessment v3 = test::SampleAssessment(cat, "en303645-v3");
  const Standard* s = cat.Find("en303645-v3");
  ASSERT_NE(s, nullptr);
  std::size_t provisions = 0;
  for (const auto& it : s->items) provisions += it.IsProvision() || !it.v2.empty() ? 1 : 0;
  EXPECT_EQ(v3.verdicts.size(), s->items.size());
  EXPECT_GT(provisions, 0u);
}

TEST_F(VerdictEngine, AClauseSeveralChecksShareIsSaidOnce) {
  AddCheck({"t.a", "A", {"5.2-1"}, {}, {}}, [](CheckContext& ctx) {
    ctx.Inconclusive("5.2-1", "t.a: nothing to judge; fw.bin: no file system could be extracted");
  });
  AddCheck({"t.b", "B", {"5.2-1"}, {}, {}}, [](CheckContext& ctx) {
    ctx.Inconclusive("5.2-1", "t.b: nothing to judge; fw.bin: no file system could be extracted");
  });
  Decide();
  EXPECT_EQ(V("5.2-1").verdict, Verdict::kInconclusive);
  EXPECT_EQ(V("5.2-1").reason.rfind("t.a: nothing to judge; fw.bin: no file system could be "
                                    "extracted; t.b: nothing to judge",
                                    0),
            0u)
      << V("5.2-1").reason;
}

}  // namespace
}  // namespace iotcop
