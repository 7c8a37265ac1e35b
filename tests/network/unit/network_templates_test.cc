// Probe templates (network/templates.h): the built-in ones load against the catalogue, every kind
// of invalid template is a problem naming file:line and field while the others still load, the
// matchers (status, body, header, negative, all/any, extract) and the redaction of secrets, and
// the net.templates check deciding and informing what each template says.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "core/catalogue.h"
#include "core/fact_kinds.h"
#include "network/templates.h"
#include "support/firmware_support.h"
#include "support/test_support.h"

namespace iotcop {
namespace {

using network::ParseTemplates;
using network::TemplateSet;

std::set<std::string> TplProvisions() {
  auto c = Catalogue::Load(Catalogue::DefaultDir());
  EXPECT_TRUE(c) << c.error().Describe();
  std::set<std::string> out;
  if (!c) return out;
  for (const auto& item : c->Find(kDefaultStandard)->items)
    if (item.IsProvision()) out.insert(item.id);
  return out;
}

// A valid template, with `extra` lines added at its end (two-space indented keys of the item).
std::string TplValid(const std::string& id, const std::string& extra = "") {
  return fmt::format(R"(  - id: {}
    name: Backup without authentication
    description: the configuration is served to anyone
    decides: [5.5-5]
    severity: high
    services: [http]
    request:
      protocol: http
      paths: [/backup.cfg]
    matchers:
      - status: [200]
      - body: 'http_passwd='
{})",
                     id, extra);
}

TemplateSet TplParse(const std::string& yaml) {
  TemplateSet set;
  ParseTemplates(yaml, "lab.yaml", TplProvisions(), set);
  return set;
}

TEST(NetworkTemplates, BuiltinTemplatesLoadAgainstTheCatalogue) {
  TemplateSet set;
  network::LoadTemplates(std::filesystem::path(IOTCOP_SOURCE_DIR) / "rules" / "templates",
                         TplProvisions(), set);
  for (const auto& p : set.problems) ADD_FAILURE() << p.Describe();
  EXPECT_GE(set.templates.size(), 10u);
  for (const char* id :
       {"web.config-backup", "upnp.igd-add-port-mapping", "onvif.get-users",
        "onvif.get-device-information", "rtsp.describe-open", "mqtt.subscribe-all-anonymous",
        "banner.telnet-version", "banner.ssh-version", "web.admin-page", "web.json-config"}) {
    EXPECT_TRUE(std::any_of(set.templates.begin(), set.templates.end(),
                            [&](const network::Template& t) { return t.id == id; }))
        << id;
  }
}

TEST(NetworkTemplates, EachErrorNamesFileLineAndFieldAndTheOthersStillLoad) {
  struct Case {
    std::string extra;  // appended to the second template
    int line;           // of the problem, in the file
    std::string field, message;
  };
  // The second template starts on line 14 (after "templates:" and the first one's 12 lines).
  const std::vector<Case> cases = {
      {"    colour: red\n", 26, "colour", "unknown key"},
      {"    extract: '(unclosed'\n", 26, "extract", "bad regex"},
      {"    informs: [9.9-9]\n", 26, "informs", "unknown provision '9.9-9'"},
      {"    condition: most\n", 26, "condition", "expected all or any"},
      {"    cleanup: {protocol: http}\n", 26, "cleanup.protocol", "not allowed in cleanup"},
  };
  for (const auto& c : cases) {
    const std::string yaml = "templates:\n" + TplValid("first") + TplValid("second", c.extra);
    auto set = TplParse(yaml);
    ASSERT_EQ(set.templates.size(), 1u) << c.extra;
    EXPECT_EQ(set.templates[0].id, "first");
    ASSERT_EQ(set.problems.size(), 1u) << c.extra;
    const auto& p = set.problems[0];
    EXPECT_EQ(p.line, c.line) << p.Describe();
    EXPECT_EQ(p.field, c.field) << p.Describe();
    EXPECT_NE(p.message.find(c.message), std::string::npos) << p.Describe();
    EXPECT_EQ(p.Describe().rfind(fmt::format("lab.yaml:{}: {}: ", c.line, c.field), 0), 0u)
        << p.Describe();
  }
}

TEST(NetworkTemplates, FieldErrorsInsideRequestAndMatchers) {
  auto one = [](const std::string& yaml) {
    auto set = TplParse(yaml);
    EXPECT_TRUE(set.templates.empty());
    EXPECT_EQ(set.problems.size(), 1u);
    return set.problems.empty() ? network::TemplateProblem{} : set.problems[0];
  };
  // Missing field: the template's own line.
  auto p =
      one("templates:\n  - id: x\n    name: n\n    description: d\n    decides: [5.5-5]\n"
          "    services: [http]\n    request: {protocol: http, paths: [/]}\n"
          "    matchers: [{status: [200]}]\n");
  EXPECT_EQ(p.field, "severity");
  EXPECT_EQ(p.message, "missing");
  EXPECT_EQ(p.line, 2);
  // Unknown key in the request, bad regex in a matcher: their own lines.
  p =
      one("templates:\n  - id: x\n    name: n\n    description: d\n    decides: [5.5-5]\n"
          "    severity: low\n    services: [http]\n    request:\n      protocol: http\n"
          "      paths: [/]\n      verb: GET\n    matchers: [{status: [200]}]\n");
  EXPECT_EQ(p.field, "request.verb");
  EXPECT_EQ(p.line, 11);
  p =
      one("templates:\n  - id: x\n    name: n\n    description: d\n    decides: [5.5-5]\n"
          "    severity: low\n    services: [http]\n    request: {protocol: http, paths: [/]}\n"
          "    matchers:\n      - status: [200]\n      - body: 'a[b'\n");
  EXPECT_EQ(p.field, "matchers[1].body");
  EXPECT_EQ(p.line, 11);
  EXPECT_NE(p.message.find("bad regex"), std::string::npos);
  // A matcher with two parts, one with none.
  p =
      one("templates:\n  - id: x\n    name: n\n    description: d\n    decides: [5.5-5]\n"
          "    severity: low\n    services: [http]\n    request: {protocol: http, paths: [/]}\n"
          "    matchers:\n      - {status: [200], body: 'x'}\n");
  EXPECT_EQ(p.field, "matchers[0].status");
  // mqtt needs a topic; tcp has no paths.
  p =
      one("templates:\n  - id: x\n    name: n\n    description: d\n    informs: [5.6-2]\n"
          "    severity: low\n    services: [mqtt]\n    request: {protocol: mqtt}\n"
          "    matchers: [{status: [0]}]\n");
  EXPECT_EQ(p.field, "request.topic");
  p =
      one("templates:\n  - id: x\n    name: n\n    description: d\n    informs: [5.6-2]\n"
          "    severity: low\n    ports: [23]\n    request: {protocol: tcp, paths: [/]}\n"
          "    matchers: [{body: x}]\n");
  EXPECT_EQ(p.field, "request.paths");
  // Only negative matchers; no provision at all.
  p =
      one("templates:\n  - id: x\n    name: n\n    description: d\n    informs: [5.6-2]\n"
          "    severity: low\n    ports: [80]\n    request: {protocol: http, paths: [/]}\n"
          "    matchers: [{body: x, negative: true}]\n");
  EXPECT_EQ(p.field, "matchers");
  p =
      one("templates:\n  - id: x\n    name: n\n    description: d\n"
          "    severity: low\n    ports: [80]\n    request: {protocol: http, paths: [/]}\n"
          "    matchers: [{body: x}]\n");
  EXPECT_EQ(p.field, "decides");
}

TEST(NetworkTemplates, DuplicateIdsAndBrokenFilesAreProblems) {
  auto set = TplParse("templates:\n" + TplValid("same") + TplValid("same"));
  EXPECT_EQ(set.templates.size(), 1u);
  ASSERT_EQ(set.problems.size(), 1u);
  EXPECT_EQ(set.problems[0].field, "id");
  EXPECT_NE(set.problems[0].message.find("duplicate id 'same' (first at lab.yaml:2)"),
            std::string::npos)
      << set.problems[0].Describe();

  set = TplParse("templates:\n  - id: [unclosed\n");
  ASSERT_EQ(set.problems.size(), 1u);
  EXPECT_NE(set.problems[0].message.find("not YAML"), std::string::npos);
  set = TplParse("probes: []\n");
  ASSERT_EQ(set.problems.size(), 1u);
  EXPECT_EQ(set.problems[0].field, "templates");

  // A folder: the good file loads, the bad one is a problem naming it.
  test::TempDir dir;
  test::WriteFile(dir.path() / "good.yaml", "templates:\n" + TplValid("good"));
  test::WriteFile(dir.path() / "bad.yml", "templates:\n" + TplValid("bad", "    oops: 1\n"));
  test::WriteFile(dir.path() / "notes.txt", "not a template");
  TemplateSet folder;
  network::LoadTemplates(dir.path(), TplProvisions(), folder);
  ASSERT_EQ(folder.templates.size(), 1u);
  EXPECT_EQ(folder.templates[0].id, "good");
  ASSERT_EQ(folder.problems.size(), 1u);
  EXPECT_EQ(folder.problems[0].file, (dir.path() / "bad.yml").string());
  EXPECT_EQ(folder.problems[0].field, "oops");
  TemplateSet missing;
  network::LoadTemplates(dir.path() / "nowhere", {}, missing);
  EXPECT_EQ(missing.problems.size(), 1u);
}

network::Template TplOne(const std::string& yaml) {
  auto set = TplParse("templates:\n" + yaml);
  EXPECT_TRUE(set.problems.empty()) << set.problems[0].Describe();
  EXPECT_EQ(set.templates.size(), 1u);
  return set.templates.empty() ? network::Template{} : set.templates[0];
}

TEST(NetworkTemplates, MatchersNegativeAnyAllAndExtract) {
  const auto t = TplOne(TplValid("b",
                                 "      - body: '<input[^>]*type=.?password'\n"
                                 "        negative: true\n"
                                 "    extract: '(http_passwd=[^\\n]*)'\n"));
  network::TemplateAnswer backup{200, "content-type: text/plain\n",
                                 "lan_ipaddr=192.168.1.1\nhttp_passwd=hunter2\n"};
  auto m = network::MatchTemplate(t, backup);
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, "http_passwd=<redacted>");
  // A login page answered with 200 that mentions the field: vetoed.
  network::TemplateAnswer login{200, "",
                                "<form>http_passwd=<input type=\"password\" name=p></form>"};
  EXPECT_FALSE(network::MatchTemplate(t, login));
  // Not 200: all matchers must hold.
  backup.status = 401;
  EXPECT_FALSE(network::MatchTemplate(t, backup));

