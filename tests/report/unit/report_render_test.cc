// The renderers on an assessment built in the test (support/report_fixture.h): what each format
// must contain, that hostile text comes out escaped, and that invalid UTF-8 never breaks a format.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "report/renderer.h"
#include "report/util.h"
#include "support/report_fixture.h"

namespace iotcop {
namespace {

std::string Render(const std::string& format, const Assessment& a) {
  const report::Renderer* r = report::FindRenderer(format);
  EXPECT_NE(r, nullptr) << format;
  if (!r) return "";
  std::ostringstream out;
  EXPECT_TRUE(r->Render(a, test::RealCatalogue(), out));
  return out.str();
}

std::size_t Count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

const Assessment& Sample() {
  static const Assessment a = test::SampleAssessment(test::RealCatalogue());
  return a;
}

const ItemVerdict& VerdictOf(const Assessment& a, const std::string& id) {
  for (const auto& v : a.verdicts)
    if (v.id == id) return v;
  ADD_FAILURE() << "no verdict for " << id;
  static ItemVerdict none;
  return none;
}

TEST(ReportUtil, XmlEscapeHandlesMarkupControlsAndInvalidUtf8) {
  EXPECT_EQ(report::XmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(report::XmlEscape("a\x01"
                              "b\tc\n"),
            "a\xEF\xBF\xBD"
            "b\tc\n");
  EXPECT_EQ(report::XmlEscape("\xff\xc3("), "\xEF\xBF\xBD\xEF\xBF\xBD(");
  EXPECT_EQ(report::XmlEscape("caf\xC3\xA9 \xE2\x9C\x93"), "caf\xC3\xA9 \xE2\x9C\x93");
  EXPECT_EQ(report::XmlEscape("\xED\xA0\x80"),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");                     // surrogate
  EXPECT_EQ(report::XmlEscape("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(report::ValidUtf8("ok\xF4\x90\x80\x80"),
            "ok\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(ReportUtil, OrdersSeveritiesAndGroupsVerdictsByGuideline) {
  const Assessment& a = Sample();
  const auto order = report::FindingsBySeverity(a);
  ASSERT_EQ(order.size(), a.findings.size());
  for (std::size_t i = 1; i < order.size(); ++i) {
    EXPECT_GE(a.findings[order[i - 1]].severity, a.findings[order[i]].severity);
  }
  const auto groups = report::VerdictsByGuideline(a);
  std::size_t items = 0;
  for (const auto& g : groups) items += g.verdicts.size();
  EXPECT_EQ(items, a.verdicts.size());
  ASSERT_FALSE(groups.empty());
  EXPECT_EQ(groups.front().id, "1");
}

TEST(SampleAssessment, CoversEveryVerdictAndSeverity) {
  const Assessment& a = Sample();
  ASSERT_EQ(a.verdicts.size(), 67u);
  EXPECT_EQ(VerdictOf(a, "5.1-1").verdict, Verdict::kFail);
  EXPECT_EQ(VerdictOf(a, "5.6-2").verdict, Verdict::kPass);
  EXPECT_EQ(VerdictOf(a, "5.4-1").verdict, Verdict::kInconclusive);
  EXPECT_EQ(VerdictOf(a, "5.1-5").verdict, Verdict::kNotApplicable);
  EXPECT_EQ(VerdictOf(a, "5.10-1").verdict, Verdict::kNotApplicable);
  const ItemVerdict& disclosure = VerdictOf(a, "5.2-1");
  EXPECT_EQ(disclosure.verdict, Verdict::kPass);
  ASSERT_TRUE(disclosure.functional && disclosure.conceptual);
  EXPECT_EQ(*disclosure.functional, Verdict::kInconclusive);
  EXPECT_EQ(*disclosure.conceptual, Verdict::kPass);
  const auto sev = report::CountBySeverity(a);
  for (Severity s : report::kSeveritiesDescending)
    EXPECT_GT(sev[static_cast<int>(s)], 0) << SeverityName(s);
}

TEST(HtmlReport, EscapesHostileFileNamesExcerptsAndTitles) {
  const std::string html = Render("html", Sample());
  // Exactly one script element: ours. Nothing from the product became markup.
  EXPECT_EQ(Count(html, "<script"), 1u);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b onmouseover"), std::string::npos);
  EXPECT_EQ(html.find("</pre><script>"), std::string::npos);
  EXPECT_NE(html.find("/www/cgi-bin/&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;.sh"),
            std::string::npos);
  EXPECT_NE(html.find("&lt;/pre&gt;&lt;script&gt;alert(&quot;excerpt&quot;)&lt;/script&gt;"
                      "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;"),
            std::string::npos);
  EXPECT_NE(html.find("Backdoor &lt;b onmouseover=alert(2)&gt;telnetd&lt;/b&gt; &amp; co"),
            std::string::npos);
  EXPECT_NE(html.find("Acme &lt;Cam&gt; 2000 &quot;Pro&quot;"), std::string::npos);
  // Invalid UTF-8 and control characters from the excerpt were replaced.
  EXPECT_EQ(report::ValidUtf8(html), html);
  EXPECT_EQ(html.find('\x01'), std::string::npos);
}

TEST(HtmlReport, IsSelfContained) {
  const std::string html = Render("html", Sample());
  EXPECT_NE(html.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"),
            std::string::npos);
  // No tag loads anything or names a URL: only text content (escaped evidence) may mention one.
  const std::regex tag("<[^>]*>");
  int tags = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), tag); it != std::sregex_iterator();
       ++it) {
    ++tags;
    std::string t = it->str();
    for (auto at = t.find("http-equiv"); at != std::string::npos; at = t.find("http-equiv"))
      t.erase(at, 10);
    EXPECT_EQ(t.find("http"), std::string::npos) << t;
    EXPECT_EQ(t.find("//"), std::string::npos) << t;
    EXPECT_EQ(t.find(" src="), std::string::npos) << t;
    EXPECT_EQ(t.find(" srcset="), std::string::npos) << t;
    for (const char* banned :
         {"<link", "<iframe", "<object", "<embed", "<base", "<img", "<audio", "<video", "<form"}) {
      EXPECT_FALSE(t.starts_with(banned)) << t;
    }
  }
  EXPECT_GT(tags, 500);
  const std::string css =
      html.substr(html.find("<style>"), html.find("</style>") - html.find("<style>"));
  for (const char* banned : {"url(", "@import", "@font-face"})
    EXPECT_EQ(css.find(banned), std::string::npos) << banned;
  // The one URL in the text is the escaped excerpt of the update finding.
  EXPECT_NE(html.find("http://update.example.com/camera/fw.bin"), std::string::npos);
}

TEST(HtmlReport, HasEverySection) {
  const Assessment& a = Sample();
  const std::string html = Render("html", a);
  // Header: product, standard, inputs with hash, tool version, times.
  EXPECT_NE(html.find(a.inputs[0].sha256), std::string::npos);
  EXPECT_NE(html.find("iotcop 0.1.0-test"), std::string::npos);
  EXPECT_NE(html.find("2026-11-22T01:00:00Z"), std::string::npos);
  EXPECT_NE(html.find("2026-11-22T01:00:07Z"), std::string::npos);
  EXPECT_NE(html.find("ETSI EN 303 645 V2.1.1 (2020-06)"), std::string::npos);
  // Guideline grid: 13 cards, each with a text label beside the colour.
  EXPECT_EQ(Count(html, "<li class=\"card v-"), 13u);
  EXPECT_EQ(Count(html, "data-guideline="), 13u);
  // Severity chart as inline SVG with an accessible name listing every count.
  EXPECT_NE(html.find("<svg role=\"img\""), std::string::npos);
  EXPECT_NE(html.find("Findings by severity: critical 1, high 1, medium 1, low 1, info 1."),
            std::string::npos);
  // One table row per verdict, grouped by guideline, with status, conditions and reason.
  EXPECT_EQ(Count(html, "data-verdict=\""), a.verdicts.size());
  EXPECT_NE(html.find("scope=\"rowgroup\">Guideline 1: "), std::string::npos);
  EXPECT_NE(html.find("M C (1)"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"cond\">(1) passwords are used</span>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"part\">functional: <span class=\"badge v-inconclusive\">"),
            std::string::npos);
  EXPECT_NE(html.find("<span class=\"part\">conceptual: <span class=\"badge v-pass\">"),
            std::string::npos);
  EXPECT_NE(html.find("does not hold"), std::string::npos);
  // Verdicts are words, not only colours.
  for (const char* label : {"\u2713 Pass</span>", "\u2717 Fail</span>", "? Inconclusive</span>",
                            "\u2013 Not applicable</span>"}) {
    EXPECT_NE(html.find(label), std::string::npos) << label;
  }
  // Findings with severity, provisions, evidence and remediation.
  EXPECT_EQ(Count(html, "<article class=\"finding"), a.findings.size());
  EXPECT_NE(html.find("squashfs-root!/usr/bin/fwupdate@0x1f40"), std::string::npos);
  EXPECT_NE(html.find("How to fix: Accounts with default or empty passwords."), std::string::npos);
  // The password stays redacted.
  EXPECT_NE(html.find("root has the default password …(5 chars, redacted)"), std::string::npos);
  EXPECT_EQ(html.find("password admin"), std::string::npos);
  // Problems and checks (ran and skipped).
  EXPECT_NE(html.find("node CRC mismatch; 2 files skipped &lt;trunc&gt;"), std::string::npos);
  EXPECT_NE(html.find("jffs2@0x40000 at offset 0x40400"), std::string::npos);
  EXPECT_NE(html.find("needs a network input"), std::string::npos);
  EXPECT_NE(html.find("Checks (9 ran, 1 skipped)"), std::string::npos);
  // Print: no dark backgrounds, a page break between sections, repeated table headers.
  const auto print = html.find("@media print");
  ASSERT_NE(print, std::string::npos);
  const std::string css = html.substr(print);
  EXPECT_NE(css.find(".masthead{background:#fff;color:#000"), std::string::npos);
  EXPECT_NE(css.find("break-before:page"), std::string::npos);
  EXPECT_NE(css.find("thead{display:table-header-group}"), std::string::npos);
}

TEST(HtmlReport, EveryInternalLinkHasItsTarget) {
  const std::string html = Render("html", Sample());
  std::set<std::string> ids;
  const std::regex id_re("\\sid=\"([^\"]+)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), id_re);
       it != std::sregex_iterator(); ++it) {
    EXPECT_TRUE(ids.insert((*it)[1]).second) << "duplicate id " << (*it)[1];
  }
  const std::regex href_re("href=\"#([^\"]+)\"");
  int links = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), href_re);
       it != std::sregex_iterator(); ++it) {
    ++links;
    EXPECT_TRUE(ids.count((*it)[1])) << "dangling link #" << (*it)[1];
  }
  EXPECT_GT(links, 20);
  // A failed provision links to its finding and to the finding's evidence.
  EXPECT_NE(html.find("href=\"#finding-1\""), std::string::npos);
  EXPECT_NE(html.find("href=\"#finding-1-evidence\""), std::string::npos);
}

