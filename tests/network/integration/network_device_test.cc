// Live-device assessment against real Debian daemons on 127.0.0.N inside the test's own network
// namespace: an insecure device (BusyBox telnetd, vsftpd anonymous, mosquitto anonymous, lighttpd
// HTTP and a self-signed TLS listener accepting TLS 1.0, dropbear with passwords) must yield each
// finding; a hardened one (dropbear key-only, lighttpd TLS 1.2+ only, no cleartext) none. The TLS
// versions are compared with sslscan and the SSH algorithms with ssh-audit on the same listeners.
#include <gtest/gtest.h>

#include <ctime>
#include <set>
#include <sstream>

#include "assess/pipeline.h"
#include "core/fact_kinds.h"
#include "support/net_devices.h"
#include "support/netns.h"
#include "support/test_support.h"

namespace iotcop {
namespace {

namespace fs = std::filesystem;

class NetworkDevice : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = test::EnterPrivateNetwork(); !why.empty()) GTEST_SKIP() << why;
    auto c = Catalogue::Load(Catalogue::DefaultDir());
    ASSERT_TRUE(c) << c.error().Describe();
    catalogue_ = std::move(c).value();
  }

  Assessment Assess(const std::string& host, const std::string& ports = "top") {
    AssessOptions o;
    o.hosts = {host};
    o.network.ports = ports;
    o.network.limits.rate = 0;
    o.network.limits.io_timeout = std::chrono::milliseconds(1500);
    o.network.limits.connect_timeout = std::chrono::milliseconds(500);
    o.work_dir = dir_ / "work";
    Progress p;
    return RunAssessment(o, catalogue_, p);
  }

  static std::vector<const Finding*> Findings(const Assessment& a, std::string_view check) {
    std::vector<const Finding*> out;
    for (const auto& f : a.findings)
      if (f.check_id == check) out.push_back(&f);
    return out;
  }
  static const Fact* Service(const Assessment& a, std::uint16_t port,
                             const char* transport = "tcp") {
    for (const Fact* f : a.facts.OfKind(facts::kNetworkService))
      if (f->value["port"] == port && f->value["transport"] == transport) return f;
    return nullptr;
  }
  static const Fact* One(const Assessment& a, const char* kind) {
    const auto v = a.facts.OfKind(kind);
    return v.empty() ? nullptr : v.front();
  }
  static std::string Dump(const Assessment& a) {
    std::string out;
    for (const auto& f : a.findings) out += f.check_id + ": " + f.title + "\n";
    for (const auto& p : a.problems) out += "problem: " + p.path + " " + p.message + "\n";
    return out;
  }

  test::TempDir dir_;
  Catalogue catalogue_;
};

