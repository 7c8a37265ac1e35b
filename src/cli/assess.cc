// iotcop assess: the main job. Reads every input, runs the checks, decides the verdicts and writes
// the reports into the output folder (and a summary to stdout).
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "assess/pipeline.h"
#include "cli/assess_store.h"
#include "cli/command.h"
#include "cli/common.h"
#include "cli/traffic_options.h"
#include "core/severity.h"
#include "report/renderer.h"
#include "vuln/vex.h"

namespace iotcop::cli {
namespace fs = std::filesystem;

namespace {

struct AssessArgs {
  AssessOptions options;
  std::string out_dir = "iotcop-report";
  std::vector<std::string> formats = {"text", "json", "html"};
  std::string fail_on = "none";
  bool quiet = false;
  bool intercept_dry_run = false;
  std::optional<unsigned> intercept_uid;
  AssessStoreArgs store;
};

std::vector<std::string> SplitFormats(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& s : in) {
    std::stringstream ss(s);
    std::string part;
    while (std::getline(ss, part, ',')) {
      if (!part.empty()) out.push_back(part);
    }
  }
  return out;
}

int Run(AssessArgs& args) {
  auto& o = args.options;
  if (int rc = PrepareCaptures(o.traffic, args.out_dir, o.pcaps); rc != 0) return rc;
  if (o.emulate && o.firmware.empty()) {
    std::cerr << "iotcop assess: --emulate needs --firmware\n";
    return kExitUsage;
  }
  auto& icpt = o.network.intercept;
  // The device is --device (also what the traffic analysis follows); locally, a user's processes.
  icpt.device = icpt.mode == "local"
                    ? (args.intercept_uid ? fmt::format("uid:{}", *args.intercept_uid) : "")
                    : o.traffic.device;
  if (!icpt.mode.empty() || args.intercept_dry_run) {
    if (icpt.mode.empty()) {
      std::cerr << "iotcop assess: --intercept-dry-run needs --intercept IFACE|local\n";
      return kExitUsage;
    }
    auto rules = network::InterceptionRulesText(icpt);
    if (!rules) {
      std::cerr << "iotcop assess: --intercept: " << rules.error().Describe() << "\n";
      return kExitUsage;
    }
    if (args.intercept_dry_run) {
      std::cout << "# the rules `iotcop assess --intercept` loads for the interception (the "
                   "listener's port is chosen at run time) and deletes at the end:\n"
                << *rules;
      return kExitOk;
    }
  }
  if (o.firmware.empty() && o.hosts.empty() && o.pcaps.empty() && o.declaration.empty() &&
      icpt.mode.empty()) {
    std::cerr << "iotcop assess: nothing to assess: give --firmware, --host, --intercept, --pcap "
                 "or --declaration\n";
    return kExitUsage;
  }
  const auto formats = SplitFormats(args.formats);
  for (const auto& f : formats) {
    if (!report::FindRenderer(f)) {
      std::string known;
      for (const auto& r : report::BuiltinRenderers())
        known += (known.empty() ? "" : ", ") + r->doc().name;
      std::cerr << "iotcop assess: --format " << f << ": unknown format (known: " << known << ")\n";
      return kExitUsage;
    }
  }
  std::optional<Severity> fail_on;
  if (args.fail_on != "none") {
    fail_on = ParseSeverity(args.fail_on);
    if (!fail_on) {
      std::cerr << "iotcop assess: --fail-on " << args.fail_on
                << ": expected none, info, low, medium, high or critical\n";
      return kExitUsage;
    }
  }
  // VEX documents are read once here so that a malformed one stops the run before the work:
  // applied silently wrong, a statement would hide or keep a vulnerability.
  for (const auto& file : o.check_config.vex) {
    if (auto doc = vuln::ReadVexFile(file); !doc) {
      std::cerr << "iotcop assess: --vex: " << doc.error().Describe() << "\n";
      return kExitInput;
    }
  }
  auto catalogue = LoadCatalogueOrReport();
  if (!catalogue || !DeclarationSchemaOrReport(&*catalogue)) return kExitInput;
  if (!catalogue->Find(o.standard)) {
    std::cerr << "iotcop assess: --standard " << o.standard << ": unknown standard\n";
    return kExitUsage;
  }
  std::error_code ec;
  fs::create_directories(args.out_dir, ec);
  if (ec) {
    std::cerr << "iotcop assess: -o " << args.out_dir << ": " << ec.message() << "\n";
    return kExitInput;
  }
  o.work_dir = fs::path(args.out_dir) / "extracted";

  Progress progress;
  Assessment a = RunAssessment(o, *catalogue, progress);

  int rc = kExitOk;
  for (const auto& f : formats) {
    const report::Renderer* r = report::FindRenderer(f);
    const fs::path path = fs::path(args.out_dir) / r->doc().extension;
    std::ofstream out(path, std::ios::binary);
    Status st = r->Render(a, *catalogue, out);
    out.close();
    if (!st || !out) {
      std::cerr << "iotcop assess: " << path.string() << ": "
                << (st ? std::string("write failed") : st.error().Describe()) << "\n";
      rc = kExitInput;
    }
  }
  if (!args.quiet) {
    if (Status st = report::FindRenderer("text")->Render(a, *catalogue, std::cout); !st)
      rc = kExitInput;
    std::cout << "\nReports in " << args.out_dir << ":";
    for (const auto& f : formats) std::cout << " " << report::FindRenderer(f)->doc().extension;
    std::cout << "\n";
    if (std::find(formats.begin(), formats.end(), "html") != formats.end()) {
      std::cout << "HTML report: " << (fs::path(args.out_dir) / "report.html").string() << "\n";
    }
  }
  if (!SaveAssessment(args.store, a, *catalogue, args.options.check_config.vulndb,
                      args.options.check_config.vex, args.options.network.template_dirs,
                      args.quiet))
    rc = kExitInput;
  for (const auto& in : a.inputs) {
    if (in.status == "failed") rc = kExitInput;
  }
  if (rc == kExitOk && fail_on && a.CountFindingsAtLeast(*fail_on) > 0) rc = kExitFindings;
  return rc;
}

}  // namespace

