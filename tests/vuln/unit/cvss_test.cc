// CVSS v3 base scores from vectors, against scores published by NVD for the same vectors.
#include "vuln/cvss.h"

#include <gtest/gtest.h>

namespace iotcop {
namespace {

TEST(Cvss, V31ScoresMatchPublishedOnes) {
  struct Case {
    const char* vector;
    double score;
  };
  // Each vector with the base score NVD publishes for it (e.g. CVE-2021-44228 is the S:C
  // all-high one at 10.0, CVE-2014-0160's v3 rating is the confidentiality-only 7.5).
  const Case cases[] = {
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5},
      {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
      {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9},
      {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4},
      {"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0},
      {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
      // Temporal metrics are accepted and do not change the base score.
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C", 9.8},
  };
  for (const auto& c : cases) {
    auto s = vuln::CvssV3BaseScore(c.vector);
    ASSERT_TRUE(s.ok()) << c.vector << ": " << s.error().Describe();
    EXPECT_DOUBLE_EQ(*s, c.score) << c.vector;
  }
  EXPECT_EQ(vuln::CvssRating(9.8), "CRITICAL");
  EXPECT_EQ(vuln::CvssRating(7.0), "HIGH");
  EXPECT_EQ(vuln::CvssRating(6.9), "MEDIUM");
  EXPECT_EQ(vuln::CvssRating(0.1), "LOW");
  EXPECT_EQ(vuln::CvssRating(0.0), "NONE");
}

TEST(Cvss, MalformedVectorsAreErrorsNamingTheProblem) {
  EXPECT_FALSE(vuln::CvssV3BaseScore("AV:N/AC:L/Au:N/C:P/I:P/A:P").ok()) << "v2 has no prefix";
  auto missing = vuln::CvssV3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().Describe().find("A missing"), std::string::npos)
      << missing.error().Describe();
  auto twice = vuln::CvssV3BaseScore("CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().Describe().find("AV given twice"), std::string::npos);
  EXPECT_FALSE(vuln::CvssV3BaseScore("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").ok());
  EXPECT_FALSE(vuln::CvssV3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:Q/C:H/I:H/A:H").ok());
  EXPECT_FALSE(vuln::CvssV3BaseScore("CVSS:3.1/AV:N//AC:L").ok());
  EXPECT_FALSE(vuln::CvssV3BaseScore("CVSS:3.1/").ok());
}

}  // namespace
}  // namespace iotcop
