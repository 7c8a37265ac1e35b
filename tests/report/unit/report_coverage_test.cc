// The coverage record of a firmware input in the reports: JSON writes it and reads it back as it
// was; the text and HTML reports show the figure and the undecoded regions (escaped), and the
// warning only for an image that yielded no file system.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "report/json_read.h"
#include "report/renderer.h"
#include "support/report_fixture.h"

namespace iotcop {
namespace {
using nlohmann::json;

std::string RenderAs(const std::string& format, const Assessment& a) {
  const report::Renderer* r = report::FindRenderer(format);
  EXPECT_NE(r, nullptr) << format;
  if (!r) return "";
  std::ostringstream out;
  EXPECT_TRUE(r->Render(a, test::RealCatalogue(), out));
  return out.str();
}

TEST(ReportCoverage, JsonKeepsTheRecordAndReadsItBack) {
  const Catalogue& cat = test::RealCatalogue();
  const Assessment a = test::SampleAssessment(cat);
  const json doc = report::AssessmentJson(a, cat);
  const json& c = doc["inputs"][0]["coverage"];
  EXPECT_EQ(c["size"], 7340032);
  EXPECT_EQ(c["decoded"], 7340032 - 65536 - 131072);
  EXPECT_EQ(c["filesystems"], 2);
  EXPECT_EQ(c["files"], 311);
  EXPECT_EQ(c["extracted"], true);
  EXPECT_FALSE(c.contains("warning"));
  EXPECT_EQ(c["regions"][1]["input_offset"], 0x6e0000);
  EXPECT_EQ(c["regions"][1]["guess"], "encrypted-or-compressed");
  EXPECT_FALSE(doc["inputs"][1].contains("coverage"));  // the declaration has none
  const CheckList none;
  auto back = report::AssessmentFromJson(doc, "test", none);
  ASSERT_TRUE(back) << back.error().Describe();
  ASSERT_TRUE(back->inputs[0].coverage);
  EXPECT_FALSE(back->inputs[1].coverage);
  EXPECT_EQ(back->inputs[0].coverage->Summary(), a.inputs[0].coverage->Summary());
  EXPECT_EQ(back->inputs[0].coverage->regions[1].Describe(),
            a.inputs[0].coverage->regions[1].Describe());
  EXPECT_EQ(report::AssessmentJson(*back, cat)["inputs"], doc["inputs"]);
}

TEST(ReportCoverage, TextAndHtmlShowTheFigureAndTheWarningOnlyWithoutAFileSystem) {
  const Catalogue& cat = test::RealCatalogue();
  Assessment a = test::SampleAssessment(cat);
  std::string text = RenderAs("text", a);
  EXPECT_NE(text.find("coverage: 97.3% of 7.0 MiB decoded, 128.0 KiB undecoded, 64.0 KiB padding; "
                      "2 file systems, 311 files"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("undecoded: 128.0 KiB at 0x6e0000 with entropy 7.97, likely encrypted or "
                      "compressed with an unknown scheme <b>"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("undecoded: 64.0 KiB"), std::string::npos);  // padding is not listed
  EXPECT_EQ(text.find("WARNING"), std::string::npos);
  std::string html = RenderAs("html", a);
  EXPECT_NE(html.find("97.3% of 7.0 MiB decoded"), std::string::npos);
  EXPECT_NE(html.find("unknown scheme &lt;b&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<span class=\"coverage-warn\""), std::string::npos);

  // The same image, its file systems gone: the warning names the largest undecoded region.
  Coverage& c = *a.inputs[0].coverage;
  c.filesystems = c.files = 0;
  const std::string warning =
      "no file system could be extracted: 128.0 KiB at 0x6e0000 with entropy 7.97, likely "
      "encrypted or compressed with an unknown scheme <b>";
  EXPECT_EQ(c.Warning(), warning);
  text = RenderAs("text", a);
  EXPECT_NE(text.find("WARNING: " + warning), std::string::npos) << text;
  html = RenderAs("html", a);
  EXPECT_NE(html.find("<span class=\"coverage-warn\" role=\"alert\">no file system could be "
                      "extracted: 128.0 KiB at 0x6e0000"),
            std::string::npos);
  EXPECT_EQ(html.find("unknown scheme <b>"), std::string::npos);
  EXPECT_EQ(report::AssessmentJson(a, cat)["inputs"][0]["coverage"]["warning"], warning);
}

}  // namespace
}  // namespace iotcop
