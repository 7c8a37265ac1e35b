// UDP discovery end to end: in-test responders on 127.0.0.13 speak SNMP (a GetResponse with
// sysDescr, only to the community "public") and SSDP (a LOCATION pointing at a UPnP device
// description served by a real lighttpd); no Debian daemon in the test set speaks these. The
// assessment must report SNMP with a default community and what the UPnP description discloses.
// Real Debian responders for the rest: libcoap's coap-server (its .well-known/core, and the CoAP
// robustness payloads it must survive), atftpd (reads without authentication) and avahi-daemon
// (DNS-SD services and TXT records over unicast); and silence must report nothing.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "assess/pipeline.h"
#include "core/fact_kinds.h"
#include "network/robustness.h"
#include "network/udp/mdns.h"
#include "network/udp/udp.h"
#include "protocols/snmp.h"
#include "support/net_devices.h"
#include "support/netns.h"
#include "support/network_login_fixture.h"
#include "support/test_support.h"

namespace iotcop {
namespace {

// Answers each datagram on addr:port with reply(request) (nothing when it returns "").
class UdpResponder {
 public:
  // `reply` may set `die`: the responder then closes its socket (a crashed service).
  UdpResponder(const std::string& addr, std::uint16_t port,
               std::function<std::string(const std::string&, bool& die)> reply)
      : reply_(std::move(reply)) {
    fd_ = test::BindLoopback(SOCK_DGRAM, addr, port);
    ok_ = fd_ >= 0;
    if (ok_) thread_ = std::thread([this] { Serve(); });
  }
  ~UdpResponder() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return ok_; }

 private:
  void Serve() {
    char buf[2048];
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      sockaddr_in from{};
      socklen_t len = sizeof from;
      const ssize_t n =
          ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n <= 0) continue;
      bool die = false;
      const std::string out = reply_(std::string(buf, static_cast<std::size_t>(n)), die);
      if (!out.empty())
        (void)::sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
      if (die) {
        ::close(fd_);
        fd_ = -1;
        return;
      }
    }
  }
  std::function<std::string(const std::string&, bool&)> reply_;
  int fd_ = -1;
  bool ok_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string Tlv(unsigned char tag, const std::string& v) {
  return std::string(1, static_cast<char>(tag)) + static_cast<char>(v.size()) + v;
}

// A GetResponse carrying sysDescr.0 for `version` and `community`.
std::string SnmpResponse(char version, const std::string& community, const std::string& descr) {
  const std::string oid("\x2b\x06\x01\x02\x01\x01\x01\x00", 8);
  const std::string vb = Tlv(0x30, Tlv(0x30, Tlv(0x06, oid) + Tlv(0x04, descr)));
  const std::string pdu = Tlv(0xa2, Tlv(0x02, "\x01") + Tlv(0x02, std::string(1, '\0')) +
                                        Tlv(0x02, std::string(1, '\0')) + vb);
  return Tlv(0x30, Tlv(0x02, std::string(1, version)) + Tlv(0x04, community) + pdu);
}

TEST(NetworkUdp, SnmpDefaultCommunityAndUpnpDescription) {
  if (std::string why = test::EnterPrivateNetwork(); !why.empty()) GTEST_SKIP() << why;
  auto cat = Catalogue::Load(Catalogue::DefaultDir());
  ASSERT_TRUE(cat) << cat.error().Describe();
  test::TempDir dir;
  const std::string addr = "127.0.0.13";
  // The response must parse with the same reader the probe uses.
  ASSERT_EQ(protocols::SnmpSysDescr(SnmpResponse('\1', "public", "Linux cam 4.9")),
            "Linux cam 4.9");
  UdpResponder snmp(addr, 161, [](const std::string& req, bool&) {
    return req.find("public") != std::string::npos
               ? SnmpResponse(req[4], "public", "Linux cam 4.9.37 armv7l")
               : std::string();
  });
  UdpResponder ssdp(addr, 1900, [&addr](const std::string& req, bool&) {
    if (!req.starts_with("M-SEARCH")) return std::string();
    return "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: upnp:rootdevice\r\nLOCATION: "
           "http://" +
           addr + ":8080/desc.xml\r\nSERVER: Linux/4.9 UPnP/1.0 miniupnpd/2.1\r\n\r\n";
  });
  ASSERT_TRUE(snmp.ok() && ssdp.ok());
  test::Daemon web;
  test::LighttpdConfig lc;
  lc.address = addr;
  lc.http_port = 8080;
  lc.https_port = 0;
  if (auto e = test::StartLighttpd(web, dir / "web", lc); !e.empty()) GTEST_SKIP() << e;
  test::WriteFile(dir / "web/www/desc.xml",
                  "<?xml version=\"1.0\"?><root><device><friendlyName>Cam</friendlyName>"
                  "<manufacturer>Acme</manufacturer><modelName>IPC-100</modelName>"
                  "<serialNumber>SN123456</serialNumber></device></root>");

  AssessOptions o;
  o.hosts = {addr};
  o.network.ports = "8080";
  o.network.limits.rate = 0;
  o.network.limits.io_timeout = std::chrono::milliseconds(800);
  o.work_dir = dir / "work";
  Progress p;
  const Assessment a = RunAssessment(o, *cat, p);

  const Fact* snmp_fact = nullptr;
  const Fact* ssdp_fact = nullptr;
  for (const Fact* f : a.facts.OfKind(facts::kNetworkService)) {
    if (f->value["service"] == "snmp") snmp_fact = f;
    if (f->value["service"] == "ssdp") ssdp_fact = f;
  }
  ASSERT_NE(snmp_fact, nullptr);
  EXPECT_EQ(snmp_fact->value["community"], "public");
  EXPECT_EQ(snmp_fact->evidence.endpoint, addr + ":161/udp");
  ASSERT_NE(ssdp_fact, nullptr);
  EXPECT_EQ(ssdp_fact->value["description"]["serialNumber"], "SN123456");
  std::set<std::string> checks;
  std::string titles;
  for (const auto& f : a.findings) {
    checks.insert(f.check_id);
    titles += f.title + "\n";
  }
  EXPECT_TRUE(checks.contains("net.cleartext.snmp")) << titles;
  EXPECT_NE(titles.find("SN123456"), std::string::npos) << titles;  // UPnP disclosure
  EXPECT_NE(titles.find("sysDescr"), std::string::npos) << titles;  // SNMP disclosure
}

