// Each net.* check both ways over facts shaped like the live probes' (present -> found, absent or
// benign -> quiet). The daemons in tests/network/integration/network_*_test.cc exercise the same
// checks end to end; these cover the services no Debian daemon in the tests speaks (adb, gdbserver,
// SNMP, RTSP, anonymous MQTT over TLS, SSH "none" authentication, weak suites).
#include <gtest/gtest.h>

#include "core/fact_kinds.h"
#include "support/firmware_support.h"

namespace iotcop {
namespace {

Evidence Live(std::uint16_t port, const char* transport = "tcp") {
  Evidence e;
  e.source = InputKind::kNetwork;
  e.input = "127.0.0.5";
  e.endpoint = "127.0.0.5:" + std::to_string(port) + "/" + transport;
  return e;
}

FactStore Service(nlohmann::json v) {
  FactStore s;
  v["address"] = "127.0.0.5";
  if (!v.contains("transport")) v["transport"] = "tcp";
  const std::uint16_t port = v["port"];
  const std::string transport = v["transport"];
  s.Add(facts::kNetworkService, v, Live(port, transport.c_str()), "test");
  return s;
}

std::size_t Count(const std::string& check, const FactStore& f) {
  auto r = test::RunCheck(check, f);
  EXPECT_TRUE(r.ok) << r.error;
  return r.findings.size();
}

TEST(NetworkChecks, ServicesAndCleartext) {
  EXPECT_EQ(Count("net.services.telnet", Service({{"port", 23}, {"service", "telnet"}})), 1u);
  EXPECT_EQ(Count("net.services.telnet", Service({{"port", 22}, {"service", "ssh"}})), 0u);
  EXPECT_EQ(Count("net.cleartext.ftp", Service({{"port", 21}, {"service", "ftp"}})), 1u);
  EXPECT_EQ(Count("net.cleartext.ftp", Service({{"port", 990}, {"service", "tls"}})), 0u);
  EXPECT_EQ(
      Count("net.cleartext.http", Service({{"port", 80}, {"service", "http"}, {"status", 200}})),
      1u);
  EXPECT_EQ(Count("net.cleartext.http",
                  Service({{"port", 80}, {"service", "http"}, {"redirect_https", true}})),
            0u);
  EXPECT_EQ(Count("net.cleartext.http", Service({{"port", 443}, {"service", "https"}})), 0u);
  EXPECT_EQ(Count("net.cleartext.mqtt",
                  Service({{"port", 1883}, {"service", "mqtt"}, {"anonymous", false}})),
            1u);
  EXPECT_EQ(Count("net.cleartext.mqtt",
                  Service({{"port", 8883}, {"service", "mqtts"}, {"anonymous", true}})),
            1u);
  EXPECT_EQ(Count("net.cleartext.mqtt",
                  Service({{"port", 8883}, {"service", "mqtts"}, {"anonymous", false}})),
            0u);
  auto snmp = test::RunCheck("net.cleartext.snmp", Service({{"port", 161},
                                                            {"transport", "udp"},
                                                            {"service", "snmp"},
                                                            {"version", "v2c"},
                                                            {"community", "public"}}));
  ASSERT_EQ(snmp.findings.size(), 1u);
  EXPECT_NE(snmp.findings[0].title.find("public"), std::string::npos);
  EXPECT_EQ(snmp.findings[0].evidence[0].endpoint, "127.0.0.5:161/udp");
  EXPECT_EQ(Count("net.cleartext.snmp",
                  Service({{"port", 5353}, {"transport", "udp"}, {"service", "mdns"}})),
            0u);
  EXPECT_EQ(Count("net.cleartext.rtsp", Service({{"port", 554}, {"service", "rtsp"}})), 1u);
  EXPECT_EQ(Count("net.cleartext.rtsp", Service({{"port", 554}, {"service", "unknown"}})), 0u);
  auto tftp =
      test::RunCheck("net.cleartext.tftp", Service({{"port", 69},
                                                    {"transport", "udp"},
                                                    {"service", "tftp"},
                                                    {"reads", true},
                                                    {"read_answer", "error 1: File not found"}}));
  ASSERT_EQ(tftp.findings.size(), 1u);
  EXPECT_EQ(tftp.findings[0].severity, Severity::kHigh);
  EXPECT_NE(tftp.findings[0].message.find("File not found"), std::string::npos);
  auto refusing = test::RunCheck("net.cleartext.tftp", Service({{"port", 69},
                                                                {"transport", "udp"},
                                                                {"service", "tftp"},
                                                                {"reads", false},
                                                                {"read_answer", "error 2: x"}}));
  ASSERT_EQ(refusing.findings.size(), 1u);
  EXPECT_EQ(refusing.findings[0].severity, Severity::kMedium);
  EXPECT_EQ(Count("net.cleartext.tftp",
                  Service({{"port", 5683}, {"transport", "udp"}, {"service", "coap"}})),
            0u);
}

TEST(NetworkChecks, DebugPorts) {
  auto adb = test::RunCheck(
      "net.debug.ports", Service({{"port", 5555}, {"service", "adb"}, {"authenticated", false}}));
  ASSERT_EQ(adb.findings.size(), 1u);
  EXPECT_EQ(adb.findings[0].severity, Severity::kCritical);
  EXPECT_NE(adb.findings[0].title.find("without authentication"), std::string::npos);
  auto adb_auth = test::RunCheck(
      "net.debug.ports", Service({{"port", 5555}, {"service", "adb"}, {"authenticated", true}}));
  ASSERT_EQ(adb_auth.findings.size(), 1u);
  EXPECT_EQ(adb_auth.findings[0].severity, Severity::kHigh);
  EXPECT_EQ(Count("net.debug.ports", Service({{"port", 1234}, {"service", "gdbserver"}})), 1u);
  EXPECT_EQ(Count("net.debug.ports", Service({{"port", 5555}, {"service", "unknown"}})), 0u);
  // Nothing on the network does not show the physical debug interfaces are off.
  auto quiet = test::RunCheck("net.debug.ports", Service({{"port", 80}, {"service", "http"}}));
  ASSERT_EQ(quiet.outcomes.size(), 1u);
  EXPECT_EQ(quiet.outcomes[0].provision, "5.6-4");
  EXPECT_EQ(quiet.outcomes[0].verdict, Verdict::kInconclusive);
}

FactStore Tls(nlohmann::json v) {
  FactStore s;
  v["address"] = "127.0.0.5";
  v["port"] = 443;
  s.Add(facts::kTlsEndpoint, v, Live(443), "test");
  return s;
}

TEST(NetworkChecks, Tls) {
  const nlohmann::json modern = {{"SSLv3", nullptr},
                                 {"TLSv1.0", false},
                                 {"TLSv1.1", false},
                                 {"TLSv1.2", true},
                                 {"TLSv1.3", true}};
  nlohmann::json old = modern;
  old["TLSv1.0"] = true;
  EXPECT_EQ(Count("net.tls.versions", Tls({{"versions", old}})), 1u);
  EXPECT_EQ(Count("net.tls.versions", Tls({{"versions", modern}})), 0u);
  EXPECT_EQ(Count("net.tls.ciphers",
                  Tls({{"versions", modern},
                       {"weak_ciphers",
                        {{{"version", "TLSv1.2"}, {"name", "DES-CBC3-SHA"}, {"why", "3DES"}}}}})),
            1u);
  EXPECT_EQ(Count("net.tls.ciphers",
                  Tls({{"versions", modern}, {"weak_ciphers", nlohmann::json::array()}})),
            0u);
  const nlohmann::json good = {{"subject", "CN=d"},   {"expired", false},
                               {"self_signed", true}, {"key_type", "rsa"},
                               {"key_bits", 2048},    {"sig_alg", "sha256WithRSAEncryption"}};
  EXPECT_EQ(Count("net.tls.certificate", Tls({{"versions", modern}, {"certificate", good}})), 0u);
  nlohmann::json weak = good;
  weak["key_bits"] = 1024;
  weak["sig_alg"] = "sha1WithRSAEncryption";
  auto r =
      test::RunCheck("net.tls.certificate", Tls({{"versions", modern}, {"certificate", weak}}));
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_NE(r.findings[0].title.find("1024-bit rsa"), std::string::npos);
  EXPECT_NE(r.findings[0].title.find("sha1"), std::string::npos);
}

FactStore Ssh(nlohmann::json v) {
  FactStore s;
  v["address"] = "127.0.0.5";
  v["port"] = 22;
  s.Add(facts::kSshEndpoint, v, Live(22), "test");
  return s;
}

TEST(NetworkChecks, Ssh) {
  const nlohmann::json warn_only = {{{"kind", "kex"},
                                     {"name", "diffie-hellman-group14-sha1"},
                                     {"level", "warn"},
                                     {"why", "SHA-1"}}};
  EXPECT_EQ(Count("net.ssh.algorithms", Ssh({{"weak", warn_only}})), 0u);
  nlohmann::json broken = warn_only;
  broken.push_back({{"kind", "cipher"}, {"name", "3des-cbc"}, {"level", "fail"}, {"why", "3DES"}});
  EXPECT_EQ(Count("net.ssh.algorithms", Ssh({{"weak", broken}})), 1u);
  EXPECT_EQ(Count("net.ssh.auth", Ssh({{"auth_methods", {"none"}}})), 1u);
  EXPECT_EQ(Count("net.ssh.auth", Ssh({{"auth_methods", {"publickey", "password"}}})), 0u);
  EXPECT_EQ(Count("net.ssh.auth", Ssh({{"auth_methods", nullptr}})), 0u);
}

TEST(NetworkChecks, Disclosure) {
  EXPECT_EQ(
      Count("net.disclosure.banner", Service({{"port", 21},
                                              {"service", "ftp"},
                                              {"disclosure", {"vsftpd 3.0.3 in the ftp banner"}}})),
      1u);
  EXPECT_EQ(
      Count("net.disclosure.banner",
            Service({{"port", 21}, {"service", "ftp"}, {"disclosure", nlohmann::json::array()}})),
      0u);

  // security.txt: valid over HTTPS passes 5.2-1; nothing served is INCONCLUSIVE; a firmware
  // security.txt is not the device serving one.
  FactStore valid;
  Evidence e = Live(443);
  valid.Add(facts::kDisclosure,
            {{"kind", "security.txt"},
             {"url", "https://127.0.0.5:443/.well-known/security.txt"},
             {"contact", "mailto:s@example.com"},
             {"valid", true}},
            e, "test");
  auto pass = test::RunCheck("net.disclosure.securitytxt", valid);
  ASSERT_EQ(pass.outcomes.size(), 1u);
  EXPECT_EQ(pass.outcomes[0].verdict, Verdict::kPass);
  FactStore fw;
  fw.Add(facts::kDisclosure,
         {{"kind", "security.txt"}, {"path", "/www/.well-known/security.txt"}, {"valid", true}},
         Evidence{}, "test");
  auto none = test::RunCheck("net.disclosure.securitytxt", fw);
  ASSERT_EQ(none.outcomes.size(), 1u);
  EXPECT_EQ(none.outcomes[0].verdict, Verdict::kInconclusive);
  EXPECT_TRUE(none.findings.empty());
}

}  // namespace
}  // namespace iotcop
