// File: network/assess.cc
// A live-device assessment: resolve each --host (address, name, CIDR), connect-scan the ports,
// identify every open one (banner, probes, TLS, SSH) in a few parallel workers, UDP discovery,
// security.txt, then the default-credential logins (network/login.h) and, with --robustness, the
// robustness campaign (network/robustness.h). Facts are added in (address, port) order so runs
// are reproducible; every connection obeys the Limits and the one rate limiter.
#include "network/assess.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "network/identify.h"
#include "network/probes.h"
#include "network/robustness.h"
#include "network/scanner.h"
#include "network/security_txt.h"
#include "network/targets.h"
#include "network/template_probe.h"
#include "network/udp/udp.h"
#include "protocols/address.h"

namespace iotcop::network {

namespace {

constexpr std::size_t kWorkers = 8;
constexpr const char* kCollector = "network";

// Ports scanned by "top": every probe hint plus the usual IoT suspects.
std::vector<std::uint16_t> TopPorts(const std::vector<Probe>& probes) {
  std::vector<std::uint16_t> top = {21,   22,   23,   25,   53,   80,   81,   88,   110,
                                    139,  443,  445,  554,  1883, 1900, 2222, 2323, 3000,
                                    5000, 5555, 7547, 8000, 8008, 8080, 8081, 8443, 8554,
                                    8883, 8888, 9000, 9100, 9443, 49152};
  for (const auto& p : probes) top.insert(top.end(), p.ports.begin(), p.ports.end());
  std::sort(top.begin(), top.end());
  top.erase(std::unique(top.begin(), top.end()), top.end());
  return top;
}

std::string Ms(std::chrono::milliseconds d) { return fmt::format("{} ms", d.count()); }

}  // namespace

Evidence LiveEvidence(const std::string& input, const std::string& locator, std::string excerpt) {
  Evidence e;
  e.source = InputKind::kNetwork;
  e.input = input;
  e.endpoint = locator;
  e.excerpt = BoundExcerpt(excerpt);
  return e;
}

void AssessHosts(const std::vector<std::string>& hosts, const Options& options, Assessment& a,
                 Progress& progress) {
  const auto& probes = BuiltinProbes();
  if (!probes) {
    a.problems.push_back(
        {"error", "probe", probes.error().input, "", std::nullopt, probes.error().Describe()});
  }
  const std::vector<Probe> none;
  const std::vector<Probe>& list = probes ? *probes : none;
  RateLimiter rate(options.limits.rate);
  const Limits& limits = options.limits;
  nlohmann::json summary = nlohmann::json::array();
  std::vector<Endpoint> all_endpoints;
  // Probe templates: the built-in folder, then each --templates folder; a template that does not
  // validate is a problem, the others still run.
  TemplateSet templates;
  LoadTemplates(BuiltinTemplateDir(), options.provisions, templates);
  for (const auto& dir : options.template_dirs) LoadTemplates(dir, options.provisions, templates);
  for (const auto& p : templates.problems)
    a.problems.push_back({"error", "templates", p.file, "", std::nullopt, p.Describe()});

  for (const auto& host : hosts) {
    InputRecord rec{InputKind::kNetwork, host};
    auto addrs = ResolveTarget(host, options.allow_wide);
    // The default scope: every port of a single device, the top ports of a range (and say so).
    std::string spec = options.ports, scope;
    if (spec.empty() && addrs) {
      spec = addrs->size() == 1 ? "all" : "top";
      scope = addrs->size() == 1
                  ? "all ports: the default for a single address"
                  : "top ports: the default for a range (--ports all for every port)";
    }
    if (scope.empty()) scope = "--ports " + spec;
    auto ports = ParsePorts(spec.empty() ? "top" : spec, TopPorts(list));
    if (!addrs || !ports) {
      rec.status = "failed";
      a.inputs.push_back(rec);
      const Error& e = !addrs ? addrs.error() : ports.error();
      a.problems.push_back({"error", "input", host, "", std::nullopt, e.Describe()});
      continue;
    }
    progress.Set("scanning", host);
    ScanStats stats;
    const auto t0 = Clock::now();
    auto open = ScanTcp(*addrs, *ports, limits, options.max_in_flight, options.pace, stats);
    const auto scan_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
    if (!open) {
      rec.status = "failed";
      a.inputs.push_back(rec);
      a.problems.push_back({"error", "probe", host, "", std::nullopt, open.error().Describe()});
      continue;
    }
    for (const auto& o : *open) {
      const std::string loc = protocols::HostPort(o.address, o.port) + "/tcp";
      a.facts.Add(facts::kOpenPort,
                  {{"address", o.address}, {"port", o.port}, {"transport", "tcp"}, {"input", host}},
                  LiveEvidence(host, loc, "TCP connect accepted"), kCollector);
    }

    // Identify the open ports, a few at a time.
    progress.Set("identifying services", host);
    std::vector<PortReport> reports(open->size());
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> workers;
    for (std::size_t w = 0; w < std::min(kWorkers, open->size()); ++w) {
      workers.emplace_back([&] {
        for (std::size_t i = next++; i < open->size(); i = next++)
          reports[i] = ProbePort(host, (*open)[i].address, (*open)[i].port, list, limits, rate);
      });
    }
    for (auto& t : workers) t.join();

    std::vector<Endpoint> web;
    for (auto& r : reports) {
      const std::string loc = r.endpoint.Locator();
      const std::string excerpt =
          r.service["banner"].get<std::string>().empty()
              ? fmt::format("{} (probes: {})", r.service["service"].get<std::string>(),
                            r.service["tried"].dump())
              : r.service["banner"].get<std::string>();
      a.facts.Add(facts::kNetworkService, r.service, LiveEvidence(host, loc, excerpt), kCollector);
      if (!r.tls.is_null()) {
        std::string ex = "accepted: ";
        for (const auto& v : r.tls["accepted"]) ex += v.get<std::string>() + " ";
        a.facts.Add(facts::kTlsEndpoint, r.tls, LiveEvidence(host, loc, ex), kCollector);
      }
      if (!r.ssh.is_null())
        a.facts.Add(facts::kSshEndpoint, r.ssh, LiveEvidence(host, loc, r.ssh.value("banner", "")),
                    kCollector);
      for (const auto& p : r.problems)
        a.problems.push_back({"warning", "probe", host, loc, std::nullopt, p});
      if (r.endpoint.service == "http" || r.endpoint.service == "https") web.push_back(r.endpoint);
      all_endpoints.push_back(r.endpoint);
    }

    // UDP discovery, per address.
    std::size_t udp_found = 0;
    if (options.udp) {
      progress.Set("UDP discovery", host);
      for (const auto& addr : *addrs) {
        for (auto& u : ProbeUdp(addr, limits, rate)) {
          ++udp_found;
          const std::string loc = protocols::HostPort(addr, u.port) + "/udp";
          nlohmann::json v = {
              {"input", host},      {"address", addr}, {"port", u.port},
              {"transport", "udp"}, {"product", ""},   {"version", ""},
              {"tls", false},       {"probe", "udp"},  {"disclosure", nlohmann::json::array()}};
          v.update(u.service);
          a.facts.Add(facts::kOpenPort,
                      {{"address", addr}, {"port", u.port}, {"transport", "udp"}, {"input", host}},
                      LiveEvidence(host, loc, "UDP probe answered"), kCollector);
          a.facts.Add(facts::kNetworkService, v, LiveEvidence(host, loc, v.value("banner", "")),
                      kCollector);
          Endpoint e;
          e.input = host;
          e.address = addr;
          e.port = u.port;
          e.transport = "udp";
          e.service = v.value("service", "");
          e.banner = v.value("banner", "");
          all_endpoints.push_back(e);
        }
      }
    }

    // security.txt, per address with a web interface.
    nlohmann::json tried = nlohmann::json::array();
    for (const auto& addr : *addrs) {
      std::vector<Endpoint> here;
      for (const auto& e : web)
        if (e.address == addr) here.push_back(e);
      if (here.empty()) continue;
      auto s = FetchSecurityTxt(here, limits, rate);
      for (const auto& t : s.tried) tried.push_back(t);
      if (s.disclosure) a.facts.Add(facts::kDisclosure, *s.disclosure, s.evidence, kCollector);
    }

    // Configuration and actions without authentication: the probe templates.
    if (!templates.templates.empty()) {
      progress.Set("probe templates", host);
      std::vector<Endpoint> here;
      for (const auto& r : reports) here.push_back(r.endpoint);
      RunTemplates(templates, host, here, limits, rate, a);
    }

    summary.push_back({{"input", host},
                       {"addresses", addrs->size()},
                       {"ports", ports->size()},
                       {"scope", scope},
                       {"connects", stats.tried + stats.retries},
                       {"retries", stats.retries},
                       {"rate_cuts", stats.rate_cuts},
                       {"peak_rate", std::lround(stats.peak_rate)},
                       {"final_rate", std::lround(stats.final_rate)},
                       {"policy_drops", stats.policy_drops},
                       {"srtt_ms", std::round(stats.srtt_ms * 1000) / 1000},
                       {"open", stats.open},
                       {"refused", stats.refused},
                       {"timed_out", stats.timed_out},
                       {"errors", stats.errors},
                       {"scan_ms", scan_ms.count()},
                       {"udp_answers", udp_found},
                       {"security_txt", tried}});
    a.inputs.push_back(rec);
  }
  if (!summary.empty()) {
    a.extras["network"] = {{"hosts", summary},
                           {"limits",
                            {{"rate", limits.rate},
                             {"connect_timeout", Ms(limits.connect_timeout)},
                             {"io_timeout", Ms(limits.io_timeout)},
                             {"max_bytes", limits.max_bytes},
                             {"scan_rate_cap", options.pace.max_rate},
                             {"ports", options.ports.empty() ? "default" : options.ports}}},
                           {"templates", templates.templates.size()}};
  }
  if (!all_endpoints.empty()) {
    progress.Set("default-credential logins");
    TryDefaultLogins(all_endpoints, options.login, limits, a);
    if (options.robustness) {
      progress.Set("robustness");
      RunRobustness(all_endpoints, limits, a);
    }
  }
}

}  // namespace iotcop::network
