// UDP discovery end to end: in-test responders on 127.0.0.13 speak SNMP (a GetResponse with
// sysDescr, only to the community "public") and SSDP (a LOCATION pointing at a UPnP device
// description served by a real lighttpd); no Debian daemon in the test set speaks these. The
// assessment must report SNMP with a default community and what the UPnP description discloses.
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
#include "network/udp.h"
#include "support/net_devices.h"
#include "support/netns.h"
#include "support/test_support.h"

namespace iotcop {
namespace {

// Answers each datagram on addr:port with reply(request) (nothing when it returns "").
class UdpResponder {
 public:
  UdpResponder(const std::string& addr, std::uint16_t port,
               std::function<std::string(const std::string&)> reply)
      : reply_(std::move(reply)) {
    fd_ = test::BindLoopback(SOCK_DGRAM, addr, port);
    ok_ = fd_ >= 0;
    if (ok_) thread_ = std::thread([this] { Serve(); });
  }
  ~UdpResponder() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
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
      const std::string out = reply_(std::string(buf, static_cast<std::size_t>(n)));
      if (!out.empty())
        (void)::sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }
  std::function<std::string(const std::string&)> reply_;
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
  ASSERT_EQ(network::SnmpSysDescr(SnmpResponse('\1', "public", "Linux cam 4.9")), "Linux cam 4.9");
  UdpResponder snmp(addr, 161, [](const std::string& req) {
    return req.find("public") != std::string::npos
               ? SnmpResponse(req[4], "public", "Linux cam 4.9.37 armv7l")
               : std::string();
  });
  UdpResponder ssdp(addr, 1900, [&addr](const std::string& req) {
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

}  // namespace
}  // namespace iotcop
