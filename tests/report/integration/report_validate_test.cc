// The reports checked by real tools: SARIF by Microsoft's SARIF Multitool (tests/tools), JUnit XML
// by xmllint (well-formed, and valid against tests/tools/junit.xsd), and the HTML page rendered by
// headless Chromium (screenshot, DOM, and a network log that must show no request at all), as are
// the other HTML pages (PSTI statement, TS 103 701 report, diff, fleet summary); the report's
// script (report/assets/report.js) by node's parser.
// Set IOTCOP_TEST_KEEP=DIR to keep the rendered files and the screenshot for a look.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/renderer.h"
#include "support/report_fixture.h"
#include "support/test_support.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;

const fs::path kTools = fs::path(IOTCOP_SOURCE_DIR) / "tests" / "tools";

fs::path WriteReport(const test::TempDir& dir, const std::string& format, const Assessment& a) {
  const report::Renderer* r = report::FindRenderer(format);
  EXPECT_NE(r, nullptr);
  const fs::path p = dir / r->doc().extension;
  std::ofstream out(p, std::ios::binary);
  EXPECT_TRUE(r->Render(a, test::RealCatalogue(), out));
  return p;
}

void Keep(const fs::path& p) {
  if (const char* keep = std::getenv("IOTCOP_TEST_KEEP")) {
    fs::create_directories(keep);
    fs::copy_file(p, fs::path(keep) / p.filename(), fs::copy_options::overwrite_existing);
  }
}

using test::Q;

void ExpectValidSarif(const fs::path& sarif) {
  const auto r = test::RunShell("node " + Q(kTools / "validate-sarif.js") + " " + Q(sarif));
  EXPECT_EQ(r.exit_code, 0) << "SARIF Multitool on " << sarif << ":\n"
                            << r.out << r.err
                            << (r.exit_code == 2 ? "\n(run scripts/install-test-tools.sh)" : "");
  EXPECT_NE(r.out.find("valid"), std::string::npos) << r.out;
}

TEST(SarifValidation, SampleAssessmentPassesTheSarifMultitool) {
  if (!test::HaveTool("node"))
    GTEST_SKIP() << "node is not installed: cannot run the SARIF Multitool";
  test::TempDir dir;
  const fs::path sarif = WriteReport(dir, "sarif", test::SampleAssessment(test::RealCatalogue()));
  Keep(sarif);
  ExpectValidSarif(sarif);
}

TEST(SarifValidation, TheValidatorRejectsAnInvalidLog) {
  if (!test::HaveTool("node"))
    GTEST_SKIP() << "node is not installed: cannot run the SARIF Multitool";
  test::TempDir dir;
  test::WriteFile(dir / "bad.sarif",
                  R"({"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json",)"
                  R"("runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"a",)"
                  R"("message":{"text":"m."},"bogus":1}]}]})");
  const auto r =
      test::RunShell("node " + Q(kTools / "validate-sarif.js") + " " + Q(dir / "bad.sarif"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("JSON1005"), std::string::npos) << r.out;  // the unknown property
}

