// Unit tests of the parsers that read a live device's bytes (network/): probe matching against
// rules/probes.yaml, HTTP responses as the probes read them, mDNS answers, and the scope parsing
// of --host and --ports. Each is tested with real-shaped input and hostile input. (SSH and SNMP
// are protocols/, tested in protocols_test.cc.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "network/http.h"
#include "network/probes.h"
#include "network/ssh.h"
#include "network/targets.h"
#include "network/tls.h"
#include "network/udp/mdns.h"
#include "network/vulnerabilities.h"
#include "vuln/components.h"

namespace iotcop::network {
namespace {

std::optional<Identification> Identify(std::string_view answer) {
  const auto& probes = BuiltinProbes();
  EXPECT_TRUE(probes) << probes.error().Describe();
  for (const auto& p : *probes)
    if (auto id = MatchProbe(p, answer)) return id;
  return std::nullopt;
}

TEST(NetworkParsers, ProbesIdentifyRealAnswers) {
  auto ssh = Identify("SSH-2.0-dropbear_2022.83\r\n");
  ASSERT_TRUE(ssh);
  EXPECT_EQ(ssh->service, "ssh");
  EXPECT_EQ(ssh->product, "dropbear");
  EXPECT_EQ(ssh->version, "2022.83");
  auto openssh = Identify("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
  ASSERT_TRUE(openssh);
  EXPECT_EQ(openssh->product, "OpenSSH");
  EXPECT_EQ(openssh->version, "9.2p1");

  auto ftp = Identify("220 (vsFTPd 3.0.3)\r\n");
  ASSERT_TRUE(ftp);
  EXPECT_EQ(ftp->service, "ftp");
  EXPECT_EQ(ftp->version, "3.0.3");
  EXPECT_TRUE(ftp->cleartext);

  auto telnet = Identify(std::string("\xff\xfd\x01\xff\xfd\x1f\xff\xfb\x01", 9));
  ASSERT_TRUE(telnet);
  EXPECT_EQ(telnet->service, "telnet");

  auto http = Identify(
      "HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\nServer: lighttpd/1.4.69\r\n\r\n");
  ASSERT_TRUE(http);
  EXPECT_EQ(http->service, "http");
  EXPECT_EQ(http->product, "lighttpd");
  EXPECT_EQ(http->version, "1.4.69");

  auto anon = Identify(std::string("\x20\x02\x00\x00", 4));
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->service, "mqtt");
  EXPECT_EQ(anon->attrs["anonymous"], true);
  auto refused = Identify(std::string("\x20\x02\x00\x05", 4));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->attrs["anonymous"], false);

  auto adb =
      Identify(std::string("CNXN\x00\x00\x00\x01\x00\x10\x00\x00\x30\x00\x00\x00\x00\x00\x00\x00"
                           "\xbc\xb1\xa7\xb1"
                           "device::ro.product.name=x;",
                           50));
  ASSERT_TRUE(adb);
  EXPECT_EQ(adb->service, "adb");
  EXPECT_EQ(adb->attrs["authenticated"], false);

  auto gdb = Identify("+$T0505:00000000;04:00000000;#bd");
  ASSERT_TRUE(gdb);
  EXPECT_EQ(gdb->service, "gdbserver");
}

TEST(NetworkParsers, ProbesIgnoreGarbageAndHugeInput) {
  EXPECT_FALSE(Identify("hello there"));
  EXPECT_FALSE(Identify(std::string(1 << 20, 'A')));  // matched within the 4 KiB window, bounded
  EXPECT_FALSE(Identify(std::string("\x16\x03\x01\x00\x05garbage", 12)));
  // A status line followed by a megabyte without a Server header: still http, found quickly.
  auto big = Identify("HTTP/1.0 200 OK\r\n" + std::string(1 << 20, 'x'));
  ASSERT_TRUE(big);
  EXPECT_EQ(big->service, "http");
  EXPECT_EQ(big->product, "");
}

TEST(NetworkParsers, ProbesRejectBadRegex) {
  const auto dir = std::filesystem::temp_directory_path() / "iotcop-probes-test.yaml";
  {
    std::ofstream(dir) << "probes:\n  - name: x\n    send: \"\"\n    matches:\n"
                          "      - {service: x, pattern: '([a-'}\n";
  }
  auto r = LoadProbes(dir);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().what.find("bad regex"), std::string::npos);
  std::filesystem::remove(dir);
}

