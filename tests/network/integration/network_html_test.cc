// File: tests/network/integration/network_html_test.cc
// The HTML report's Live device section from a real assessment (`iotcop assess --host`) of a test
// device in the test's private network namespace: lighttpd on 127.0.0.17 with a TLS listener that
// accepts TLS 1.0 and HTTP Basic admin/admin, and an in-test FTP-like service whose banner is
// markup. The section must list the services, the TLS listener, the login found over https and
// the scan, and show the hostile banner escaped; a report without live facts has no such section.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "report/renderer.h"
#include "support/net_devices.h"
#include "support/netns.h"
#include "support/test_support.h"

namespace iotcop::test {
namespace {

namespace fs = std::filesystem;

std::string Q(const fs::path& p) { return "'" + p.string() + "'"; }

std::string SectionOf(const std::string& html) {
  const auto at = html.find("<section id=\"live-device\"");
  if (at == std::string::npos) return {};
  return html.substr(at, html.find("</section>", at) - at);
}

TEST(NetworkHtml, LiveDeviceSectionFromARealAssessment) {
  if (std::string why = EnterPrivateNetwork(); !why.empty()) GTEST_SKIP() << why;
  TempDir dir;
  const std::string addr = "127.0.0.17";
  // lighttpd: HTTPS only, Basic admin/admin, TLS 1.0 accepted.
  Daemon web;
  LighttpdConfig lc;
  lc.address = addr;
  lc.http_port = 0;
  lc.admin_password = "admin";
  if (auto e = StartLighttpd(web, dir / "web", lc); !e.empty()) GTEST_SKIP() << e;

  // A service whose banner is markup: the page must show it as text.
  const int lfd = BindLoopback(SOCK_STREAM, addr, 2121);
  ASSERT_GE(lfd, 0);
  std::atomic<bool> stop{false};
  std::thread banner([&] {
    while (!stop) {
      const int c = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK);
      if (c < 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      const std::string b = "220 <script>alert(1)</script> & FTP-x 1.0 ready\r\n";
      (void)::send(c, b.data(), b.size(), MSG_NOSIGNAL);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      ::close(c);
    }
  });
  struct Join {
    std::atomic<bool>& s;
    std::thread& t;
    int fd;
    ~Join() {
      s = true;
      t.join();
      ::close(fd);
    }
  } join{stop, banner, lfd};
  ::fcntl(lfd, F_SETFL, O_NONBLOCK);

  const fs::path out = dir / "out";
  const auto r = RunIotcop(fmt::format(
      "assess --host {} --ports 443,2121 --no-udp --rate 0 --timeout 1500 -o {} --format "
      "html,json -q",
      addr, Q(out)));
  const std::string html = ReadFile(out / "report.html");
  ASSERT_FALSE(html.empty()) << r.out << r.err;
  EXPECT_NE(html.find("<a href=\"#live-device\">Live device</a>"), std::string::npos);
  const std::string s = SectionOf(html);
  ASSERT_FALSE(s.empty()) << r.err;
  // Scan, services, TLS, login.
  EXPECT_NE(s.find("<caption>Scan</caption>"), std::string::npos) << s;
  EXPECT_NE(s.find(addr + ":443/tcp"), std::string::npos) << s;
  EXPECT_NE(s.find("<caption>TLS listeners</caption>"), std::string::npos) << s;
  EXPECT_NE(s.find("<strong>TLSv1.0, "), std::string::npos) << s;  // TLS 1.0 accepted, marked
  EXPECT_NE(s.find("CN=" + addr), std::string::npos) << s;
  EXPECT_NE(s.find("<caption>Default-credential logins</caption>"), std::string::npos) << s;
  EXPECT_NE(s.find("https://" + addr + ":443/"), std::string::npos) << s;
  EXPECT_NE(s.find("<strong>logged in</strong>"), std::string::npos) << s;
  EXPECT_EQ(s.find(">admin</td><td>admin<"), std::string::npos) << s;  // password redacted
  // The hostile banner, escaped.
  EXPECT_NE(s.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; FTP-x"), std::string::npos) << s;
  EXPECT_EQ(html.find("<script>alert(1)"), std::string::npos);
}

TEST(NetworkHtml, NoLiveFactsNoSection) {
  Assessment a;
  a.inputs.push_back({InputKind::kDeclaration, "decl.yaml"});
  const report::Renderer* r = report::FindRenderer("html");
  ASSERT_NE(r, nullptr);
  std::ostringstream out;
  ASSERT_TRUE(r->Render(a, Catalogue{}, out).ok());
  EXPECT_NE(out.str().find("<section id=\"findings\""), std::string::npos);
  EXPECT_EQ(out.str().find("live-device"), std::string::npos);
}

}  // namespace
}  // namespace iotcop::test