void AddAssessCommand(CLI::App& app, CommandContext& ctx) {
  static AssessArgs args;
  auto* cmd = app.add_subcommand(
      "assess", "Assess a product: firmware images, live devices, captures, declaration");
  cmd->add_option("--firmware,-f", args.options.firmware,
                  "firmware image, or a folder holding an extracted root filesystem (repeatable)");
  cmd->add_option("--host", args.options.hosts,
                  "live device: IPv4 or IPv6 address, host name or IPv4 CIDR block up to /24 "
                  "(repeatable)");
  auto& net = args.options.network;
  cmd->add_option("--ports", net.ports,
                  "with --host: TCP ports: top, all, or a list 22,80,8000-8100 (default: all for "
                  "a single address, top for a range)");
  cmd->add_option_function<double>(
         "--rate",
         [n = &net](double r) {
           n->limits.rate = r;
           n->pace.max_rate = r;
         },
         "with --host: new connections per second never exceeded (0: no cap). Default: the "
         "port scan adapts its rate to the device (starts at 2000/s, slows on loss or rate "
         "limiting, resends what went unanswered); service probes go at 200/s")
      ->check(CLI::Range(0.0, 1e7));
  cmd->add_option_function<int>(
         "--timeout", [n = &net](int ms) { n->limits.io_timeout = std::chrono::milliseconds(ms); },
         "with --host: milliseconds for one probe's exchange (default 3000)")
      ->check(CLI::Range(50, 600000));
  cmd->add_option_function<int>(
         "--connect-timeout",
         [n = &net](int ms) { n->limits.connect_timeout = std::chrono::milliseconds(ms); },
         "with --host: milliseconds for one TCP connect (default 1500)")
      ->check(CLI::Range(20, 600000));
  cmd->add_option("--max-bytes", net.limits.max_bytes,
                  "with --host: bytes read at most per connection")
      ->capture_default_str()
      ->check(CLI::Range(256, 64 << 20));
  cmd->add_flag("--allow-wide", net.allow_wide,
                "with --host: allow CIDR blocks wider than /24 (up to /16)");
  cmd->add_flag_function(
      "--no-udp", [n = &net](std::int64_t) { n->udp = false; },
      "with --host: skip the UDP probes (SNMP, SSDP, mDNS, CoAP, TFTP)");
  cmd->add_option("--templates", net.template_dirs,
                  "with --host: a folder (or file) of probe templates tried after "
                  "rules/templates/ (repeatable; format: docs/templates.md)");
  cmd->add_flag(
      "--robustness", net.robustness,
      "with --host: also send a bounded campaign of malformed input (may upset the device)");
  cmd->add_option(
      "--intercept", net.intercept.mode,
      "test the device's TLS client: IFACE (this machine is the gateway of the "
      "device --device on IFACE) or local (a device process on this machine); its outbound TLS "
      "connections are answered with forged certificates (nftables rules in a table "
      "of iotcop's own, removed at the end)");
  cmd->add_option("--intercept-uid", args.intercept_uid,
                  "with --intercept local: only the processes of this user (default: every "
                  "process but iotcop's own)");
  cmd->add_option_function<int>(
         "--duration", [n = &net](int s) { n->intercept.duration = std::chrono::seconds(s); },
         "with --intercept: seconds to intercept (default 60; Ctrl-C ends it early)")
      ->check(CLI::Range(1, 86400));
  cmd->add_option("--intercept-cert", net.intercept.other_name_pem,
                  "with --intercept: PEM certificate chain and key that the device trusts but that "
                  "names another host (tests host-name checking)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--intercept-dry-run", args.intercept_dry_run,
                "print the nftables rules --intercept would load, and exit");
  cmd->add_flag("--emulate", args.options.emulate,
                "with --firmware: run the image's boot network services (natively or under QEMU "
                "user-mode emulation, in namespaces of iotcop's own) and probe them as a live "
                "device; see docs/emulation.md");
  cmd->add_option_function<int>(
      "--emulate-deadline",
      [e = &args.options.emulation](int s) { e->limits.deadline = std::chrono::seconds(s); },
      "with --emulate: seconds the services get to come up, all together (default 60)");
  cmd->add_option("--pcap", args.options.pcaps, "traffic capture, pcap or pcapng (repeatable)");
  AddCaptureOptions(*cmd, args.options.traffic);
  cmd->add_option("--declaration", args.options.declaration,
                  "manufacturer's declaration (IXIT YAML)");
  cmd->add_option("-o,--out", args.out_dir, "output folder for reports and extracted files")
      ->capture_default_str();
  std::string format_names;  // from the renderers themselves, so the help stays true
  for (const auto& r : report::BuiltinRenderers())
    format_names +=
        (format_names.empty() ? "" : ", ") + r->doc().name + " (" + r->doc().extension + ")";
  cmd->add_option("--format", args.formats, "comma-separated: " + format_names)
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--fail-on", args.fail_on,
                  "exit 1 when a finding is at or above: info, low, medium, high, critical, none")
      ->capture_default_str();
  cmd->add_option("--standard", args.options.standard,
                  "en303645-v2 (default), en303645-v3, psti, cop2018")
      ->capture_default_str();
  cmd->add_option("--product", args.options.product, "product name for the reports");
  cmd->add_option("--credentials", args.options.check_config.extra_credentials_files,
                  "extra default-credential list, CSV user,password[,source] (repeatable)");
  cmd->add_option("--vulndb", args.options.check_config.vulndb,
                  "vulnerability database made by `iotcop vulndb update` or `import` (default "
                  "$XDG_DATA_HOME/iotcop/vulndb.sqlite)");
  cmd->add_option("--vulndb-max-age", args.options.check_config.vulndb_max_age_days,
                  "days after its last update that the vulnerability database is stale: a "
                  "warning, and 5.3-8 is not passed on it")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--vex", args.options.check_config.vex,
                  "VEX statements applied to the vulnerability matches: OpenVEX, CycloneDX VEX or "
                  "CSAF VEX, detected by content (repeatable; a later file wins a conflict)");
  cmd->add_flag("-q,--quiet", args.quiet, "no summary on stdout");
  AddAssessStoreOptions(cmd, args.store);
  cmd->callback([&ctx] { ctx.run = [] { return Run(args); }; });
}

}  // namespace iotcop::cli