TEST_F(NetworkDevice, InsecureDeviceYieldsEachFinding) {
  const std::string addr = "127.0.0.5";
  test::Daemon web, mqtt, ftp, telnet, ssh;
  test::LighttpdConfig lc;
  lc.address = addr;
  std::vector<std::string> errors;
  auto need = [&](const std::string& e) {
    if (!e.empty()) errors.push_back(e);
  };
  fs::create_directories(dir_ / "mqtt");
  fs::create_directories(dir_ / "ftp");
  fs::create_directories(dir_ / "telnet");
  fs::create_directories(dir_ / "ssh");
  need(test::StartLighttpd(web, dir_ / "web", lc));
  need(test::StartMosquitto(mqtt, dir_ / "mqtt", addr));
  need(test::StartVsftpd(ftp, dir_ / "ftp", addr));
  need(test::StartTelnetd(telnet, dir_ / "telnet", addr));
  need(test::StartDropbear(ssh, dir_ / "ssh", addr, false));
  if (!errors.empty()) GTEST_SKIP() << errors.front();

  const Assessment a = Assess(addr);
  ASSERT_EQ(a.inputs.size(), 1u);
  EXPECT_EQ(a.inputs[0].status, "ok");
  // Every daemon identified.
  struct Want {
    std::uint16_t port;
    const char* service;
  };
  for (const Want& w : {Want{21, "ftp"}, Want{22, "ssh"}, Want{23, "telnet"}, Want{80, "http"},
                        Want{443, "https"}, Want{1883, "mqtt"}}) {
    const Fact* s = Service(a, w.port);
    ASSERT_NE(s, nullptr) << w.port << "\n" << Dump(a);
    EXPECT_EQ(s->value["service"], w.service) << s->value.dump();
    EXPECT_EQ(s->evidence.endpoint, addr + ":" + std::to_string(w.port) + "/tcp");
    EXPECT_EQ(s->evidence.source, InputKind::kNetwork);
  }
  EXPECT_EQ(Service(a, 1883)->value["anonymous"], true);
  EXPECT_EQ(Service(a, 21)->value["product"], "vsftpd");

  // Each finding, citing the endpoint.
  for (const char* check : {"net.services.telnet", "net.cleartext.ftp", "net.cleartext.http",
                            "net.cleartext.mqtt", "net.tls.versions", "net.disclosure.banner"}) {
    const auto f = Findings(a, check);
    ASSERT_FALSE(f.empty()) << check << "\n" << Dump(a);
    EXPECT_FALSE(f[0]->evidence.empty());
    EXPECT_NE(f[0]->evidence[0].endpoint.find(addr), std::string::npos);
  }
  EXPECT_NE(Findings(a, "net.tls.versions")[0]->title.find("TLSv1.0"), std::string::npos);
  EXPECT_TRUE(Findings(a, "net.ssh.auth").empty());

  // TLS: self-signed recorded, names the address, not expired, 2048-bit RSA.
  const Fact* tls = One(a, facts::kTlsEndpoint);
  ASSERT_NE(tls, nullptr);
  const auto& cert = tls->value["certificate"];
  EXPECT_EQ(cert["self_signed"], true);
  EXPECT_EQ(cert["expired"], false);
  EXPECT_EQ(cert["key_bits"], 2048);
  EXPECT_EQ(cert["name_match"], true);
  // Self-signed: the chain does not verify, which only informs 5.5-1.
  const auto cert_findings = Findings(a, "net.tls.certificate");
  ASSERT_EQ(cert_findings.size(), 1u) << Dump(a);
  EXPECT_TRUE(cert_findings[0]->provisions.empty());
  EXPECT_EQ(cert["verify_reason"], "self-signed") << cert.dump();

  // SSH: algorithms read and password logins offered.
  const Fact* ssh_fact = One(a, facts::kSshEndpoint);
  ASSERT_NE(ssh_fact, nullptr);
  EXPECT_EQ(ssh_fact->value["password_auth"], true) << ssh_fact->value.dump();
  EXPECT_FALSE(ssh_fact->value["kex"].empty());

  // The verdicts: 5.5-1 and 5.6-1 fail on live evidence.
  for (const auto& v : a.provision_verdicts) {
    if (v.id == "5.5-1" || v.id == "5.6-1") {
      EXPECT_EQ(v.verdict, Verdict::kFail) << v.id;
    }
  }
  // Every connection bounded and summarised.
  ASSERT_TRUE(a.extras.contains("network"));
  EXPECT_GE(a.extras["network"]["hosts"][0]["open"].get<int>(), 6);

  // Versions match sslscan on the same listener.
  if (test::HaveTool("sslscan")) {
    const auto r = test::RunShell(
        "sslscan --no-colour --no-cipher-details --no-groups --no-check-certificate " + addr +
        ":443");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream in(r.out);
    int compared = 0;
    for (std::string line; std::getline(in, line);) {
      std::istringstream l(line);
      std::string version, state;
      l >> version >> state;
      if (!tls->value["versions"].contains(version) || (state != "enabled" && state != "disabled"))
        continue;
      const auto& mine = tls->value["versions"][version];
      if (mine.is_null()) continue;  // this OpenSSL cannot offer it (SSLv3)
      EXPECT_EQ(mine.get<bool>(), state == "enabled") << version << ": sslscan says " << state;
      ++compared;
    }
    EXPECT_GE(compared, 4) << r.out;
  }
  // Algorithms match ssh-audit on the same server.
  if (test::HaveTool("ssh-audit")) {
    const auto r = test::RunShell("ssh-audit -j " + addr);
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.out << r.err;
    auto names = [](const nlohmann::json& list) {
      std::set<std::string> out;
      for (const auto& e : list)
        out.insert(e.is_string() ? e.get<std::string>() : e["algorithm"].get<std::string>());
      return out;
    };
    auto mine = [&](const char* k) { return names(ssh_fact->value[k]); };
    EXPECT_EQ(mine("kex"), names(j["kex"]));
    EXPECT_EQ(mine("host_keys"), names(j["key"]));
    EXPECT_EQ(mine("ciphers"), names(j["enc"]));
    EXPECT_EQ(mine("macs"), names(j["mac"]));
  }
}