  const auto any = TplOne(R"(  - id: any
    name: n
    description: d
    informs: [5.6-2]
    severity: info
    ports: [80]
    condition: any
    request: {protocol: http, paths: [/]}
    matchers:
      - status: [204]
      - header: 'server: *lighttpd'
)");
  EXPECT_TRUE(network::MatchTemplate(any, {200, "server: lighttpd/1.4\n", ""}));
  EXPECT_TRUE(network::MatchTemplate(any, {204, "", ""}));
  EXPECT_FALSE(network::MatchTemplate(any, {200, "server: nginx\n", ""}));
}

TEST(NetworkTemplates, SecretsAreRedactedAndVariablesExpanded) {
  EXPECT_EQ(network::RedactSecrets("user=admin&password=s3cret&x=1"),
            "user=admin&password=<redacted>&x=1");
  EXPECT_EQ(network::RedactSecrets("<Password>abc</Password>"), "<Password><redacted></Password>");
  EXPECT_EQ(network::RedactSecrets("{\"wifi_key\": \"k1\"}"), "{\"wifi_key\": \"<redacted>\"}");
  EXPECT_EQ(network::RedactSecrets("model=X1 version=2"), "model=X1 version=2");
  network::TemplateVars v{"127.0.0.5", "127.0.0.5:8080", "127.0.0.1", 8080};
  EXPECT_EQ(network::ExpandTemplate("{{local_address}}>{{host}} {{address}}:{{port}} {{x}}", v),
            "127.0.0.1>127.0.0.5:8080 127.0.0.5:8080 {{x}}");
}