// A UDP-only assessment of `addr` (TCP: one port nothing listens on).
Assessment AssessUdp(const std::string& addr, const test::TempDir& dir, bool robustness = false) {
  AssessOptions o = test::LiveOptions(addr, "9", dir / "work");
  o.network.robustness = robustness;
  o.network.limits.io_timeout = std::chrono::milliseconds(600);
  return test::RunLive(o);
}

const Fact* ServiceFact(const Assessment& a, const std::string& service) {
  for (const Fact* f : a.facts.OfKind(facts::kNetworkService))
    if (f->value["service"] == service) return f;
  return nullptr;
}

std::string Titles(const Assessment& a, const std::string& check) {
  std::string t;
  for (const auto& f : a.findings)
    if (f.check_id == check) t += f.title + "\n";
  return t;
}

class NetworkUdpDaemon : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = test::EnterPrivateNetwork(); !why.empty()) GTEST_SKIP() << why;
  }
  test::TempDir dir_;
};

TEST_F(NetworkUdpDaemon, CoapServerResourcesAndRobustnessWithoutFalseCrash) {
  const std::string addr = "127.0.0.14";
  test::Daemon coap;
  if (auto e = test::StartCoapServer(coap, dir_ / "coap", addr); !e.empty()) GTEST_SKIP() << e;
  const Assessment a = AssessUdp(addr, dir_, true);
  const Fact* f = ServiceFact(a, "coap");
  ASSERT_NE(f, nullptr) << test::Dump(a);
  EXPECT_EQ(f->evidence.endpoint, addr + ":5683/udp");
  EXPECT_EQ(f->value["code"], "2.05");
  const auto& res = f->value["resources"];
  EXPECT_NE(std::find(res.begin(), res.end(), "/time"), res.end()) << res.dump();
  EXPECT_NE(std::find(res.begin(), res.end(), "/example_data"), res.end()) << res.dump();
  EXPECT_NE(Titles(a, "net.disclosure.banner").find("</time>"), std::string::npos)
      << Titles(a, "net.disclosure.banner");
  // The CoAP batch ran to its end against the real server, which is still up: no crash, no hang.
  const Fact* summary = nullptr;
  for (const Fact* r : a.facts.OfKind(facts::kRobustnessResult)) {
    EXPECT_NE(r->value["kind"], "crash") << r->value.dump();
    EXPECT_NE(r->value["kind"], "hang") << r->value.dump();
    if (r->value["kind"] == "summary" && r->value["service"] == "coap") summary = r;
  }
  ASSERT_NE(summary, nullptr) << test::Dump(a);
  EXPECT_EQ(summary->value["stopped"], false);
  EXPECT_EQ(summary->value["batches"], 1);
  EXPECT_GE(summary->value["payloads"].get<int>(), 6);
  EXPECT_TRUE(test::FindingsOf(a, "net.robustness.").empty()) << test::Dump(a);
  EXPECT_TRUE(coap.running()) << coap.Log();
}

