// File: tests/support/network_login_fixture.cc
#include "support/network_login_fixture.h"
#include "assess/builtin_checks.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "verdict/check_runner.h"

namespace iotcop::test {

network::Endpoint LoopbackEndpoint(const std::string& address, std::uint16_t port,
                                   const std::string& service, const std::string& transport) {
  network::Endpoint e;
  e.input = address;
  e.address = address;
  e.port = port;
  e.service = service;
  e.transport = transport;
  return e;
}

network::Limits TestLimits() {
  network::Limits l;
  l.connect_timeout = std::chrono::milliseconds(1000);
  l.io_timeout = std::chrono::milliseconds(1500);
  l.rate = 0;
  return l;
}

AssessOptions LiveOptions(const std::string& host, const std::string& ports,
                          const std::filesystem::path& work) {
  AssessOptions o;
  o.hosts = {host};
  o.network.ports = ports;
  o.network.limits = TestLimits();
  o.network.login.max_attempts = 8;
  o.network.login.delay = std::chrono::milliseconds(0);
  o.work_dir = work;
  return o;
}

Assessment RunLive(const AssessOptions& o) {
  auto cat = Catalogue::Load(Catalogue::DefaultDir());
  EXPECT_TRUE(cat) << cat.error().Describe();
  Progress p;
  return RunAssessment(o, cat ? *cat : Catalogue{}, p);
}

Assessment NetworkAssessment(const std::string& host) {
  Assessment a;
  a.inputs.push_back({InputKind::kNetwork, host});
  return a;
}

void RunAllChecks(Assessment& a) { RunChecks(BuiltinChecks(), CheckConfig{}, a); }

std::vector<const Finding*> FindingsOf(const Assessment& a, const std::string& prefix) {
  std::vector<const Finding*> r;
  for (const auto& f : a.findings)
    if (f.check_id.starts_with(prefix)) r.push_back(&f);
  return r;
}

std::vector<const Fact*> FactsOf(const Assessment& a, const std::string& kind) {
  return a.facts.OfKind(kind);
}

std::string Dump(const Assessment& a) {
  nlohmann::json j = {{"facts", nlohmann::json::array()},
                      {"problems", a.problems},
                      {"findings", nlohmann::json::array()}};
  for (const auto& f : a.facts.all()) j["facts"].push_back(f);
  for (const auto& f : a.findings) j["findings"].push_back(f.title);
  return j.dump(1);
}

}  // namespace iotcop::test