FactStore TplFacts(bool match, const std::vector<std::string>& decides,
                   const std::vector<std::string>& informs) {
  FactStore s;
  Evidence e;
  e.source = InputKind::kNetwork;
  e.input = "127.0.0.5";
  e.endpoint = "127.0.0.5:80/tcp";
  if (match)
    s.Add(facts::kTemplateMatch,
          {{"template", "web.config-backup"},
           {"name", "Configuration backup downloadable without authentication"},
           {"description", "The configuration is served."},
           {"file", "web.yaml"},
           {"line", 5},
           {"address", "127.0.0.5"},
           {"port", 80},
           {"service", "http"},
           {"request", "GET /backup.cfg HTTP/1.1"},
           {"status", 200},
           {"excerpt", "http_passwd=<redacted>"},
           {"decides", decides},
           {"informs", informs},
           {"severity", "critical"}},
          e, "test");
  s.Add(facts::kTemplateScan,
        {{"input", "127.0.0.5"}, {"templates", 11}, {"requests", 40}, {"matched", match ? 1 : 0}},
        e, "test");
  return s;
}

TEST(NetworkTemplates, NetTemplatesCheckDecidesOrInformsAsTheTemplateSays) {
  auto r = test::RunCheck("net.templates", TplFacts(true, {"5.5-5"}, {"5.6-2"}));
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.findings.size(), 1u);
  const auto& f = r.findings[0];
  EXPECT_EQ(f.provisions, std::vector<std::string>{"5.5-5"});
  EXPECT_EQ(f.informs, std::vector<std::string>{"5.6-2"});
  EXPECT_EQ(f.severity, Severity::kCritical);
  EXPECT_NE(f.title.find("127.0.0.5:80"), std::string::npos) << f.title;
  EXPECT_NE(f.title.find("GET /backup.cfg"), std::string::npos) << f.title;
  EXPECT_NE(f.message.find("<redacted>"), std::string::npos) << f.message;
  // 5.5-5 is decided by the finding; 5.6-2 stays inconclusive.
  ASSERT_EQ(r.outcomes.size(), 1u);
  EXPECT_EQ(r.outcomes[0].provision, "5.6-2");
  EXPECT_EQ(r.outcomes[0].verdict, Verdict::kInconclusive);

  // An informing match decides nothing; nothing matched: both inconclusive, never PASS.
  for (bool match : {true, false}) {
    r = test::RunCheck("net.templates", TplFacts(match, {}, {"5.6-2"}));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.findings.size(), match ? 1u : 0u);
    if (match) {
      EXPECT_TRUE(r.findings[0].provisions.empty());
    }
    ASSERT_EQ(r.outcomes.size(), 2u);
    for (const auto& o : r.outcomes) EXPECT_EQ(o.verdict, Verdict::kInconclusive);
  }
}

}  // namespace
}  // namespace iotcop