TEST_F(NetworkUdpDaemon, CoapServiceThatDiesOnMalformedInputIsACrash) {
  const std::string addr = "127.0.0.14";
  // Answers well-formed GETs (version 1) and dies on the first datagram that is not one.
  UdpResponder fragile(addr, 5683, [](const std::string& req, bool& die) {
    if (req.size() < 4 || (static_cast<unsigned char>(req[0]) >> 6) != 1) {
      die = true;
      return std::string();
    }
    return std::string("\x60\x45", 2) + req.substr(2, 2) + "\xff</>";
  });
  ASSERT_TRUE(fragile.ok());
  Assessment a = test::NetworkAssessment(addr);
  auto limits = test::TestLimits();
  limits.io_timeout = std::chrono::milliseconds(400);
  network::RunRobustness({test::LoopbackEndpoint(addr, 5683, "coap", "udp")}, limits, a);
  test::RunAllChecks(a);
  const auto crash = test::FindingsOf(a, "net.robustness.crash");
  ASSERT_EQ(crash.size(), 1u) << test::Dump(a);
  EXPECT_NE(crash[0]->message.find("malformed"), std::string::npos) << crash[0]->message;
}

TEST_F(NetworkUdpDaemon, TftpServesReadsWithoutAuthentication) {
  const std::string addr = "127.0.0.14";
  test::Daemon tftp;
  if (auto e = test::StartAtftpd(tftp, dir_ / "tftpd", addr); !e.empty()) GTEST_SKIP() << e;
  test::WriteFile(dir_ / "tftpd/tftp/config.bin", "wifi_psk=secret\n");
  const Assessment a = AssessUdp(addr, dir_);
  const Fact* f = ServiceFact(a, "tftp");
  ASSERT_NE(f, nullptr) << test::Dump(a);
  EXPECT_EQ(f->evidence.endpoint, addr + ":69/udp");
  EXPECT_EQ(f->value["reads"], true);
  EXPECT_NE(f->value["read_answer"].get<std::string>().find("error 1"), std::string::npos);
  const auto found = test::FindingsOf(a, "net.cleartext.tftp");
  ASSERT_EQ(found.size(), 1u) << test::Dump(a);
  EXPECT_NE(found[0]->title.find("serves reads without authentication"), std::string::npos)
      << found[0]->title;
  EXPECT_EQ(found[0]->severity, Severity::kHigh);
}

TEST_F(NetworkUdpDaemon, MdnsServicesTxtAndHostName) {
  test::Daemon avahi;
  if (auto e = test::StartAvahi(avahi, dir_ / "avahi", "iotcop-cam"); !e.empty()) GTEST_SKIP() << e;
  // avahi answers from the address of lo.
  const Assessment a = AssessUdp("127.0.0.1", dir_);
  network::RateLimiter unlimited(0);
  const std::string raw =
      network::UdpExchange("127.0.0.1", 5353, network::MdnsQuery("_http._tcp.local"),
                           std::chrono::milliseconds(500), 65536, unlimited);
  SCOPED_TRACE("avahi's answer to _http._tcp.local: " + network::Printable(raw, 400));
  const Fact* f = ServiceFact(a, "mdns");
  ASSERT_NE(f, nullptr) << test::Dump(a);
  ASSERT_EQ(f->value["services"].size(), 1u) << f->value.dump();
  const auto& http = f->value["services"][0];
  EXPECT_EQ(http["type"], "_http._tcp.local");
  EXPECT_EQ(http["instances"], nlohmann::json::array({"Cam web._http._tcp.local"})) << http;
  EXPECT_EQ(http["txt"], nlohmann::json::array({"model=IPC-100"})) << http;
  EXPECT_EQ(f->value["hosts"], nlohmann::json::array({"iotcop-cam.local"})) << f->value;
  const std::string t = Titles(a, "net.disclosure.banner");
  EXPECT_NE(t.find("model=IPC-100"), std::string::npos) << t;
  EXPECT_NE(t.find("iotcop-cam.local"), std::string::npos) << t;
}

TEST_F(NetworkUdpDaemon, SilenceReportsNoUdpService) {
  // Nothing listens on 127.0.0.16: no UDP service, no finding of the UDP checks.
  network::Limits l;
  l.io_timeout = std::chrono::milliseconds(300);
  l.rate = 0;
  network::RateLimiter unlimited(0);
  EXPECT_TRUE(network::ProbeUdp("127.0.0.16", l, unlimited).empty());
  const Assessment a = AssessUdp("127.0.0.16", dir_, true);
  for (const Fact* f : a.facts.OfKind(facts::kOpenPort)) ADD_FAILURE() << f->value.dump();
  for (const char* c :
       {"net.cleartext.tftp", "net.cleartext.snmp", "net.disclosure.banner", "net.robustness."})
    EXPECT_TRUE(test::FindingsOf(a, c).empty()) << c << test::Dump(a);
}

}  // namespace
}  // namespace iotcop