TEST_F(NetworkDevice, HardenedDeviceComesOutClean) {
  const std::string addr = "127.0.0.6";
  test::Daemon web, ssh;
  test::LighttpdConfig lc;
  lc.address = addr;
  lc.http_port = 0;
  lc.min_tls = "TLSv1.2";
  lc.cipher_string = "ECDHE+AESGCM:ECDHE+CHACHA20";
  lc.server_tag = false;
  // A valid security.txt: Expires within a year (RFC 9116 advice), 180 days ahead.
  {
    std::time_t t = std::time(nullptr) + 180 * 86400;
    char buf[32];
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    lc.security_txt = std::string("Contact: mailto:security@example.com\nExpires: ") + buf +
                      "\nPolicy: https://example.com/security\n";
  }
  fs::create_directories(dir_ / "ssh");
  if (auto e = test::StartLighttpd(web, dir_ / "web", lc); !e.empty()) GTEST_SKIP() << e;
  if (auto e = test::StartDropbear(ssh, dir_ / "ssh", addr, true); !e.empty()) GTEST_SKIP() << e;

  const Assessment a = Assess(addr);
  ASSERT_EQ(a.inputs.size(), 1u);
  // Nothing decides a provision: the self-signed certificate informs 5.5-1 and the version in
  // dropbear's SSH identification string informs 5.6-2 (template banner.ssh-version).
  ASSERT_EQ(a.findings.size(), 2u) << Dump(a);
  for (const auto& f : a.findings) {
    EXPECT_TRUE(f.provisions.empty()) << Dump(a);
    EXPECT_TRUE(f.check_id == "net.tls.certificate" ||
                f.subject.rfind("template:banner.ssh-version:", 0) == 0)
        << Dump(a);
  }
  const Fact* s443 = Service(a, 443);
  ASSERT_NE(s443, nullptr);
  EXPECT_EQ(s443->value["service"], "https");
  const Fact* tls = One(a, facts::kTlsEndpoint);
  ASSERT_NE(tls, nullptr);
  EXPECT_EQ(tls->value["versions"]["TLSv1.0"], false);
  EXPECT_EQ(tls->value["versions"]["TLSv1.1"], false);
  EXPECT_EQ(tls->value["versions"]["TLSv1.2"], true);
  const Fact* ssh_fact = One(a, facts::kSshEndpoint);
  ASSERT_NE(ssh_fact, nullptr);
  EXPECT_EQ(ssh_fact->value["password_auth"], false) << ssh_fact->value.dump();
  EXPECT_EQ(ssh_fact->value["auth_methods"], nlohmann::json::array({"publickey"}));
  // security.txt fetched over HTTPS and valid: 5.2-1 passes on live evidence.
  const Fact* d = One(a, facts::kDisclosure);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->value["transport"], "https");
  EXPECT_EQ(d->value["valid"], true) << d->value.dump();
  for (const auto& v : a.provision_verdicts) {
    if (v.id == "5.2-1") {
      EXPECT_EQ(v.verdict, Verdict::kPass) << v.reason;
    }
    if (v.id == "5.5-1") {
      EXPECT_EQ(v.verdict, Verdict::kPass) << v.reason;
    }
  }
}

TEST_F(NetworkDevice, WeakCertificateAndHttpOnlySecurityTxt) {
  const std::string addr = "127.0.0.11";
  test::Daemon web;
  test::LighttpdConfig lc;
  lc.address = addr;
  lc.security_txt = "Contact: mailto:security@example.com\n";  // no Expires: invalid
  fs::create_directories(dir_ / "web");
  // An expired 1024-bit certificate in place of the one StartLighttpd makes.
  if (auto e = test::StartLighttpd(web, dir_ / "web", lc); !e.empty()) GTEST_SKIP() << e;
  web.Stop();
  if (auto e = test::MakeSelfSigned(dir_ / "web/old.pem", addr, -1, 1024); !e.empty())
    GTEST_SKIP() << e;
  fs::copy_file(dir_ / "web/old.pem", dir_ / "web/server.pem",
                fs::copy_options::overwrite_existing);
  const auto conf = test::ReadFile(dir_ / "web/lighttpd.conf");
  std::string err = web.Start({"lighttpd", "-D", "-f", (dir_ / "web/lighttpd.conf").string()},
                              (dir_ / "web/l2.log").string());
  if (!err.empty() || !test::WaitForTcp(addr, 443))
    GTEST_SKIP() << "lighttpd restart: " << err << conf;

  const Assessment a = Assess(addr, "80,443");
  // The weak certificate decides 5.5-1; that it does not verify (self-signed) only informs it.
  std::vector<const Finding*> cert;
  for (const Finding* f : Findings(a, "net.tls.certificate"))
    if (!f->provisions.empty()) cert.push_back(f);
  ASSERT_EQ(cert.size(), 1u) << Dump(a);
  EXPECT_NE(cert[0]->title.find("expired"), std::string::npos) << cert[0]->title;
  EXPECT_NE(cert[0]->title.find("1024-bit rsa"), std::string::npos) << cert[0]->title;
  // security.txt is served (https first) but invalid: 5.2-1 stays inconclusive and says why.
  const Fact* d = One(a, facts::kDisclosure);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->value["valid"], false);
  for (const auto& v : a.provision_verdicts)
    if (v.id == "5.2-1") {
      EXPECT_EQ(v.verdict, Verdict::kInconclusive);
    }
}

}  // namespace
}  // namespace iotcop
