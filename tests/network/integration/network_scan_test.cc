// The connect scan over all 65535 ports of a loopback device inside the test's own namespace:
// it finds exactly the daemons' ports, quickly. Its adaptive rate against a device behind a
// rate-limiting firewall (nftables `limit rate` in the test's own namespace) and one whose firewall
// drops a range of ports by policy. And --host through the CLI end to end, with a CIDR block, the
// default scope (every port of one address, the top ports of a range) and the scope guard that
// refuses a block wider than /24.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "network/scanner.h"
#include "support/net_devices.h"
#include "support/netns.h"
#include "support/test_support.h"

namespace iotcop {
namespace {

TEST(NetworkScan, AllPortsOfADeviceFindExactlyItsListeners) {
  if (std::string why = test::EnterPrivateNetwork(); !why.empty()) GTEST_SKIP() << why;
  test::TempDir dir;
  const std::string addr = "127.0.0.8";
  test::Daemon mqtt, ssh;
  if (auto e = test::StartMosquitto(mqtt, dir.path(), addr, 31883); !e.empty()) GTEST_SKIP() << e;
  if (auto e = test::StartDropbear(ssh, dir.path(), addr, true); !e.empty()) GTEST_SKIP() << e;
  std::vector<std::uint16_t> ports;
  for (unsigned p = 1; p <= 65535; ++p) ports.push_back(static_cast<std::uint16_t>(p));
  network::Limits limits;
  limits.rate = 0;
  limits.connect_timeout = std::chrono::milliseconds(500);
  network::ScanStats stats;
  const auto t0 = std::chrono::steady_clock::now();
  auto open = network::ScanTcp({addr}, ports, limits, 512, network::ScanPace{}, stats);
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(open) << open.error().Describe();
  std::vector<std::uint16_t> found;
  for (const auto& o : *open) found.push_back(o.port);
  EXPECT_EQ(found, (std::vector<std::uint16_t>{22, 31883}));
  EXPECT_EQ(stats.tried, 65535u);
  EXPECT_EQ(stats.open + stats.refused + stats.timed_out + stats.errors, 65535u);
  EXPECT_LT(took, std::chrono::seconds(30));  // a few seconds on loopback; generous for CI
}

TEST(NetworkScan, RateLimitIsObeyed) {
  if (std::string why = test::EnterPrivateNetwork(); !why.empty()) GTEST_SKIP() << why;
  std::vector<std::uint16_t> ports;
  for (unsigned p = 40000; p < 40060; ++p) ports.push_back(static_cast<std::uint16_t>(p));
  network::Limits limits;
  network::ScanPace pace;
  pace.max_rate = 100;  // 100/s: 60 connects take >= 0.59 s, however fast the answers come
  network::ScanStats stats;
  const auto t0 = std::chrono::steady_clock::now();
  auto open = network::ScanTcp({"127.0.0.9"}, ports, limits, 512, pace, stats);
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(open);
  EXPECT_TRUE(open->empty());
  EXPECT_EQ(stats.refused, 60u);
  EXPECT_LE(stats.peak_rate, 100.0);
  EXPECT_GE(took, std::chrono::milliseconds(450));  // a lower bound: the cap held us back
}

// Runs `nft -f -` with `rules` inside the test's namespace; "" or why not.
std::string Nft(const std::string& rules) {
  if (!test::HaveTool("nft")) return "nft is not installed (scripts/install-deps.sh --test)";
  const auto r = test::RunShell("nft -f - <<'EOF'\n" + rules + "\nEOF\n");
  return r.exit_code == 0 ? "" : "nft refused the rules: " + r.err;
}

std::vector<int> Listen(const std::string& addr, const std::vector<std::uint16_t>& ports) {
  std::vector<int> fds;
  for (auto p : ports) fds.push_back(test::BindLoopback(SOCK_STREAM, addr, p));
  return fds;
}

// Scans ports 1..`last` of `address`, where `listeners` listen, behind the nftables `rule`; the
// ports found open. Empty `skip` unless nftables is missing.
struct FirewalledScan {
  std::string skip;
  std::vector<std::uint16_t> found;
  network::ScanStats stats;
};
FirewalledScan ScanBehindRule(const std::string& address, const std::string& rule,
                              const std::vector<std::uint16_t>& listeners, unsigned last,
                              std::chrono::milliseconds timeout) {
  FirewalledScan r;
  r.skip = Nft("table inet iotcop_test {\n chain in {\n  type filter hook input priority 0;\n  " +
               rule + "\n }\n}");
  if (!r.skip.empty()) return r;
  const auto fds = Listen(address, listeners);
  for (int fd : fds) EXPECT_GE(fd, 0);
  std::vector<std::uint16_t> ports;
  for (unsigned p = 1; p <= last; ++p) ports.push_back(static_cast<std::uint16_t>(p));
  network::Limits limits;
  limits.connect_timeout = timeout;
  auto open = network::ScanTcp({address}, ports, limits, 512, network::ScanPace{}, r.stats);
  EXPECT_TRUE(open) << open.error().Describe();
  if (open)
    for (const auto& o : *open) r.found.push_back(o.port);
  for (int fd : fds)
    if (fd >= 0) ::close(fd);
  return r;
}

// A device behind a firewall that drops SYNs beyond 1500 a second (nmap's nemesis): a fixed fast
// rate loses ports; the adaptive scan halves its rate on loss, resends what went unanswered and
// finds every listener.
TEST(NetworkScan, AdaptiveRateFindsEveryPortBehindARateLimitingFirewall) {
  if (std::string why = test::EnterPrivateNetwork(); !why.empty()) GTEST_SKIP() << why;
  const std::vector<std::uint16_t> listeners = {7, 1234, 2222, 3001, 4500, 5999, 7777, 7999};
  const FirewalledScan r = ScanBehindRule(
      "127.0.0.10", "ip daddr 127.0.0.10 tcp flags syn limit rate over 1500/second drop", listeners,
      8000, std::chrono::milliseconds(1000));
  if (!r.skip.empty()) GTEST_SKIP() << r.skip;
  EXPECT_EQ(r.found, listeners) << "retries " << r.stats.retries << ", cuts " << r.stats.rate_cuts;
  EXPECT_GE(r.stats.rate_cuts, 1u);  // it met the limit and slowed down
  EXPECT_GE(r.stats.retries, 1u);    // and sent the lost connects again
  EXPECT_FALSE(r.stats.policy_drops);
  EXPECT_EQ(r.stats.tried, 8000u);
  EXPECT_EQ(r.stats.open + r.stats.refused + r.stats.timed_out + r.stats.errors, 8000u);
  EXPECT_EQ(r.stats.timed_out, 0u);
}

// A firewall that silently drops a range of ports by policy is not congestion: once resent probes
// meet only silence the scan stops resending and goes back to its rate; the ports outside the
// range are all found and the dropped ones end as timed out.
TEST(NetworkScan, PortsDroppedByPolicyAreNotTakenForCongestion) {
  if (std::string why = test::EnterPrivateNetwork(); !why.empty()) GTEST_SKIP() << why;
  // 1500 is behind the drop
  const FirewalledScan r =
      ScanBehindRule("127.0.0.11", "ip daddr 127.0.0.11 tcp dport 1000-1999 drop", {80, 1500, 2500},
                     3000, std::chrono::milliseconds(300));
  if (!r.skip.empty()) GTEST_SKIP() << r.skip;
  EXPECT_EQ(r.found, (std::vector<std::uint16_t>{80, 2500}));
  EXPECT_TRUE(r.stats.policy_drops);
  EXPECT_EQ(r.stats.timed_out, 1000u);
  EXPECT_LT(r.stats.retries, 1000u);  // it stopped resending
}

TEST(NetworkScan, CliAssessesACidrBlockAndRefusesWideOnes) {
  if (std::string why = test::EnterPrivateNetwork(); !why.empty()) GTEST_SKIP() << why;
  test::TempDir dir;
  test::Daemon telnet;
  if (auto e = test::StartTelnetd(telnet, dir.path(), "127.0.0.14"); !e.empty()) GTEST_SKIP() << e;
  const auto out = dir / "out";
  const auto r = test::RunIotcop(
      "assess --host 127.0.0.12/30 --ports 23,80 --rate 0 --timeout 600 "
      "--no-udp --format json -q -o " +
      out.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(test::ReadFile(out / "report.json"));
  bool telnet_found = false;
  for (const auto& f : j["findings"])
    if (f["check"] == "net.services.telnet") {
      telnet_found = true;
      EXPECT_NE(f.dump().find("127.0.0.14:23/tcp"), std::string::npos);
    }
  EXPECT_TRUE(telnet_found) << j["findings"].dump();
  EXPECT_EQ(j["extras"]["network"]["hosts"][0]["addresses"], 2);
  EXPECT_EQ(j["extras"]["network"]["hosts"][0]["scope"], "--ports 23,80");

  // By default a single address gets every port, a range the top ports, and the report says so.
  test::Daemon mqtt;
  if (auto e = test::StartMosquitto(mqtt, dir.path(), "127.0.0.15", 41883); !e.empty())
    GTEST_SKIP() << e;
  const auto one = test::RunIotcop("assess --host 127.0.0.15 --no-udp --format json -q -o " +
                                   (dir / "one").string());
  const auto jo = nlohmann::json::parse(test::ReadFile(dir / "one/report.json"));
  const auto& h = jo["extras"]["network"]["hosts"][0];
  EXPECT_EQ(h["ports"], 65535) << h.dump();
  EXPECT_EQ(h["scope"], "all ports: the default for a single address");
  EXPECT_NE(jo["facts"].dump().find("\"port\":41883"), std::string::npos);  // not a top port
  const auto range = test::RunIotcop("assess --host 127.0.0.12/30 --no-udp --format json -q -o " +
                                     (dir / "range").string());
  const auto jr = nlohmann::json::parse(test::ReadFile(dir / "range/report.json"));
  EXPECT_EQ(jr["extras"]["network"]["hosts"][0]["scope"],
            "top ports: the default for a range (--ports all for every port)");

  const auto wide =
      test::RunIotcop("assess --host 127.0.0.0/16 -q --format json -o " + (dir / "w").string());
  EXPECT_EQ(wide.exit_code, 3);
  const auto w = nlohmann::json::parse(test::ReadFile(dir / "w/report.json"));
  EXPECT_EQ(w["inputs"][0]["status"], "failed");
  EXPECT_NE(w["problems"].dump().find("--allow-wide"), std::string::npos);
}

}  // namespace
}  // namespace iotcop
