// Hostile peers (issue 8, item 10): in-test servers that tarpit (accept, never answer), send an
// endless banner, answer a TLS ClientHello with garbage, or reset every connection, beside a real
// telnetd on the same address. The assessment must end in bounded time, record each hostile port,
// and still report the telnet finding.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "assess/pipeline.h"
#include "core/fact_kinds.h"
#include "support/net_devices.h"
#include "support/netns.h"
#include "support/test_support.h"

namespace iotcop {
namespace {

enum class Behaviour { kTarpit, kEndless, kGarbage, kReset };

// One listening socket served by one thread until stop.
class HostileServer {
 public:
  HostileServer(const std::string& addr, std::uint16_t port, Behaviour b) : b_(b) {
    fd_ = test::BindLoopback(SOCK_STREAM, addr, port);
    ok_ = fd_ >= 0;
    if (ok_) thread_ = std::thread([this] { Serve(); });
  }
  ~HostileServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (int c : clients_) ::close(c);
    ::close(fd_);
  }
  bool ok() const { return ok_; }
  int accepted() const { return accepted_; }

 private:
  void Serve() {
    const std::string garbage(512, '\x5a');
    std::string endless(4096, 'A');
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) {
        if (b_ == Behaviour::kEndless) Feed(endless);
        continue;
      }
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (c < 0) continue;
      ++accepted_;
      switch (b_) {
        case Behaviour::kTarpit:
        case Behaviour::kEndless:
          clients_.push_back(c);  // held open; endless ones are fed every round
          break;
        case Behaviour::kGarbage: {
          pollfd q{c, POLLIN, 0};
          ::poll(&q, 1, 500);
          char buf[1024];
          (void)::recv(c, buf, sizeof buf, 0);
          (void)::send(c, garbage.data(), garbage.size(), MSG_NOSIGNAL);
          clients_.push_back(c);
          break;
        }
        case Behaviour::kReset: {
          linger l{1, 0};
          ::setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
          ::close(c);
          break;
        }
      }
    }
  }
  void Feed(const std::string& data) {
    for (int c : clients_) (void)::send(c, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }

  Behaviour b_;
  int fd_ = -1;
  bool ok_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::vector<int> clients_;
  std::thread thread_;
};

TEST(NetworkHostile, HostilePeersAreSurvived) {
  if (std::string why = test::EnterPrivateNetwork(); !why.empty()) GTEST_SKIP() << why;
  auto cat = Catalogue::Load(Catalogue::DefaultDir());
  ASSERT_TRUE(cat) << cat.error().Describe();
  test::TempDir dir;
  const std::string addr = "127.0.0.7";
  HostileServer tarpit(addr, 2000, Behaviour::kTarpit), endless(addr, 2001, Behaviour::kEndless),
      garbage(addr, 443, Behaviour::kGarbage), reset(addr, 2003, Behaviour::kReset);
  ASSERT_TRUE(tarpit.ok() && endless.ok() && garbage.ok() && reset.ok());
  test::Daemon telnet;
  if (auto e = test::StartTelnetd(telnet, dir.path(), addr); !e.empty()) GTEST_SKIP() << e;

  AssessOptions o;
  o.hosts = {addr};
  o.network.ports = "23,443,2000-2003";
  o.network.limits.rate = 0;
  o.network.limits.io_timeout = std::chrono::milliseconds(800);
  o.network.limits.connect_timeout = std::chrono::milliseconds(300);
  o.network.limits.max_bytes = 16 * 1024;
  o.work_dir = dir / "work";
  Progress p;
  const auto t0 = std::chrono::steady_clock::now();
  const Assessment a = RunAssessment(o, *cat, p);
  const auto took = std::chrono::steady_clock::now() - t0;
  // Bounded: each port gets at most a few I/O timeouts (4 x 800 ms budget plus its deeper probe),
  // and ports are probed in parallel. Generous against a loaded CI machine.
  EXPECT_LT(took, std::chrono::seconds(40));

  std::map<int, std::string> services;
  for (const Fact* f : a.facts.OfKind(facts::kNetworkService))
    if (f->value["transport"] == "tcp") services[f->value["port"].get<int>()] = f->value["service"];
  EXPECT_EQ(services[23], "telnet");
  for (int port : {443, 2000, 2001})
    ASSERT_TRUE(services.contains(port)) << port;  // recorded, not lost
  EXPECT_EQ(services[2000], "unknown");
  EXPECT_EQ(services[2001], "unknown");
  EXPECT_EQ(services[443], "unknown");  // garbage is no TLS and no HTTP
  // The endless banner was cut at the byte cap, shown bounded.
  for (const Fact* f : a.facts.OfKind(facts::kNetworkService)) {
    if (f->value["port"] == 2001) {
      EXPECT_FALSE(f->value["banner"].get<std::string>().empty());
      EXPECT_LE(f->value["banner"].get<std::string>().size(), 400u);
    }
  }
  bool telnet_found = false;
  for (const auto& f : a.findings)
    telnet_found = telnet_found || f.check_id == "net.services.telnet";
  EXPECT_TRUE(telnet_found);
  EXPECT_GT(tarpit.accepted(), 0);
  EXPECT_GT(garbage.accepted(), 0);
}

}  // namespace
}  // namespace iotcop
