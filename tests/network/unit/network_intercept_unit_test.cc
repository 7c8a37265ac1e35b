// The interception's pieces without a device: the nftables rules it would load (what
// --intercept-dry-run prints) and the verdicts net.tls-client.forged-certificate draws from
// tls_client_test facts shaped like the interception's (tests/network/integration/
// network_intercept_test.cc makes real ones with curl, wget and mosquitto_pub).
#include <gtest/gtest.h>

#include "core/fact_kinds.h"
#include "network/intercept/intercept.h"
#include "network/intercept/rules.h"
#include "support/firmware_support.h"

namespace iotcop {
namespace {

using network::intercept::RulesText;

TEST(InterceptRules, LocalAndGatewayModes) {
  auto local = RulesText({"local", "", 8443, 0x10c0c0, "iotcop_intercept_1"});
  ASSERT_TRUE(local) << local.error().Describe();
  EXPECT_NE(local->find("table inet iotcop_intercept_1"), std::string::npos) << *local;
  EXPECT_NE(local->find("type nat hook output priority -100"), std::string::npos) << *local;
  EXPECT_NE(local->find("meta mark 0x10c0c0 return"), std::string::npos) << *local;
  EXPECT_NE(local->find("tcp dport != 8443 redirect to :8443"), std::string::npos) << *local;

  auto uid = RulesText({"local", "uid:1000", 8443, 0x10c0c0, "t"});
  ASSERT_TRUE(uid);
  EXPECT_NE(uid->find("meta skuid 1000 meta l4proto tcp"), std::string::npos) << *uid;

  auto gw = RulesText({"br-lan", "192.168.1.23", 9000, 0x10c0c0, "t"});
  ASSERT_TRUE(gw) << gw.error().Describe();
  EXPECT_NE(gw->find("type nat hook prerouting priority dstnat"), std::string::npos) << *gw;
  EXPECT_NE(gw->find("iifname \"br-lan\" ip saddr 192.168.1.23 meta l4proto tcp redirect to :9000"),
            std::string::npos)
      << *gw;
  auto gw6 = RulesText({"eth1", "fd00::5", 9000, 1, "t"});
  ASSERT_TRUE(gw6);
  EXPECT_NE(gw6->find("ip6 saddr fd00::5"), std::string::npos) << *gw6;
}

TEST(InterceptRules, RefusesWhatWouldBeInjectedOrMeaningless) {
  EXPECT_FALSE(RulesText({"eth0\"; flush ruleset", "10.0.0.2", 1, 1, "t"}));
  EXPECT_FALSE(RulesText({"eth0", "not-an-address", 1, 1, "t"}));
  EXPECT_FALSE(RulesText({"eth0", "", 1, 1, "t"}));
  EXPECT_FALSE(RulesText({"local", "uid:x", 1, 1, "t"}));
  EXPECT_FALSE(RulesText({"local", "10.0.0.2", 1, 1, "t"}));
  EXPECT_FALSE(RulesText({"local", "", 0, 1, "t"}));
  network::InterceptOptions o;
  o.mode = "local";
  auto dry = network::InterceptionRulesText(o);
  ASSERT_TRUE(dry);
  EXPECT_NE(dry->find("redirect to :"), std::string::npos);
}

Evidence InterceptEvidence(const std::string& dest) {
  Evidence e;
  e.source = InputKind::kNetwork;
  e.input = "intercept:local";
  e.endpoint = dest + ":443/tcp";
  return e;
}

void AddTest(FactStore& s, const std::string& name, const std::string& forgery,
             const std::string& outcome) {
  s.Add(facts::kTlsClientTest,
        {{"client", "127.0.0.1"},
         {"destination", "127.0.0.2"},
         {"port", 443},
         {"sni", name},
         {"name", name},
         {"forgery", forgery},
         {"outcome", outcome},
         {"reason", "test"},
         {"sent", "HTTP GET /fw (80 bytes)"},
         {"accepting_means", "accepts a self-signed certificate"}},
        InterceptEvidence("127.0.0.2"), "test");
}

const Outcome* OutcomeOf(const test::CheckResult& r, const std::string& provision) {
  for (const auto& o : r.outcomes)
    if (o.provision == provision) return &o;
  return nullptr;
}

TEST(InterceptCheck, AcceptedForgeryFailsAndNamesTheUpdateServer) {
  FactStore s;
  AddTest(s, "upd.vendor.example", "self-signed", "accepted");
  AddTest(s, "upd.vendor.example", "untrusted-ca", "accepted");
  s.Add(facts::kUpdateMechanism,
        {{"mechanism", "vendor"}, {"url", "https://upd.vendor.example/fw"}}, {}, "test");
  auto r = test::RunCheck("net.tls-client.forged-certificate", s);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.findings.size(), 1u);
  const Finding& f = r.findings.front();
  EXPECT_NE(f.title.find("self-signed, untrusted-ca"), std::string::npos) << f.title;
  EXPECT_NE(std::find(f.provisions.begin(), f.provisions.end(), "5.3-10"), f.provisions.end());
  EXPECT_NE(std::find(f.provisions.begin(), f.provisions.end(), "5.5-1"), f.provisions.end());
}

TEST(InterceptCheck, RefusedEverywherePassesHandshakeOnlyInforms) {
  FactStore s;
  for (const char* k : {"self-signed", "untrusted-ca", "expired", "weak-key"})
    AddTest(s, "upd.vendor.example", k, "refused");
  AddTest(s, "cloud.vendor.example", "self-signed", "handshake-only");
  s.Add(facts::kEndpoint, {{"host", "upd.vendor.example"}, {"purpose", "update"}}, {}, "test");
  auto r = test::RunCheck("net.tls-client.forged-certificate", s);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_TRUE(r.findings[0].provisions.empty()) << r.findings[0].title;
  EXPECT_EQ(r.findings[0].informs, std::vector<std::string>{"5.5-1"});
  const Outcome* tls = OutcomeOf(r, "5.5-1");
  ASSERT_NE(tls, nullptr);
  EXPECT_EQ(tls->verdict, Verdict::kInconclusive);
  const Outcome* upd = OutcomeOf(r, "5.3-10");
  ASSERT_NE(upd, nullptr);
  EXPECT_EQ(upd->verdict, Verdict::kPass);

  FactStore none;  // no update server known: 5.3-10 stays open, and says why
  AddTest(none, "cloud.vendor.example", "self-signed", "refused");
  auto r2 = test::RunCheck("net.tls-client.forged-certificate", none);
  ASSERT_TRUE(r2.ok);
  EXPECT_TRUE(r2.findings.empty());
  const Outcome* open = OutcomeOf(r2, "5.3-10");
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->verdict, Verdict::kInconclusive);
  EXPECT_NE(open->reason.find("no update server"), std::string::npos) << open->reason;
}

}  // namespace
}  // namespace iotcop
