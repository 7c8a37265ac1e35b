#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "assess/builtin_checks.h"
#include "core/check.h"
#include "core/fact_kinds.h"
#include "declaration/declaration.h"
#include "declaration/schema.h"
#include "declaration/template.h"
#include "verdict/applicability.h"
#include "verdict/check_runner.h"

namespace iotcop::declaration {
namespace {

bool HasProblem(const Declaration& d, const std::string& needle) {
  for (const auto& p : d.problems)
    if (p.message.find(needle) != std::string::npos) return true;
  return false;
}

// Runs the declaration checks over `text` and returns provision -> conceptual outcome.
std::map<std::string, Outcome> Conceptual(const std::string& text, Assessment& a) {
  auto d = Parse(text, "decl.yaml");
  EXPECT_TRUE(d);
  a.inputs.push_back({InputKind::kDeclaration, "decl.yaml"});
  AddFacts(*d, a.facts);
  RunChecks(BuiltinChecks(), CheckConfig{}, a);
  std::map<std::string, Outcome> out;
  for (const auto& o : a.outcomes)
    if (o.check_id.rfind("decl.", 0) == 0) out[o.provision] = o;
  return out;
}

std::map<std::string, std::string> AllExamples() {
  std::map<std::string, std::string> answers;
  for (const auto& f : Fields())
    if (f.path != "schema") answers[std::string(f.path)] = std::string(f.example);
  return answers;
}

TEST(DeclarationParse, ReadsClaimsWithTheirLines) {
  auto d = Parse(
      "schema: iotcop-declaration/1\nconstrained: false\nauthentication:\n  password_scheme: "
      "unique per device, random\n",
      "d.yaml");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->problems.empty());
  const Claim* c = d->Get("authentication.password_scheme");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->line, 4u);
  EXPECT_EQ(c->value, "unique per device, random");
  EXPECT_EQ(d->Get("constrained")->value, false);
}

TEST(DeclarationParse, ReportsUnknownKeysAndWrongTypesWithLineAndField) {
  auto d = Parse(
      "schema: iotcop-declaration/1\nconstrained: maybe\nupdates:\n  automatik: true\n  "
      "check_interval_hours: often\n"
      "vulnerability_disclosure: https://x.invalid\nservices:\n  - port: 22\n",
      "d.yaml");
  ASSERT_TRUE(d);
  EXPECT_TRUE(HasProblem(*d, "line 2: constrained: expected true or false"));
  EXPECT_TRUE(HasProblem(*d, "line 4: updates.automatik: unknown field"));
  EXPECT_TRUE(HasProblem(*d, "line 5: updates.check_interval_hours: expected a whole number"));
  EXPECT_TRUE(HasProblem(*d, "line 6: vulnerability_disclosure: is a section"));
  EXPECT_TRUE(HasProblem(*d, "services: each service needs at least a name"));
}

TEST(DeclarationParse, RefusesWhatIsNotYamlAndNamesTheLine) {
  auto bad = Parse("a: [1, 2\nb: c\n", "d.yaml");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().Describe().find("d.yaml"), std::string::npos);
  EXPECT_NE(bad.error().what.find("line"), std::string::npos);
  EXPECT_FALSE(Parse("- a\n- b\n", "d.yaml"));
  auto empty = Parse("", "d.yaml");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(HasProblem(*empty, "empty"));
}

TEST(DeclarationTemplate, TheTemplateParsesCleanAndClaimsNothing) {
  auto d = Parse(Template(), "t.yaml");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->problems.empty()) << d->problems.front().message;
  EXPECT_EQ(d->claims.size(), 1u);  // only schema
}

TEST(DeclarationTemplate, EveryFieldAnsweredParsesToEveryClaim) {
  auto d = Parse(Filled(AllExamples()), "t.yaml");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->problems.empty()) << d->problems.front().message;
  EXPECT_EQ(d->claims.size(), Fields().size());
}

// Every IXIT topic both ways: complete (every provision it answers gets a conceptual PASS) and
// missing (every one INCONCLUSIVE, saying what is not declared).
TEST(DeclarationChecks, EveryTopicCompleteAndMissing) {
  Assessment complete, missing;
  const auto full = Conceptual(Filled(AllExamples()), complete);
  const auto none = Conceptual("schema: iotcop-declaration/1\n", missing);
  std::set<std::string> provisions;
  for (const auto& f : Fields())
    for (auto p : f.provisions) provisions.emplace(p);
  ASSERT_GT(provisions.size(), 50u);
  for (const auto& p : provisions) {
    ASSERT_TRUE(full.count(p)) << p;
    EXPECT_EQ(full.at(p).verdict, Verdict::kPass) << p << ": " << full.at(p).reason;
    ASSERT_TRUE(none.count(p)) << p;
    EXPECT_EQ(none.at(p).verdict, Verdict::kInconclusive) << p;
    EXPECT_NE(none.at(p).reason.find("does not say"), std::string::npos) << p;
  }
  EXPECT_TRUE(complete.findings.empty());
}

