// Real exchanges on loopback inside the test's own network namespace: tcpdump records curl with
// HTTP Basic against python3's http.server and mosquitto_pub with a password against mosquitto;
// iotcop must find both credentials (redacted), the MQTT telemetry and the e-mail address in it,
// the HTTP requests, and a program fetched under a picture's name as a cleartext download.
// Then `assess --iface lo` captures live while curl runs, and the errors of --iface (no such
// interface, no privileges) are clear.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/netns.h"
#include "support/test_support.h"

namespace iotcop {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using test::Q;

std::string SkipReason(std::initializer_list<const char*> tools) {
  if (auto why = test::EnterPrivateNetwork(); !why.empty()) return why;
  for (const char* t : tools)
    if (!test::HaveTool(t)) return std::string(t) + " not installed";
  return {};
}

// python3 -m http.server on 127.0.0.2:8080, or "" on success.
std::string StartHttp(test::Daemon& d, const test::TempDir& dir) {
  fs::create_directories(dir / "www");
  test::WriteFile(dir / "www" / "index.html", "<p>camera</p>\n");
  if (auto e = d.Start({"python3", "-m", "http.server", "--bind", "127.0.0.2", "--directory",
                        (dir / "www").string(), "8080"},
                       (dir / "http.log").string());
      !e.empty())
    return e;
  return test::WaitForTcp("127.0.0.2", 8080) ? "" : "http.server did not start: " + d.Log();
}

nlohmann::json Report(const fs::path& out) {
  return nlohmann::json::parse(test::ReadFile(out / "report.json"));
}

std::set<std::string> CredentialProtocols(const nlohmann::json& j) {
  std::set<std::string> out;
  for (const auto& f : j["facts"])
    if (f["kind"] == "cleartext_credential") out.insert(f["value"]["protocol"].get<std::string>());
  return out;
}

TEST(TrafficLive, TcpdumpOfCurlAndMosquitto) {
  if (auto why = SkipReason({"tcpdump", "curl", "python3", "mosquitto", "mosquitto_pub"});
      !why.empty())
    GTEST_SKIP() << why;
  test::TempDir dir;
  test::Daemon http, broker, dump;
  if (auto e = StartHttp(http, dir); !e.empty()) GTEST_SKIP() << e;
  test::WriteFile(dir / "mosquitto.conf",
                  "listener 1883 127.0.0.3\nallow_anonymous true\npersistence false\n");
  if (auto e = broker.Start({"mosquitto", "-c", (dir / "mosquitto.conf").string()},
                            (dir / "mosquitto.log").string());
      !e.empty() || !test::WaitForTcp("127.0.0.3", 1883))
    GTEST_SKIP() << "mosquitto did not start: " << e << broker.Log();
  const fs::path pcap = dir / "live.pcap";
  if (auto e = dump.Start({"tcpdump", "-i", "lo", "--immediate-mode", "-U", "-Z", "root", "-s", "0",
                           "-w", pcap.string()},
                          (dir / "tcpdump.log").string());
      !e.empty())
    GTEST_SKIP() << "tcpdump: " << e;
  for (int i = 0; i < 100 && dump.Log().find("listening on") == std::string::npos; ++i)
    std::this_thread::sleep_for(50ms);
  if (dump.Log().find("listening on") == std::string::npos)
    GTEST_SKIP() << "tcpdump: " << dump.Log();

  auto c = test::RunShell("curl -s -o /dev/null -u camuser:CurlPass123 http://127.0.0.2:8080/");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  // A real program served under a picture's name: a cleartext download by its magic bytes.
  fs::copy_file("/bin/true", dir / "www" / "pic.jpg");
  auto elf = test::RunShell("curl -s -o /dev/null 'http://127.0.0.2:8080/pic.jpg?w=1'");
  ASSERT_EQ(elf.exit_code, 0) << elf.err;
  auto m = test::RunShell(
      "mosquitto_pub -h 127.0.0.3 -p 1883 -i cam-7 -u camuser -P MqttPass456 -t cam/state -m "
      "'{\"owner\":\"bob@example.org\",\"t\":21.5}'");
  ASSERT_EQ(m.exit_code, 0) << m.err;
  // Until tcpdump has written the last packet (the MQTT DISCONNECT and close), at most 3 s.
  for (std::uintmax_t last = 0, now = 1; now != last; std::this_thread::sleep_for(500ms)) {
    last = now;
    now = fs::exists(pcap) ? fs::file_size(pcap) : 0;
  }
  dump.Stop();
  ASSERT_TRUE(fs::exists(pcap));

  auto r = test::RunIotcop("assess --pcap " + Q(pcap) + " -o " + Q(dir / "out") +
                           " --format json,html,text -q");
  ASSERT_TRUE(fs::exists(dir / "out" / "report.json")) << r.err;
  auto j = Report(dir / "out");
  EXPECT_EQ(CredentialProtocols(j), (std::set<std::string>{"http", "mqtt"}))
      << dump.Log() << test::RunShell("tshark -r " + Q(pcap) + " 2>&1 | head -30").out;
  bool telemetry = false, email = false, http_named = false;
  for (const auto& f : j["facts"]) {
    const auto& v = f["value"];
    if (f["kind"] == "cleartext_telemetry" && v["protocol"] == "mqtt")
      telemetry = v["topics"] == nlohmann::json::array({"cam/state"});
    if (f["kind"] == "personal_data" && v["type"] == "email") email = true;
    if (f["kind"] == "destination" && v["address"] == "127.0.0.2" && v["port"] == 8080)
      http_named = v["protocol"] == "HTTP" && !v["encrypted"].get<bool>();
  }
  EXPECT_TRUE(telemetry);
  EXPECT_TRUE(email);
  EXPECT_TRUE(http_named);
  std::set<std::string> requests;
  for (const auto& f : j["facts"])
    if (f["kind"] == "http_request")
      requests.insert(f["value"]["method"].get<std::string>() + " " +
                      f["value"]["path"].get<std::string>() + " " +
                      f["value"]["payload"].get<std::string>());
  EXPECT_EQ(requests, (std::set<std::string>{"GET / ", "GET /pic.jpg?w=1 elf"}));
  int downloads = 0;
  for (const auto& f : j["findings"]) {
    if (f["check"] != "traffic.cleartext.download") continue;
    ++downloads;
    EXPECT_EQ(f["provisions"], nlohmann::json::array({"5.5-1"}));
    EXPECT_NE(f["title"].get<std::string>().find("/pic.jpg"), std::string::npos);
  }
  EXPECT_EQ(downloads, 1);
  for (const char* f : {"report.json", "report.html", "report.txt"}) {
    const std::string text = test::ReadFile(dir / "out" / f);
    EXPECT_EQ(text.find("CurlPass123"), std::string::npos) << f;
    EXPECT_EQ(text.find("MqttPass456"), std::string::npos) << f;
    EXPECT_EQ(text.find("bob@example.org"), std::string::npos) << f;
  }
}

TEST(TrafficLive, IfaceCapturesWhileCurlRuns) {
  if (auto why = SkipReason({"curl", "python3"}); !why.empty()) GTEST_SKIP() << why;
  test::TempDir dir;
  test::Daemon http;
  if (auto e = StartHttp(http, dir); !e.empty()) GTEST_SKIP() << e;
  auto r = test::RunShell(
      // curl logs in several times during the capture window: a slow start of the capture
      // (sanitizer builds) must not miss every one of them.
      "(for i in 1 2 3 4 5 6; do sleep 0.7; curl -s -o /dev/null -u cam:IfacePass789 "
      "http://127.0.0.2:8080/; done) & " IOTCOP_BINARY
      " assess --iface lo "
      "--capture-seconds 6 -o " +
      Q(dir / "out") + " --format json -q; rc=$?; wait; exit $rc");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir / "out" / "capture-lo.pcap"));
  ASSERT_TRUE(fs::exists(dir / "out" / "report.json")) << r.err;
  auto j = Report(dir / "out");
  EXPECT_EQ(CredentialProtocols(j), (std::set<std::string>{"http"}));
  EXPECT_EQ(j["inputs"][0]["name"], (dir / "out" / "capture-lo.pcap").string());
}

TEST(TrafficLive, IfaceErrorsAreClear) {
  if (auto why = test::EnterPrivateNetwork(); !why.empty()) GTEST_SKIP() << why;
  test::TempDir dir;
  auto r = test::RunIotcop("assess --iface nosuch0 --capture-seconds 1 -o " + Q(dir / "o1"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("--iface nosuch0"), std::string::npos) << r.err;
  if (!test::HaveTool("setpriv") || ::geteuid() != 0) GTEST_SKIP() << "needs root and setpriv";
  fs::create_directories(dir / "o2");
  ::chmod((dir / "o2").c_str(), 0777);
  auto n = test::RunShell("setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all " +
                          std::string(IOTCOP_BINARY) +
                          " assess --iface lo --capture-seconds 1 -o " + Q(dir / "o2"));
  EXPECT_EQ(n.exit_code, 3) << n.err;
  EXPECT_NE(n.err.find("needs privileges"), std::string::npos) << n.err;
}

}  // namespace
}  // namespace iotcop
