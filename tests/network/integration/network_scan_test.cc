// The connect scan over all 65535 ports of a loopback device inside the test's own namespace:
// it finds exactly the daemons' ports, quickly. And --host through the CLI end to end, with a
// CIDR block, and the scope guard that refuses a block wider than /24.
#include <gtest/gtest.h>

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
  network::RateLimiter rate(0);
  network::ScanStats stats;
  const auto t0 = std::chrono::steady_clock::now();
  auto open = network::ScanTcp({addr}, ports, limits, 512, rate, stats);
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
  network::RateLimiter rate(100);  // burst 10, then 100/s: 60 connects take >= 0.5 s
  network::ScanStats stats;
  const auto t0 = std::chrono::steady_clock::now();
  auto open = network::ScanTcp({"127.0.0.9"}, ports, limits, 512, rate, stats);
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(open);
  EXPECT_TRUE(open->empty());
  EXPECT_EQ(stats.refused, 60u);
  EXPECT_GE(took, std::chrono::milliseconds(450));  // a lower bound: the limiter held us back
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

  const auto wide =
      test::RunIotcop("assess --host 127.0.0.0/16 -q --format json -o " + (dir / "w").string());
  EXPECT_EQ(wide.exit_code, 3);
  const auto w = nlohmann::json::parse(test::ReadFile(dir / "w/report.json"));
  EXPECT_EQ(w["inputs"][0]["status"], "failed");
  EXPECT_NE(w["problems"].dump().find("--allow-wide"), std::string::npos);
}

}  // namespace
}  // namespace iotcop