// Each conceptual check (one per IXIT topic of schema/declaration.yaml), named by its id: given
// only its own topic's answers it says PASS for every provision it decides, and no other
// conceptual check passes anything on them.
TEST(DeclarationChecks, EachTopicCheckPassesOnItsOwnAnswersAlone) {
  const std::vector<std::string> ids = {
      "decl.product",          "decl.authentication", "decl.vulnerability-disclosure",
      "decl.support-period",   "decl.updates",        "decl.secure-storage",
      "decl.communication",    "decl.services",       "decl.debug-interfaces",
      "decl.secure-boot",      "decl.personal-data",  "decl.resilience",
      "decl.telemetry",        "decl.deletion",       "decl.setup",
      "decl.input-validation", "decl.development"};
  std::set<std::string> registered;
  for (const auto& c : BuiltinChecks())
    if (c->doc().id.rfind("decl.", 0) == 0) registered.insert(c->doc().id);
  EXPECT_EQ(registered, std::set<std::string>(ids.begin(), ids.end()));
  for (const auto& id : ids) {
    std::string topic = id.substr(5);
    std::replace(topic.begin(), topic.end(), '-', '_');
    std::map<std::string, std::string> answers;
    for (const auto& f : Fields())
      if (f.topic == topic) answers[f.path] = f.example;
    ASSERT_FALSE(answers.empty()) << id << ": no field of topic " << topic;
    Assessment a;
    Conceptual(Filled(answers), a);
    int decided = 0;
    for (const auto& o : a.outcomes) {
      if (o.check_id == id) {
        ++decided;
        EXPECT_EQ(o.verdict, Verdict::kPass) << id << " " << o.provision << ": " << o.reason;
      } else if (o.check_id.rfind("decl.", 0) == 0) {
        EXPECT_NE(o.verdict, Verdict::kPass) << o.check_id << " passed on " << id << "'s answers";
      }
    }
    EXPECT_GT(decided, 0) << id << " decided nothing";
    EXPECT_TRUE(a.findings.empty()) << id;
  }
}

TEST(DeclarationChecks, DeclaredShortcomingsFailWithTheirLine) {
  Assessment a;
  const auto out = Conceptual(
      "schema: iotcop-declaration/1\n"
      "authentication:\n  password_scheme: the same default password admin on every unit\n"
      "secure_boot: false\n"
      "support_period:\n  end_date: 2020-01-01\n"
      "vulnerability_disclosure:\n  policy_url: http://example.invalid/security\n"
      "secure_storage:\n  hard_coded_credentials: a service account in the web server\n",
      a);
  for (const char* p : {"5.1-1", "5.7-1", "5.3-13", "5.2-1", "5.4-3"}) {
    ASSERT_TRUE(out.count(p)) << p;
    EXPECT_EQ(out.at(p).verdict, Verdict::kFail) << p;
  }
  bool line_three = false;
  for (const auto& f : a.findings) {
    EXPECT_EQ(f.evidence.front().source, InputKind::kDeclaration);
    if (f.evidence.front().line == 3u) line_three = true;
  }
  EXPECT_TRUE(line_three);
}

TEST(DeclarationChecks, VagueEntriesStayInconclusive) {
  Assessment a;
  const auto out = Conceptual("schema: iotcop-declaration/1\ninput_validation: yes\n", a);
  EXPECT_EQ(out.at("5.13-1").verdict, Verdict::kInconclusive);
  EXPECT_NE(out.at("5.13-1").reason.find("not specific"), std::string::npos);
}

TEST(DeclarationFacts, SetsApplicabilityProperties) {
  auto d = Parse(
      "schema: iotcop-declaration/1\nconstrained: true\ntelemetry:\n  collected: false\n"
      "debug_interfaces: none\npersonal_data:\n  legal_basis: contract\n",
      "d.yaml");
  ASSERT_TRUE(d);
  FactStore facts;
  AddFacts(*d, facts);
  EXPECT_TRUE(ResolveProperty(facts, "constrained")->value);
  EXPECT_FALSE(ResolveProperty(facts, "telemetry_collected")->value);
  EXPECT_FALSE(ResolveProperty(facts, "debug_interface_physical")->value);
  EXPECT_FALSE(ResolveProperty(facts, "consent_basis")->value);
  EXPECT_EQ(facts.OfKind(facts::kClaim).size(), 5u);
}

}  // namespace
}  // namespace iotcop::declaration
