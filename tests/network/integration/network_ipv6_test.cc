// File: tests/network/integration/network_ipv6_test.cc
// IPv6 targets: `--host ::1` inside the test's private network namespace, against lighttpd
// listening on [::1] (plain HTTP on 80, TLS on 443 accepting TLS 1.0, HTTP Basic admin/admin on
// both). The scan, service identification, the TLS probe and the default-credential login must
// work on IPv6 as on IPv4, with endpoints and URLs written in brackets. IPv6 blocks are refused.
#include <gtest/gtest.h>

#include "core/fact_kinds.h"
#include "network/targets.h"
#include "support/net_devices.h"
#include "support/netns.h"
#include "support/network_login_fixture.h"
#include "support/test_support.h"

namespace iotcop::test {
namespace {

TEST(NetworkIpv6, TargetsAreSingleAddressesInCanonicalForm) {
  auto a = network::ResolveTarget("[0:0:0:0:0:0:0:1]", false);
  ASSERT_TRUE(a) << a.error().Describe();
  EXPECT_EQ(*a, std::vector<std::string>{"::1"});
  EXPECT_FALSE(network::ResolveTarget("::1/120", true));
  EXPECT_FALSE(network::ResolveTarget("::zz", false));
  EXPECT_EQ(LoopbackEndpoint("::1", 443, "https").Locator(), "[::1]:443/tcp");
}

TEST(NetworkIpv6, ScanTlsAndLoginOnLoopbackV6) {
  if (std::string why = EnterPrivateNetwork(); !why.empty()) GTEST_SKIP() << why;
  if (!HaveTool("lighttpd")) GTEST_SKIP() << "lighttpd is not installed";
  TempDir dir;
  Daemon web;
  LighttpdConfig lc;
  lc.address = "::1";
  lc.admin_password = "admin";
  if (auto e = StartLighttpd(web, dir / "web", lc); !e.empty())
    GTEST_SKIP() << "lighttpd did not listen on [::1] (no IPv6 on lo?): " << e;

  AssessOptions o = LiveOptions("::1", "79-81,443", dir / "work");
  o.network.udp = false;
  const Assessment a = RunLive(o);

  std::set<std::string> open;
  for (const Fact* f : a.facts.OfKind(facts::kOpenPort)) open.insert(f->evidence.endpoint);
  EXPECT_EQ(open, (std::set<std::string>{"[::1]:80/tcp", "[::1]:443/tcp"})) << Dump(a);
  std::map<std::string, std::string> services;
  for (const Fact* f : a.facts.OfKind(facts::kNetworkService))
    services[f->evidence.endpoint] = f->value["service"];
  EXPECT_EQ(services["[::1]:80/tcp"], "http") << Dump(a);
  EXPECT_EQ(services["[::1]:443/tcp"], "https") << Dump(a);
  const auto tls = a.facts.OfKind(facts::kTlsEndpoint);
  ASSERT_EQ(tls.size(), 1u) << Dump(a);
  EXPECT_EQ(tls[0]->value["versions"]["TLSv1.0"], true) << tls[0]->value.dump();
  EXPECT_EQ(tls[0]->value["versions"]["TLSv1.2"], true) << tls[0]->value.dump();
  std::set<std::string> urls;
  for (const Fact* f : a.facts.OfKind(facts::kLoginAttempt)) {
    EXPECT_EQ(f->value["success"], true) << f->value.dump();
    urls.insert(f->value["url"]);
  }
  EXPECT_EQ(urls, (std::set<std::string>{"http://[::1]:80/", "https://[::1]:443/"})) << Dump(a);
  EXPECT_EQ(FindingsOf(a, "net.login.default").size(), 2u) << Dump(a);
  EXPECT_FALSE(FindingsOf(a, "net.tls.versions").empty()) << Dump(a);
}

}  // namespace
}  // namespace iotcop::test
