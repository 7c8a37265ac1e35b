#include "support/report_fixture.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/fact_kinds.h"
#include "report/renderer.h"
#include "store/diff.h"
#include "store/fleet.h"
#include "verdict/check_runner.h"
#include "verdict/verdict_engine.h"

namespace iotcop::test {
namespace {

constexpr const char* kFirmware = "camera-fw_v1.2.bin";

Evidence At(std::string path, std::optional<std::uint32_t> line,
            std::optional<std::uint64_t> offset, std::string excerpt) {
  Evidence e;
  e.input = kFirmware;
  e.path = std::move(path);
  e.line = line;
  e.offset = offset;
  e.excerpt = std::move(excerpt);
  return e;
}

// Evidence from a live device: a host and an endpoint, no file.
Evidence Live(std::string endpoint, std::string excerpt) {
  Evidence e;
  e.source = InputKind::kNetwork;
  e.input = "192.0.2.10";
  e.endpoint = std::move(endpoint);
  e.excerpt = std::move(excerpt);
  return e;
}

CheckDoc Doc(std::string id, std::string title, std::vector<std::string> provisions,
             std::vector<std::string> needs, Severity severity,
             std::vector<InputKind> inputs = {InputKind::kFirmware}) {
  CheckDoc d;
  d.id = std::move(id);
  d.title = std::move(title);
  d.provisions = std::move(provisions);
  d.inputs = std::move(inputs);
  d.needs = std::move(needs);
  d.rationale = "Why " + d.title + " matters, in a sentence.";
  d.remediation = "How to fix: " + d.title + ".";
  d.severity = severity;
  return d;
}

Finding MakeFinding(std::string title, std::string message, Severity severity,
                    std::vector<Evidence> evidence, std::vector<FactId> facts = {}) {
  Finding f;
  f.title = std::move(title);
  f.message = std::move(message);
  f.severity = severity;
  f.evidence = std::move(evidence);
  f.facts = std::move(facts);
  return f;
}

std::vector<std::unique_ptr<const Check>> SampleChecks() {
  std::vector<std::unique_ptr<const Check>> checks;
  auto add = [&](CheckDoc d, std::function<void(CheckContext&)> run) {
    checks.push_back(std::make_unique<LambdaCheck>(std::move(d), std::move(run)));
  };
  add(Doc("test.accounts.default-password", "Accounts with default or empty passwords",
          {"5.1-1", "5.1-2"}, {facts::kAccount}, Severity::kCritical),
      [](CheckContext& ctx) {
        for (const Fact* f : ctx.facts().OfKind(facts::kAccount)) {
          ctx.Report(
              MakeFinding("root has the default password " + Redact("admin"),
                          "Anyone who knows the model's default password can log in as root.",
                          Severity::kCritical,
                          {At("squashfs-root!/etc/shadow", 1, std::nullopt,
                              "root:$6$…(98 chars, redacted):19000:0:99999:7:::")},
                          {f->id}),
              "root");
        }
      });
  add(Doc("test.services.telnet", "Remote shell services enabled", {"5.6-1"}, {facts::kService},
          Severity::kHigh),
      [](CheckContext& ctx) {
        // Hostile strings: a file name, an excerpt and a title an attacker could plant.
        ctx.Report(MakeFinding(kHostileTitle, "A remote shell is started at boot.", Severity::kHigh,
                               {At(kHostileFileName, 3, std::nullopt,
                                   std::string(kHostileExcerpt) + " \xff\xfe bad-utf8 \x01 ctl"),
                                At("squashfs-root!/etc/inittab", 7, std::nullopt,
                                   "::respawn:/usr/sbin/telnetd -F -l /bin/sh"),
                                Live("192.0.2.10:23/tcp", "BusyBox on (none) login:")}),
                   "telnetd");
        ctx.Report(MakeFinding("The web server banner discloses the firmware version",
                               "Version strings help an attacker pick exploits.", Severity::kInfo,
                               {At("squashfs-root!/etc/lighttpd.conf", 14, std::nullopt,
                                   "server.tag = \"camera-httpd/1.2.0\"")}),
                   "banner");
      });
  add(Doc("test.update.transport", "Firmware updates over unauthenticated transport",
          {"5.3-7", "5.3-10"}, {facts::kUpdateMechanism}, Severity::kMedium),
      [](CheckContext& ctx) {
        ctx.Report(MakeFinding("Firmware updates are downloaded over plain HTTP",
                               "An attacker on the path can replace the update.", Severity::kMedium,
                               {At("squashfs-root!/usr/bin/fwupdate", std::nullopt, 0x1f40,
                                   "http://update.example.com/camera/fw.bin")}),
                   "http");
      });
  add(Doc("test.secrets.hardcoded", "Hard-coded secrets in configuration", {"5.4-3"},
          {facts::kSecret}, Severity::kLow),
      [](CheckContext& ctx) {
        ctx.Report(
            MakeFinding("A cloud API token is hard-coded in /etc/config/cloud.json",
                        "Every unit shares the token.", Severity::kLow,
                        {At("squashfs-root!/etc/config/cloud.json", 12, std::nullopt,
                            "\"token\": \"" + Redact("0123456789abcdef0123456789abcdef") + "\"")}),
            "cloud-token");
      });
  add(Doc("test.services.listening", "Listening services are intended", {"5.6-2"},
          {facts::kService}, Severity::kMedium),
      nullptr);  // nothing found in the service facts: PASS
  add(Doc("test.keys.private", "Private keys in the image", {"5.4-1"}, {facts::kPrivateKey},
          Severity::kHigh),
      nullptr);  // no private_key facts: INCONCLUSIVE
  add(Doc("test.telemetry", "Telemetry endpoints", {"5.10-1"}, {facts::kEndpoint}, Severity::kInfo),
      [](CheckContext& ctx) { ctx.NotApplicable("5.10-1", "no telemetry endpoint in the image"); });
  add(Doc("test.disclosure.securitytxt", "security.txt in the web root", {"5.2-1"},
          {facts::kDisclosure}, Severity::kMedium),
      nullptr);  // no disclosure facts: INCONCLUSIVE (functional part)
  add(Doc("decl.test.disclosure", "Declared vulnerability disclosure policy", {"5.2-1"}, {},
          Severity::kMedium, {InputKind::kDeclaration}),
      [](CheckContext& ctx) {
        ctx.Pass("5.2-1", "the declaration names a security contact and response times");
      });
  add(Doc("test.network.tls", "TLS configuration of live services", {"5.5-1"}, {}, Severity::kHigh,
          {InputKind::kNetwork}),
      nullptr);  // no network input: skipped
  return checks;
}

}  // namespace

const Catalogue& RealCatalogue() {
  static const Catalogue* cat = [] {
    auto c = Catalogue::Load(std::string(IOTCOP_SOURCE_DIR) + "/catalogue");
    if (!c) {
      ADD_FAILURE() << "catalogue: " << c.error().Describe();
      return new Catalogue();
    }
    return new Catalogue(std::move(c).value());
  }();
  return *cat;
}

Assessment SampleAssessment(const Catalogue& catalogue, const std::string& standard) {
  Assessment a;
  a.tool_version = "0.1.0-test";
  a.product = "Acme <Cam> 2000 \"Pro\"";
  a.started_at = "2026-11-22T01:00:00Z";
  a.finished_at = "2026-11-22T01:00:07Z";
  a.inputs.push_back({InputKind::kFirmware, kFirmware,
                      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 7340032,
                      "partial"});
  // 7 MiB: a SquashFS and a JFFS2 file system, a region at the end nobody decoded.
  Coverage cov;
  cov.size = 7340032;
  cov.padding = 65536;
  cov.undecoded = 131072;
  cov.decoded = cov.size - cov.padding - cov.undecoded;
  cov.filesystems = 2;
  cov.files = 311;
  cov.regions.push_back(
      {kFirmware, 0x6d0000, 65536, 0x6d0000, 0, "padding", "padding (0x00/0xff)"});
  cov.regions.push_back({kFirmware, 0x6e0000, 131072, 0x6e0000, 7.97, "encrypted-or-compressed",
                         "likely encrypted or compressed with an unknown scheme <b>"});
  a.inputs.back().coverage = cov;
  a.inputs.push_back({InputKind::kDeclaration, "ixit.yaml", "", 0, "ok"});

  Evidence fw = At("squashfs-root!/etc/passwd", 1, std::nullopt, "root:x:0:0:root:/root:/bin/sh");
  a.facts.Add(facts::kAccount,
              {{"name", "root"}, {"uid", 0}, {"login", true}, {"password", {{"state", "hash"}}}},
              fw, "test.accounts");
  a.facts.Add(facts::kService, {{"name", "telnetd"}, {"init", "inittab"}},
              At("squashfs-root!/etc/inittab", 7, std::nullopt, "::respawn:/usr/sbin/telnetd"),
              "test.services");
  a.facts.Add(facts::kUpdateMechanism, {{"mechanism", "fwupdate"}, {"transport", "http"}},
              At("squashfs-root!/usr/bin/fwupdate", std::nullopt, 0x1f40, "http://update…"),
              "test.update");
  a.facts.Add(facts::kSecret, {{"kind", "token"}, {"rule", "hex32"}},
              At("squashfs-root!/etc/config/cloud.json", 12, std::nullopt, "\"token\": …"),
              "test.secrets");
  a.facts.Add(
      facts::kProperty,
      {{"name", "constrained"}, {"value", true}, {"reason", "32 MiB of RAM and 8 MiB of flash"}},
      At("squashfs-root!/proc-info", std::nullopt, std::nullopt, ""), "test.properties");
  Evidence decl;
  decl.source = InputKind::kDeclaration;
  decl.input = "ixit.yaml";
  decl.line = 4;
  a.facts.Add(facts::kProperty,
              {{"name", "constrained"}, {"value", false}, {"reason", "declared not constrained"}},
              decl, "declaration");

  a.problems.push_back({"warning", "unpack", kFirmware, "jffs2@0x40000", 0x40400,
                        "node CRC mismatch; 2 files skipped <trunc>"});
  a.problems.push_back({"error", "collect", kFirmware, "", std::nullopt,
                        "banner collector: internal error: unexpected <script>"});
  a.extras["unpack"][kFirmware] = {
      {"roots", 2}, {"entries", 312}, {"unknown_regions", nlohmann::json::array()}};

  RunChecks(SampleChecks(), CheckConfig{}, a);
  if (Status st = DecideVerdicts(catalogue, standard, a); !st) {
    ADD_FAILURE() << st.error().Describe();
  }
  return a;
}

std::vector<SamplePage> SampleHtmlPages(const Catalogue& catalogue) {
  const Assessment a = SampleAssessment(catalogue);
  std::vector<SamplePage> pages;
  for (const auto& [kind, format] : {std::pair<const char*, const char*>{"report", "html"},
                                     {"psti", "psti-html"},
                                     {"ts103701", "ts103701-html"}}) {
    std::ostringstream out;
    const report::Renderer* r = report::FindRenderer(format);
    EXPECT_TRUE(r && r->Render(a, catalogue, out)) << format;
    pages.push_back({kind, out.str()});
  }

  store::RunSummary before{.id = 1, .product = a.product, .version = "1.0"};
  before.started = a.started_at;
  store::RunSummary after = before;
  after.id = 2;
  after.version = "2.0 <beta>";
  Assessment fixed = a;
  fixed.findings.erase(fixed.findings.begin());
  store::RunDiff diff = store::DiffRuns(before, a, after, fixed);
  diff.new_findings.push_back(
      {"f00", "fw.test", "high", kHostileTitle, kHostileFileName, {"5.1-1"}});
  diff.verdicts.push_back({"en303645-v2", "5.1-1", kHostileTitle, "FAIL", "PASS"});
  diff.components.push_back({"busybox", "1.30.1", "1.36.1", "upgraded"});
  diff.services.push_back({"telnetd", kHostileExcerpt, "appeared"});
  std::ostringstream diff_html;
  store::DiffHtml(diff, diff_html);
  pages.push_back({"diff", diff_html.str()});

  // The batch summary reads each run's "guidelines" from its JSON report.
  std::ostringstream json;
  EXPECT_TRUE(report::FindRenderer("json")->Render(a, catalogue, json));
  const auto guidelines = nlohmann::json::parse(json.str())["guidelines"];
  std::vector<store::FleetRow> rows;
  for (int i = 0; i < 3; ++i) {
    store::FleetRow row{.input = "cam-" + std::to_string(i) + ".bin", .product = a.product};
    row.outcome = i == 2 ? "error" : "assessed";
    row.status = i == 2 ? "error" : "ok";
    row.error = i == 2 ? std::string("cannot read ") + kHostileFileName : "";
    row.run_id = i == 2 ? 0 : i + 1;
    row.findings = static_cast<int>(a.findings.size());
    if (i != 2) row.guidelines = guidelines;
    rows.push_back(row);
  }
  std::ostringstream fleet_html;
  store::FleetHtml(rows, fleet_html);
  pages.push_back({"fleet", fleet_html.str()});
  return pages;
}

}  // namespace iotcop::test
