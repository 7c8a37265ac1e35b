// File: tests/network/integration/network_robustness_test.cc
// The robustness campaign against deliberately fragile servers written here (one crashes on an
// oversized header, one hangs on it, one echoes its input unescaped) and against real lighttpd and
// mosquitto, which must come out clean.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "network/robustness.h"
#include "support/netns.h"
#include "support/network_login_fixture.h"
#include "support/test_support.h"

namespace iotcop::test {
namespace {

namespace fs = std::filesystem;

// A small HTTP server on addr:port in a thread. Every answer echoes the request line raw (the
// reflection bug). On a request over 4 KiB it "crashes" (closes its listening socket) or "hangs"
// (never accepts again), unless it is `sturdy`.
class FragileServer {
 public:
  enum Mode { kCrash, kHang, kSturdy };
  FragileServer(const std::string& addr, std::uint16_t port, Mode mode) : mode_(mode) {
    listen_ = test::BindLoopback(SOCK_STREAM, addr, port);
    ok_ = listen_ >= 0;
    if (ok_) thread_ = std::thread([this] { Serve(); });
  }
  ~FragileServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (listen_ >= 0) ::close(listen_);
  }
  bool ok() const { return ok_; }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{listen_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int c = ::accept(listen_, nullptr, nullptr);
      if (c < 0) continue;
      std::string req;
      char buf[8192];
      timeval tv{0, 300000};
      ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      while (req.find("\r\n\r\n") == std::string::npos && req.size() < (1 << 20)) {
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        req.append(buf, static_cast<std::size_t>(n));
      }
      if (req.size() > 4096 && mode_ != kSturdy) {
        ::close(c);
        if (mode_ == kCrash) {
          ::close(listen_);
          listen_ = -1;
        } else {
          while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // stuck
        }
        return;
      }
      const std::string line = req.substr(0, req.find("\r\n"));
      const std::string body = "<html>No such page: " + line + "</html>";
      const std::string resp = fmt::format(
          "HTTP/1.0 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{}",
          body.size(), body);
      (void)::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }
  Mode mode_;
  int listen_ = -1;
  bool ok_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class NetworkRobustnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = EnterPrivateNetwork();
    if (!why.empty()) GTEST_SKIP() << why;
  }
  Assessment Campaign(const network::Endpoint& e) {
    Assessment a = NetworkAssessment(e.address);
    auto l = TestLimits();
    l.io_timeout = std::chrono::milliseconds(800);
    network::RunRobustness({e}, l, a);
    RunAllChecks(a);
    return a;
  }
  std::size_t Count(const Assessment& a, const std::string& kind) {
    std::size_t n = 0;
    for (const Fact* f : FactsOf(a, facts::kRobustnessResult)) n += f->value["kind"] == kind;
    return n;
  }
};

TEST_F(NetworkRobustnessTest, CrashOnOversizedHeaderIsFound) {
  FragileServer s("127.0.0.21", 8080, FragileServer::kCrash);
  ASSERT_TRUE(s.ok());
  Assessment a = Campaign(LoopbackEndpoint("127.0.0.21", 8080, "http"));
  auto found = FindingsOf(a, "net.robustness.crash");
  ASSERT_EQ(found.size(), 1u) << Dump(a);
  EXPECT_NE(found[0]->title.find("oversized"), std::string::npos) << found[0]->title;
  EXPECT_EQ(found[0]->evidence[0].endpoint, "127.0.0.21:8080/tcp");
  EXPECT_TRUE(FindingsOf(a, "net.robustness.hang").empty());
  // The campaign stopped at the crash: one batch, and the summary says so.
  EXPECT_EQ(Count(a, "summary"), 1u);
  for (const Fact* f : FactsOf(a, facts::kRobustnessResult))
    if (f->value["kind"] == "summary") {
      EXPECT_TRUE(f->value["stopped"].get<bool>());
    }
}

TEST_F(NetworkRobustnessTest, HangOnOversizedHeaderIsFound) {
  FragileServer s("127.0.0.22", 8080, FragileServer::kHang);
  ASSERT_TRUE(s.ok());
  Assessment a = Campaign(LoopbackEndpoint("127.0.0.22", 8080, "http"));
  EXPECT_EQ(FindingsOf(a, "net.robustness.hang").size(), 1u) << Dump(a);
  EXPECT_TRUE(FindingsOf(a, "net.robustness.crash").empty()) << Dump(a);
}