TEST(HtmlReport, RendersOtherStandardsAndEmptyAssessments) {
  const Assessment psti = test::SampleAssessment(test::RealCatalogue(), "psti");
  const std::string html = Render("html", psti);
  EXPECT_EQ(Count(html, "data-verdict=\""), 3u);
  EXPECT_NE(html.find("from en303645-v2:5.1-1"), std::string::npos);
  Assessment empty;
  const std::string bare = Render("html", empty);
  EXPECT_NE(bare.find("No findings."), std::string::npos);
  EXPECT_NE(bare.find("</html>"), std::string::npos);
}

TEST(JunitReport, HasASuitePerGuidelineAndACasePerProvision) {
  const Assessment& a = Sample();
  const std::string xml = Render("junit", a);
  const auto n = report::CountByVerdict(a.verdicts);
  EXPECT_EQ(Count(xml, "<testsuite "), report::VerdictsByGuideline(a).size());
  EXPECT_EQ(Count(xml, "<testsuite name=\"Guideline "), 13u);
  EXPECT_EQ(Count(xml, "<testcase "), a.verdicts.size());
  EXPECT_EQ(Count(xml, "<failure "), static_cast<std::size_t>(n[static_cast<int>(Verdict::kFail)]));
  EXPECT_EQ(Count(xml, "<skipped message=\"INCONCLUSIVE: "),
            static_cast<std::size_t>(n[static_cast<int>(Verdict::kInconclusive)]));
  EXPECT_EQ(Count(xml, "<skipped message=\"NOT_APPLICABLE: "),
            static_cast<std::size_t>(n[static_cast<int>(Verdict::kNotApplicable)]));
  EXPECT_NE(xml.find(fmt::format(
                "<testsuites name=\"iotcop: Acme &lt;Cam&gt; 2000 &quot;Pro&quot; "
                "against ETSI EN 303 645 V2.1.1 (2020-06)\" tests=\"67\" failures=\"{}\"",
                n[static_cast<int>(Verdict::kFail)])),
            std::string::npos);
  // The failure lists its findings with evidence; hostile text is escaped.
  EXPECT_NE(xml.find("[critical] root has the default password"), std::string::npos);
  EXPECT_NE(xml.find("at camera-fw_v1.2.bin!squashfs-root!/etc/shadow:1"), std::string::npos);
  EXPECT_EQ(xml.find("<script"), std::string::npos);
  EXPECT_NE(xml.find("&lt;/pre&gt;&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(report::ValidUtf8(xml), xml);
  EXPECT_NE(
      xml.find(
          "<testcase name=\"5.1-1 Passwords unique per device or defined by the user [M C (1)]\""),
      std::string::npos);
}

TEST(SarifReport, MapsChecksToRulesAndFindingsToResults) {
  const Assessment& a = Sample();
  const auto j = nlohmann::json::parse(Render("sarif", a));
  EXPECT_EQ(j["version"], "2.1.0");
  ASSERT_EQ(j["runs"].size(), 1u);
  const auto& run = j["runs"][0];
  const auto& driver = run["tool"]["driver"];
  EXPECT_EQ(driver["name"], "iotcop");
  EXPECT_EQ(driver["version"], "0.1.0-test");
  EXPECT_TRUE(driver["informationUri"].get<std::string>().starts_with("https://"));
  ASSERT_EQ(driver["rules"].size(), a.checks.size());
  const auto& rule = driver["rules"][0];
  EXPECT_EQ(rule["id"], "test.accounts.default-password");
  EXPECT_EQ(rule["shortDescription"]["text"], "Accounts with default or empty passwords.");
  EXPECT_EQ(rule["fullDescription"]["text"],
            "Why Accounts with default or empty passwords matters, in a sentence.");
  EXPECT_EQ(rule["help"]["text"], "How to fix: Accounts with default or empty passwords.");
  EXPECT_EQ(rule["properties"]["provisions"], nlohmann::json({"5.1-1", "5.1-2"}));
  EXPECT_TRUE(rule["properties"]["tags"].is_array());

  ASSERT_EQ(run["results"].size(), a.findings.size());
  std::map<std::string, std::string> level_by_title;
  for (std::size_t i = 0; i < a.findings.size(); ++i) {
    const auto& r = run["results"][i];
    const Finding& f = a.findings[i];
    EXPECT_EQ(r["ruleId"], f.check_id);
    EXPECT_EQ(driver["rules"][r["ruleIndex"].get<std::size_t>()]["id"], f.check_id);
    EXPECT_EQ(r["partialFingerprints"]["iotcopFingerprint/v1"], f.fingerprint);
    EXPECT_EQ(r["properties"]["provisions"], nlohmann::json(f.provisions));
    level_by_title[SeverityName(f.severity)] = r["level"];
  }
  EXPECT_EQ(level_by_title["critical"], "error");
  EXPECT_EQ(level_by_title["high"], "error");
  EXPECT_EQ(level_by_title["medium"], "warning");
  EXPECT_EQ(level_by_title["low"], "note");
  EXPECT_EQ(level_by_title["info"], "note");

  // Locations: input + path, relative and URI-escaped, with line or byte offset.
  const std::string dump = run["results"].dump();
  EXPECT_NE(dump.find("\"uri\":\"camera-fw_v1.2.bin/squashfs-root/etc/shadow\""),
            std::string::npos);
  EXPECT_NE(
      dump.find("camera-fw_v1.2.bin/www/cgi-bin/%3Cscript%3Ealert%28%27name%27%29%3C/script%3E.sh"),
      std::string::npos);
  bool line = false, offset = false;
  for (const auto& r : run["results"]) {
    for (const auto& loc : r["locations"]) {
      if (!loc.contains("physicalLocation") || !loc["physicalLocation"].contains("region"))
        continue;
      const auto& region = loc["physicalLocation"]["region"];
      if (region.contains("startLine")) line = true;
      if (region.contains("byteOffset")) {
        offset = true;
        EXPECT_EQ(region["byteOffset"], 0x1f40);
      }
    }
  }
  EXPECT_TRUE(line && offset);
  // Live evidence is a logical location, not a file.
  EXPECT_NE(dump.find("{\"kind\":\"resource\",\"name\":\"192.0.2.10:23/tcp\"}"), std::string::npos);
  EXPECT_EQ(dump.find("\"uri\":\"192.0.2.10\""), std::string::npos);
  // Inputs are artifacts; problems are notifications; a failed/partial input is recorded.
  ASSERT_EQ(run["artifacts"].size(), 2u);
  EXPECT_EQ(run["artifacts"][0]["hashes"]["sha-256"], a.inputs[0].sha256);
  EXPECT_EQ(run["artifacts"][0]["length"], 7340032);
  const auto& inv = run["invocations"][0];
  EXPECT_EQ(inv["executionSuccessful"], true);
  EXPECT_EQ(inv["toolExecutionNotifications"].size(), a.problems.size());
  EXPECT_EQ(inv["startTimeUtc"], "2026-11-22T01:00:00Z");
}

TEST(JsonReport, SurvivesInvalidUtf8) {
  Assessment a = Sample();
  a.product = "bad \xff\xfe name";
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(Render("json", a)));
  EXPECT_EQ(j["product"], "bad \xEF\xBF\xBD\xEF\xBF\xBD name");
  EXPECT_EQ(j["checks"][0]["title"], "Accounts with default or empty passwords");
  ASSERT_NO_THROW(j = nlohmann::json::parse(Render("sarif", a)));
  EXPECT_TRUE(j.contains("runs"));
}

TEST(Renderers, AreRegisteredWithTheirFiles) {
  std::map<std::string, std::string> want = {{"json", "report.json"},
                                             {"text", "report.txt"},
                                             {"html", "report.html"},
                                             {"sarif", "report.sarif"},
                                             {"junit", "report.junit.xml"}};
  for (const auto& [name, file] : want) {
    const report::Renderer* r = report::FindRenderer(name);
    ASSERT_NE(r, nullptr) << name;
    EXPECT_EQ(r->doc().extension, file);
  }
  // Pure: the same assessment renders to the same bytes.
  for (const auto& r : report::BuiltinRenderers()) {
    if (r->doc().name == "text") continue;
    EXPECT_EQ(Render(r->doc().name, Sample()), Render(r->doc().name, Sample())) << r->doc().name;
  }
}

}  // namespace
}  // namespace iotcop