TEST(NetworkParsers, HttpResponses) {
  auto r = ParseHttpResponse(
      "HTTP/1.1 301 Moved Permanently\r\nLocation: https://device/\r\nContent-Length: 5\r\n"
      "Server: x\r\n\r\nhello+extra",
      "t");
  ASSERT_TRUE(r) << r.error().Describe();
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(r->Header("location"), "https://device/");
  EXPECT_EQ(r->body, "hello");
  EXPECT_FALSE(r->truncated);

  auto c = ParseHttpResponse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nContact\r\n3;x=y\r\n: "
      "m\r\n0\r\n\r\n",
      "t");
  ASSERT_TRUE(c) << c.error().Describe();
  EXPECT_EQ(c->body, "Contact: m");

  auto t = ParseHttpResponse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", "t");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->truncated);
  EXPECT_EQ(t->body, "short");

  auto chunk_lie =
      ParseHttpResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffff\r\nab", "t");
  ASSERT_TRUE(chunk_lie);
  EXPECT_TRUE(chunk_lie->truncated);

  EXPECT_FALSE(ParseHttpResponse("HTTP/1.1 200 OK\r\nContent-Length: 5", "t"));  // no end
  EXPECT_FALSE(ParseHttpResponse("SSH-2.0-x\r\n\r\n", "t"));
  EXPECT_FALSE(ParseHttpResponse("HTTP/1.1 2x0 OK\r\n\r\n", "t"));
  EXPECT_FALSE(ParseHttpResponse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "t"));
  EXPECT_FALSE(
      ParseHttpResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "t"));
  std::string many = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 200; ++i) many += "X-A: b\r\n";
  auto m = ParseHttpResponse(many + "\r\n", "t");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, Errc::kLimitExceeded);
}

// avahi-daemon's legacy-unicast answer to "_http._tcp.local PTR" (captured from the daemon the
// integration test runs): PTR, TXT, SRV and A records with compressed names.
std::string AvahiAnswer() {
  const std::string q("\x05_http\x04_tcp\x05local\x00", 18);
  auto rr = [](std::uint16_t type, const std::string& d) {
    std::string r("\xc0\x0c", 2);
    r += static_cast<char>(type >> 8);
    r += static_cast<char>(type & 255);
    r += std::string("\x00\x01\x00\x00\x00\x0a\x00", 7);
    r += static_cast<char>(d.size());
    return r + d;
  };
  return std::string("\x00\x00\x84\x00\x00\x01\x00\x04\x00\x00\x00\x00", 12) + q +
         std::string("\x00\x0c\x00\x01", 4) +
         rr(12, std::string("\x07"
                            "Cam web\xc0\x0c",
                            10)) +
         rr(16, "\x0dmodel=IPC-100") +
         rr(33, std::string("\x00\x00\x00\x00\x00\x50\x0aiotcop-cam\xc0\x17", 19)) +
         rr(1, std::string("\x7f\x00\x00\x01", 4));
}

TEST(NetworkParsers, MdnsAnswerAndQuery) {
  const auto a = ParseMdnsAnswer(AvahiAnswer());
  EXPECT_TRUE(a.response);
  EXPECT_EQ(a.pointers, std::vector<std::string>{"Cam web._http._tcp.local"});
  EXPECT_EQ(a.txt, std::vector<std::string>{"model=IPC-100"});
  EXPECT_EQ(a.hosts, std::vector<std::string>{"iotcop-cam.local"});
  const std::string q = MdnsQuery("_services._dns-sd._udp.local");
  EXPECT_EQ(q.size(), 12u + 30u + 4u);
  EXPECT_EQ(q.substr(12, 10), std::string("\x09_services", 10));
  EXPECT_FALSE(ParseMdnsAnswer(q).response);  // a query is not an answer
}

TEST(NetworkParsers, MdnsHostileAnswersEndCleanly) {
  const std::string good = AvahiAnswer();
  // Every truncation: no crash, never more than the whole answer gives.
  for (std::size_t n = 0; n < good.size(); ++n) {
    const auto a = ParseMdnsAnswer(good.substr(0, n));
    EXPECT_LE(a.pointers.size(), 1u);
    EXPECT_LE(a.txt.size(), 1u);
  }
  // A pointer to itself and a pointer forwards are refused; counts far above what is there.
  std::string loop = good;
  loop[6] = '\xff';  // 65535 answers claimed
  loop[7] = '\xff';
  const std::size_t ptr_rdata = 12 + 18 + 4 + 12;  // first record's rdata
  loop[ptr_rdata + 8] = '\xc0';
  loop[ptr_rdata + 9] = static_cast<char>(ptr_rdata + 8);  // points at itself
  const auto a = ParseMdnsAnswer(loop);
  EXPECT_TRUE(a.response);
  EXPECT_TRUE(a.pointers.empty());
  EXPECT_EQ(a.txt, std::vector<std::string>{"model=IPC-100"});
}