TEST_F(NetworkRobustnessTest, ReflectedMarkerIsFoundButNoCrash) {
  FragileServer s("127.0.0.23", 8080, FragileServer::kSturdy);
  ASSERT_TRUE(s.ok());
  Assessment a = Campaign(LoopbackEndpoint("127.0.0.23", 8080, "http"));
  EXPECT_TRUE(FindingsOf(a, "net.robustness.crash").empty()) << Dump(a);
  EXPECT_TRUE(FindingsOf(a, "net.robustness.hang").empty()) << Dump(a);
  auto inj = FindingsOf(a, "net.robustness.injection");
  ASSERT_GE(inj.size(), 1u) << Dump(a);
  EXPECT_GE(Count(a, "reflected"), 1u);
  EXPECT_EQ(Count(a, "executed"), 0u);  // it echoes $((6*7)) literally: no shell ran it
  EXPECT_EQ(Count(a, "traversal"), 0u);
}

TEST_F(NetworkRobustnessTest, LighttpdComesOutClean) {
  TempDir tmp;
  fs::create_directories(tmp / "www");
  WriteFile(tmp / "www" / "index.html", "<html>ok</html>\n");
  WriteFile(tmp / "lighttpd.conf",
            fmt::format("server.document-root = \"{0}/www\"\nserver.bind = \"127.0.0.24\"\n"
                        "server.port = 80\nserver.errorlog = \"{0}/error.log\"\n",
                        tmp.path().string()));
  Daemon d;
  const std::string err =
      d.Start({"lighttpd", "-D", "-f", (tmp / "lighttpd.conf").string()}, (tmp / "log").string());
  if (!err.empty() || !WaitForTcp("127.0.0.24", 80))
    GTEST_SKIP() << "lighttpd did not start: " << err;
  Assessment a = Campaign(LoopbackEndpoint("127.0.0.24", 80, "http"));
  EXPECT_TRUE(FindingsOf(a, "net.robustness.").empty()) << Dump(a);
  ASSERT_EQ(Count(a, "summary"), 1u) << Dump(a);
  for (const Fact* f : FactsOf(a, facts::kRobustnessResult)) {
    EXPECT_GE(f->value["payloads"].get<int>(), 20);
    EXPECT_FALSE(f->value["stopped"].get<bool>());
  }
  bool pass = false;
  for (const auto& o : a.outcomes)
    if (o.check_id == "net.robustness.crash" && o.provision == "5.13-1")
      pass = o.verdict == Verdict::kPass;
  EXPECT_TRUE(pass) << Dump(a);
  EXPECT_TRUE(d.running());
}

TEST_F(NetworkRobustnessTest, MosquittoComesOutClean) {
  TempDir tmp;
  WriteFile(tmp / "m.conf", "listener 1883 127.0.0.25\nallow_anonymous true\nuser root\n");
  Daemon d;
  const std::string err =
      d.Start({"mosquitto", "-c", (tmp / "m.conf").string()}, (tmp / "log").string());
  if (!err.empty() || !WaitForTcp("127.0.0.25", 1883))
    GTEST_SKIP() << "mosquitto did not start: " << err;
  Assessment a = Campaign(LoopbackEndpoint("127.0.0.25", 1883, "mqtt"));
  EXPECT_TRUE(FindingsOf(a, "net.robustness.").empty()) << Dump(a);
  ASSERT_EQ(Count(a, "summary"), 1u) << Dump(a);
  EXPECT_TRUE(d.running());
}

TEST_F(NetworkRobustnessTest, SilentServiceIsSkippedWithAProblem) {
  Assessment a = Campaign(LoopbackEndpoint("127.0.0.26", 80, "http"));
  EXPECT_TRUE(FactsOf(a, facts::kRobustnessResult).empty());
  ASSERT_EQ(a.problems.size(), 1u);
  EXPECT_EQ(a.problems[0].path, "127.0.0.26:80/tcp");
}

}  // namespace
}  // namespace iotcop::test
