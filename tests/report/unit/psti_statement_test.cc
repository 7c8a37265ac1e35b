#include <gtest/gtest.h>

#include <sstream>

#include "assess/pipeline.h"
#include "report/renderer.h"
#include "support/test_support.h"
#include "verdict/verdict_engine.h"

namespace iotcop {
namespace {

std::string Render(const std::string& format, const Assessment& a, const Catalogue& c) {
  std::ostringstream out;
  EXPECT_TRUE(report::FindRenderer(format)->Render(a, c, out));
  return out.str();
}

class PstiStatementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = Catalogue::Load(Catalogue::DefaultDir());
    ASSERT_TRUE(c) << c.error().Describe();
    catalogue_ = std::move(c).value();
  }
  Assessment Assess(const std::string& declaration) {
    test::WriteFile(dir_ / "decl.yaml", declaration);
    AssessOptions o;
    o.declaration = (dir_ / "decl.yaml").string();
    Progress p;
    return RunAssessment(o, catalogue_, p);
  }
  test::TempDir dir_;
  Catalogue catalogue_;
};

const char* kComplete =
    "schema: iotcop-declaration/1\n"
    "product:\n  name: Cam\n  model: C-1\n  type: IP camera\n  batch: B-7\n  firmware_version: "
    "2.1\n"
    "  manufacturer:\n    name: Maker Ltd\n    address: 1 Road, Town\n"
    "  signatory:\n    name: Pat Doe\n    function: Security lead\n  place_of_issue: Town, UK\n"
    "authentication:\n  password_scheme: chosen by the user at first set-up\n"
    "vulnerability_disclosure:\n  policy_url: https://maker.invalid/vdp\n  contact: "
    "security@maker.invalid\n"
    "support_period:\n  end_date: 2030-06-30\n  published_at: https://maker.invalid/support\n";

TEST_F(PstiStatementTest, HasEveryItemOfMinimumContent) {
  const Assessment a = Assess(kComplete);
  for (const char* format : {"psti-md", "psti-html"}) {
    const std::string s = Render(format, a, catalogue_);
    for (const char* needle : {"IP camera", "B-7", "Maker Ltd", "1 Road, Town",
                               "prepared by or on behalf of", "EN 303 645 V2.1.1", "2030-06-30",
                               "Signature", "Pat Doe", "Security lead", "Town, UK", "Date"}) {
      EXPECT_NE(s.find(needle), std::string::npos) << format << " lacks " << needle;
    }
    EXPECT_EQ(s.find("MISSING"), std::string::npos) << format;
    EXPECT_EQ(s.find("Do not sign"), std::string::npos) << format;
  }
}

TEST_F(PstiStatementTest, MarksMissingContentInsteadOfInventingIt) {
  const Assessment a = Assess("schema: iotcop-declaration/1\nproduct:\n  name: Cam\n");
  const std::string s = Render("psti-md", a, catalogue_);
  EXPECT_NE(s.find("[MISSING: batch"), std::string::npos);
  EXPECT_NE(s.find("[MISSING: support period end date"), std::string::npos);
  EXPECT_NE(s.find("[MISSING: manufacturer's name"), std::string::npos);
}

TEST_F(PstiStatementTest, WarnsWhenTheEvidenceContradictsARequirement) {
  const Assessment a = Assess(
      "schema: iotcop-declaration/1\nauthentication:\n  password_scheme: the same default password "
      "on every unit\n");
  const std::string s = Render("psti-md", a, catalogue_);
  EXPECT_NE(s.find("| 1 | Passwords | FAIL"), std::string::npos) << s;
  EXPECT_NE(s.find("Do not sign"), std::string::npos);
}

TEST_F(PstiStatementTest, Ts103701HasATestGroupPerProvisionWithBothKindsOfCase) {
  const Assessment a = Assess(kComplete);
  const std::string s = Render("ts103701", a, catalogue_);
  std::size_t groups = 0;
  for (std::size_t at = s.find("## Test group"); at != std::string::npos;
       at = s.find("## Test group", at + 1))
    ++groups;
  EXPECT_EQ(groups, 67u);
  EXPECT_NE(s.find("| conceptual | decl.authentication | PASS |"), std::string::npos);
  const std::string html = Render("ts103701-html", a, catalogue_);
  EXPECT_NE(html.find("<h2>Test group 5.1-1"), std::string::npos);
}

}  // namespace
}  // namespace iotcop