TEST(NetworkParsers, PortsAndTargets) {
  auto p = ParsePorts("22,80,8000-8002,top", {23, 80});
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (std::vector<std::uint16_t>{22, 23, 80, 8000, 8001, 8002}));
  EXPECT_EQ(ParsePorts("all", {})->size(), 65535u);
  EXPECT_FALSE(ParsePorts("0", {}));
  EXPECT_FALSE(ParsePorts("65536", {}));
  EXPECT_FALSE(ParsePorts("90-80", {}));
  EXPECT_FALSE(ParsePorts("http", {}));

  auto one = ResolveTarget("127.0.0.5", false);
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, std::vector<std::string>{"127.0.0.5"});
  auto c24 = ResolveTarget("127.0.1.77/24", false);
  ASSERT_TRUE(c24);
  EXPECT_EQ(c24->size(), 254u);
  EXPECT_EQ(c24->front(), "127.0.1.1");
  EXPECT_EQ(c24->back(), "127.0.1.254");
  auto c30 = ResolveTarget("127.0.0.4/30", false);
  ASSERT_TRUE(c30);
  EXPECT_EQ(*c30, (std::vector<std::string>{"127.0.0.5", "127.0.0.6"}));
  auto wide = ResolveTarget("10.0.0.0/23", false);
  ASSERT_FALSE(wide);
  EXPECT_NE(wide.error().what.find("--allow-wide"), std::string::npos);
  auto allowed = ResolveTarget("10.0.0.0/23", true);
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->size(), 510u);
  EXPECT_FALSE(ResolveTarget("10.0.0.0/8", true));  // never wider than /16
  EXPECT_FALSE(ResolveTarget("10.0.0.0/33", false));
  EXPECT_FALSE(ResolveTarget("", false));
  auto local = ResolveTarget("localhost", false);
  ASSERT_TRUE(local);
  EXPECT_EQ(local->front().rfind("127.", 0), 0u);
}

TEST(NetworkParsers, WeakCipherNames) {
  EXPECT_NE(WeakCipherReason("DES-CBC3-SHA"), "");
  EXPECT_NE(WeakCipherReason("ECDHE-RSA-DES-CBC3-SHA"), "");
  EXPECT_NE(WeakCipherReason("RC4-MD5"), "");
  EXPECT_NE(WeakCipherReason("ADH-AES128-SHA"), "");
  EXPECT_NE(WeakCipherReason("NULL-SHA256"), "");
  EXPECT_EQ(WeakCipherReason("ECDHE-RSA-AES128-GCM-SHA256"), "");
  EXPECT_EQ(WeakCipherReason("TLS_AES_256_GCM_SHA384"), "");
}

TEST(NetworkParsers, ServerTokensNameComponents) {
  using P = std::pair<std::string, std::string>;
  const auto t = ServerTokens("Linux/3.14 UPnP/1.0 miniupnpd/2.1");
  EXPECT_EQ(t, (std::vector<P>{{"Linux", "3.14"}, {"UPnP", "1.0"}, {"miniupnpd", "2.1"}}));
  EXPECT_EQ(ServerTokens("Linux/2.6 UPnP/1.0 Portable SDK for UPnP devices/1.6.19").back(),
            (P{"Portable SDK for UPnP devices", "1.6.19"}));
  EXPECT_EQ(ServerTokens("lighttpd/1.4.69"), (std::vector<P>{{"lighttpd", "1.4.69"}}));
  EXPECT_TRUE(ServerTokens("Apache").empty());
  EXPECT_LE(ServerTokens(std::string(100000, 'a') + "/1 " + std::string(50, 'b')).size(), 8u);
  std::string many;
  for (int i = 0; i < 50; ++i) many += "x/1 ";
  EXPECT_EQ(ServerTokens(many).size(), 8u);
  // Named as components of rules/components.yaml, by name or by `services`.
  const auto& rules = vuln::BuiltinComponentRules();
  ASSERT_TRUE(rules) << rules.error().Describe();
  const vuln::ComponentRule* dropbear = vuln::FindServiceComponent(*rules, "dropbear");
  ASSERT_NE(dropbear, nullptr);
  EXPECT_EQ(dropbear->vendor, "dropbear_ssh_project");
  EXPECT_EQ(dropbear->product, "dropbear_ssh");
  ASSERT_NE(vuln::FindServiceComponent(*rules, "OpenSSH"), nullptr);
  EXPECT_EQ(vuln::FindServiceComponent(*rules, "OpenSSH")->vendor, "openbsd");
  ASSERT_NE(vuln::FindServiceComponent(*rules, "Portable SDK for UPnP devices"), nullptr);
  EXPECT_EQ(vuln::FindServiceComponent(*rules, "vsftpd")->product, "vsftpd");
  EXPECT_EQ(vuln::FindServiceComponent(*rules, "UPnP"), nullptr);
  EXPECT_EQ(vuln::FindServiceComponent(*rules, ""), nullptr);
}

TEST(NetworkParsers, SshHostKeysJudgedAsSshAudit) {
  auto level = [](const char* type, int bits, const char* curve = "") {
    const auto j = JudgeSshHostKey({type, curve, bits});
    return j.is_null() ? std::string("good") : j["level"].get<std::string>();
  };
  EXPECT_EQ(level("ssh-rsa", 1024), "fail");
  EXPECT_EQ(level("ssh-rsa", 2047), "fail");
  EXPECT_EQ(level("ssh-rsa", 2048), "warn");
  EXPECT_EQ(level("ssh-rsa", 3072), "good");
  EXPECT_EQ(level("ssh-dss", 1024), "fail");
  EXPECT_EQ(level("ecdsa-sha2-nistp256", 256, "nistp256"), "warn");
  EXPECT_EQ(level("ssh-ed25519", 256), "good");
  EXPECT_NE(JudgeSshHostKey({"ssh-rsa", "", 1024})["why"].get<std::string>().find("1024-bit RSA"),
            std::string::npos);
}

}  // namespace
}  // namespace iotcop::network