TEST(SarifValidation, EmptyAndFailedAssessmentsPassToo) {
  if (!test::HaveTool("node"))
    GTEST_SKIP() << "node is not installed: cannot run the SARIF Multitool";
  test::TempDir dir;
  // What `assess` writes when the only input could not be read (exit 3), end to end.
  const auto r = test::RunIotcop("assess --firmware " + Q(dir / "missing.bin") +
                                 " -q --format sarif -o " + Q(dir / "out"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  ASSERT_TRUE(fs::exists(dir / "out" / "report.sarif"));
  const auto j = nlohmann::json::parse(test::ReadFile(dir / "out" / "report.sarif"));
  EXPECT_EQ(j["runs"][0]["invocations"][0]["executionSuccessful"], false);
  ExpectValidSarif(dir / "out" / "report.sarif");
}

TEST(JunitValidation, IsWellFormedAndMatchesTheJunitSchema) {
  if (!test::HaveTool("xmllint")) GTEST_SKIP() << "xmllint is not installed (Debian libxml2-utils)";
  test::TempDir dir;
  for (const char* standard : {"en303645-v2", "psti", "cop2018", "en303645-v3"}) {
    const fs::path xml =
        WriteReport(dir, "junit", test::SampleAssessment(test::RealCatalogue(), standard));
    if (std::string(standard) == "en303645-v2") Keep(xml);
    auto r = test::RunShell("xmllint --noout " + Q(xml));
    EXPECT_EQ(r.exit_code, 0) << standard << ": " << r.err;
    r = test::RunShell("xmllint --noout --schema " + Q(kTools / "junit.xsd") + " " + Q(xml));
    EXPECT_EQ(r.exit_code, 0) << standard << ": " << r.err;
    // Structure through XPath, as a CI server reads it.
    r = test::RunShell("xmllint --xpath 'count(//testsuite/testcase)' " + Q(xml));
    EXPECT_GT(std::atoi(r.out.c_str()), 0) << standard << r.err;
    r = test::RunShell("xmllint --xpath 'count(//testcase[not(failure) and not(skipped)])' " +
                       Q(xml));
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  const fs::path xml = WriteReport(dir, "junit", test::SampleAssessment(test::RealCatalogue()));
  auto r = test::RunShell("xmllint --xpath 'count(//testsuite/testcase)' " + Q(xml));
  EXPECT_EQ(r.out, "67\n");
  r = test::RunShell(
      "xmllint --xpath 'string(//testcase[starts-with(@name,\"5.1-1 \")]/failure/@type)' " +
      Q(xml));
  EXPECT_EQ(r.out, "FAIL\n");
  r = test::RunShell(
      "xmllint --xpath 'string(//testcase[starts-with(@name,\"5.4-1 \")]/skipped/@message)' " +
      Q(xml));
  EXPECT_NE(r.out.find("INCONCLUSIVE: "), std::string::npos) << r.out;
  r = test::RunShell("xmllint --xpath 'string(//testcase[contains(@name,\"5.6-1 \")]/failure)' " +
                     Q(xml));
  EXPECT_NE(r.out.find("/www/cgi-bin/<script>alert('name')</script>.sh:3"), std::string::npos)
      << r.out;
}

// Headless Debian chromium with everything that could reach the network switched off; the host
// resolver fails every name, so nothing leaves the machine even if something tried.
std::string Chromium(const fs::path& profile) {
  return "chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
         "--disable-background-networking --disable-component-update --disable-sync "
         "--disable-default-apps --disable-extensions --hide-scrollbars "
         "--host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir=" +
         Q(profile) + " ";
}

// The URLs a page loaded from file:// asked for, from chromium's network log: requests whose
// network isolation key is the file:// page (the browser's own background requests have none).
std::vector<std::string> PageRequests(const fs::path& netlog) {
  std::vector<std::string> urls;
  const auto log = nlohmann::json::parse(test::ReadFile(netlog));
  const int start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"];
  for (const auto& e : log["events"]) {
    if (e.value("type", -1) != start_job || !e.contains("params")) continue;
    const auto& p = e["params"];
    const std::string url = p.value("url", "");
    if (p.value("network_isolation_key", "").find("file://") == std::string::npos) continue;
    if (!url.starts_with("file:")) urls.push_back(url);
  }
  return urls;
}

// Screenshot and network log of `url`.
test::CommandResult Shoot(const fs::path& dir, const std::string& name, const std::string& url) {
  return test::RunShell(Chromium(dir / ("profile-" + name)) +
                        "--window-size=1280,2000 --screenshot=" + Q(dir / (name + ".png")) +
                        " --log-net-log=" + Q(dir / (name + ".netlog.json")) + " " + Q(url));
}

TEST(HtmlInBrowser, TheNetworkLogCatchesAPageThatLoadsSomething) {
  if (!test::HaveTool("chromium")) GTEST_SKIP() << "chromium is not installed (Debian chromium)";
  test::TempDir dir;
  test::WriteFile(
      dir / "bad.html",
      "<!DOCTYPE html><html><head><link rel=\"stylesheet\" href=\"https://cdn.invalid/x.css\">"
      "</head><body><img src=\"http://img.invalid/x.png\"><p>x</p></body></html>");
  const auto r = Shoot(dir.path(), "bad", "file://" + (dir / "bad.html").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto urls = PageRequests(dir / "bad.netlog.json");
  EXPECT_EQ(urls,
            (std::vector<std::string>{"https://cdn.invalid/x.css", "http://img.invalid/x.png"}));
}

TEST(HtmlInBrowser, RendersInHeadlessChromiumWithoutAnyRequest) {
  if (!test::HaveTool("chromium")) GTEST_SKIP() << "chromium is not installed (Debian chromium)";
  test::TempDir dir;
  const Assessment a = test::SampleAssessment(test::RealCatalogue());
  const fs::path html = WriteReport(dir, "html", a);
  Keep(html);
  const std::string url = "file://" + fs::canonical(html).string();

  auto r = Shoot(dir.path(), "report", url);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path png = dir / "report.png";
  ASSERT_TRUE(fs::exists(png)) << r.err;
  Keep(png);
  const std::string image = test::ReadFile(png);
  ASSERT_GT(image.size(), 8u);
  EXPECT_EQ(image.substr(0, 8), "\x89PNG\r\n\x1a\n");
  // A blank page of this size compresses to about 10 KiB; the rendered report is far larger.
  EXPECT_GT(image.size(), 60000u) << "the screenshot looks empty";
  // The page asked for nothing but itself.
  EXPECT_EQ(PageRequests(dir / "report.netlog.json"), std::vector<std::string>{});

  r = test::RunShell(Chromium(dir / "profile-dom") + "--dump-dom " + Q(url));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string& dom = r.out;
  // The guideline grid and every provision row made it into the rendered document.
  std::size_t cards = 0, rows = 0;
  for (auto at = dom.find("data-guideline="); at != std::string::npos;
       at = dom.find("data-guideline=", at + 1))
    ++cards;
  for (auto at = dom.find("data-verdict="); at != std::string::npos;
       at = dom.find("data-verdict=", at + 1))
    ++rows;
  EXPECT_EQ(cards, 13u);
  EXPECT_EQ(rows, a.verdicts.size());
  EXPECT_NE(dom.find("id=\"item-en303645-v2-5.1-1\""), std::string::npos);
  // The inline script ran (CSP allowed it by hash): it un-hides the verdict filter.
  EXPECT_NE(dom.find("<fieldset id=\"verdict-filter\"><legend>"), std::string::npos);
  // Hostile text stayed text in the live DOM.
  EXPECT_EQ(dom.find("<img"), std::string::npos);
  EXPECT_NE(dom.find("&lt;script&gt;alert('name')&lt;/script&gt;"), std::string::npos);
}

TEST(HtmlInBrowser, EveryOtherPageRendersWithoutAnyRequest) {
  if (!test::HaveTool("chromium")) GTEST_SKIP() << "chromium is not installed (Debian chromium)";
  test::TempDir dir;
  for (const auto& page : test::SampleHtmlPages(test::RealCatalogue())) {
    if (page.kind == "report") continue;  // RendersInHeadlessChromiumWithoutAnyRequest
    SCOPED_TRACE(page.kind);
    const fs::path html = dir / (page.kind + ".html");
    test::WriteFile(html, page.html);
    Keep(html);
    const std::string url = "file://" + fs::canonical(html).string();
    auto r = Shoot(dir.path(), page.kind, url);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const fs::path png = dir / (page.kind + ".png");
    ASSERT_TRUE(fs::exists(png)) << r.err;
    Keep(png);
    // A blank page compresses to about 10 KiB; each of these has text, tables (and a chart).
    EXPECT_GT(fs::file_size(png), 20000u) << "the screenshot looks empty";
    EXPECT_EQ(PageRequests(dir / (page.kind + ".netlog.json")), std::vector<std::string>{});
    r = test::RunShell(Chromium(dir / ("profile-dom-" + page.kind)) + "--dump-dom " + Q(url));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("<table>"), std::string::npos);
    EXPECT_EQ(r.out.find("<img"), std::string::npos);
    EXPECT_EQ(r.out.find("<script"), std::string::npos);
    EXPECT_EQ(r.out.find("<b onmouseover"), std::string::npos);
  }
}

TEST(ReportAssets, TheReportScriptParsesAsJavaScript) {
  if (!test::HaveTool("node")) GTEST_SKIP() << "node is not installed";
  const auto r = test::RunShell("node --check " +
                                Q(fs::path(IOTCOP_SOURCE_DIR) / "src/report/assets/report.js"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace iotcop
