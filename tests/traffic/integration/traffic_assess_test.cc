// `iotcop assess --pcap` end to end on captures the tests write with libpcap: a dirty capture
// where every traffic finding type must appear (credentials of each protocol, cleartext
// telemetry, personal data, a firmware download, TLS 1.0 with RC4, an expired self-signed
// certificate) with every secret redacted in every report, and a clean TLS 1.3 capture where none
// may; pcapng; malformed captures (truncated, unknown link type, absurd caplen, bad IP lengths)
// that keep what was read; --device; the firmware's update URL seen fetched in cleartext; the
// HTML destinations section; and tshark's conversation list as the reference.
#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "support/pcap_writer.h"
#include "support/test_support.h"

namespace iotcop {
namespace {

namespace fs = std::filesystem;
using test::PcapWriter;
using test::TcpConversation;

using test::Q;

const char* kSecrets[] = {"xmhdipc",     "ftpS3cret!",  "admin123456",          "formPa55word",
                          "mqttT0ken99", "pop3Secret7", "correct horse battery"};

// Device 192.168.1.20 talking to the Internet (and a second device, 192.168.1.30).
void WriteDirty(const fs::path& path, int dlt = DLT_EN10MB) {
  PcapWriter w(path, dlt);
  const std::string dev = "192.168.1.20";
  w.Udp("192.168.1.1", 53, dev, 40000, test::DnsResponse("cloud.vendor.example", "198.51.100.7"));
  {  // telnet login to a router
    TcpConversation t(w, dev, 40001, "203.0.113.5", 23);
    t.Server(
        "\xff\xfd\x18"
        "router login: ");
    t.Client("root\r\n", 1);
    t.Server("Password: ");
    t.Client("xmhdipc\r\n", 3);
    t.Close();
  }
  {  // FTP login and a firmware download
    TcpConversation f(w, dev, 40002, "203.0.113.6", 21);
    f.Server("220 ProFTPD\r\n");
    f.Client("USER upd\r\n");
    f.Server("331 Password required\r\n");
    f.Client("PASS ftpS3cret!\r\n");
    f.Server("230 ok\r\n");
    f.Client("RETR /pub/cam-v2.1.bin\r\n");
    f.Server("150 Opening\r\n226 done\r\n");
    f.Close();
  }
  {  // HTTP Basic + a firmware image over plain HTTP
    TcpConversation h(w, dev, 40003, "198.51.100.7", 80);
    h.Client(
        "GET /fw/latest.bin HTTP/1.1\r\nHost: cloud.vendor.example\r\n"
        "Authorization: Basic YWRtaW46YWRtaW4xMjM0NTY=\r\n\r\n");  // admin:admin123456
    const std::string body = std::string("\x27\x05\x19\x56", 4) + std::string(3000, 'F');
    h.Server("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body);
    h.Close();
  }
  {  // a login form and a JSON report with personal data
    TcpConversation h(w, dev, 40004, "198.51.100.7", 80);
    const std::string form = "user=owner&password=formPa55word";
    h.Client(
        "POST /login HTTP/1.1\r\nHost: cloud.vendor.example\r\nContent-Type: "
        "application/x-www-form-urlencoded\r\nContent-Length: " +
        std::to_string(form.size()) + "\r\n\r\n" + form);
    h.Server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    h.Close();
  }
  {  // MQTT with a password, telemetry with personal data
    TcpConversation m(w, dev, 40005, "198.51.100.8", 1883);
    m.Client(test::MqttConnect("cam-42", "cam42", "mqttT0ken99"));
    m.Server(std::string("\x20\x02\x00\x00", 4));
    m.Client(test::MqttPublish(
        "cam42/status",
        R"({"owner":"alice@example.com","phone":"+44 20 7946 0018","lat":51.5007,"lon":-0.1246,)"
        R"("ssid":"HomeNet","psk":"correct horse battery","mac":"a4:2b:b0:11:22:33"})"));
    m.Close();
  }
  {  // POP3
    TcpConversation p(w, dev, 40006, "203.0.113.9", 110);
    p.Server("+OK POP3 ready\r\n");
    p.Client("USER cam\r\nPASS pop3Secret7\r\n");
    p.Close();
  }
  // CoAP telemetry over UDP
  w.Udp(dev, 40007, "203.0.113.10", 5683, test::CoapPost("/sensors/temp", "21.5"));
  {  // TLS 1.0 with RC4 and an expired self-signed certificate
    TcpConversation t(w, dev, 40008, "203.0.113.11", 443);
    t.Client(test::TlsClientHello("legacy.vendor.example", {}, {0x0005, 0x002f}));
    t.Server(test::TlsServerHello(0x0301, 0x0005,
                                  {test::SelfSignedCertificate("legacy.vendor.example", true)}));
    t.Close();
  }
  {  // the second device: one HTTPS-looking flow
    TcpConversation t(w, "192.168.1.30", 41000, "203.0.113.12", 443);
    t.Client(test::TlsClientHello("other.example", {0x0304}, {0x1301}));
    t.Server(test::TlsServerHello(0x0304, 0x1301));
    t.Close();
  }
}

// Only TLS 1.3 to a named service.
void WriteClean(const fs::path& path) {
  PcapWriter w(path);
  const std::string dev = "192.168.1.20";
  w.Udp("192.168.1.1", 53, dev, 40000, test::DnsResponse("api.vendor.example", "198.51.100.20"));
  for (std::uint16_t port : {50000, 50001}) {
    TcpConversation t(w, dev, port, "198.51.100.20", 443);
    t.Client(test::TlsClientHello("api.vendor.example", {0x0304, 0x0303}, {0x1301, 0x1302}));
    t.Server(test::TlsServerHello(0x0304, 0x1301));
    t.Client(std::string("\x17\x03\x03\x00\x20", 5) + std::string(32, 'x'));
    t.Close();
  }
}

nlohmann::json Assess(const std::string& args, const fs::path& out, int* rc = nullptr) {
  auto r =
      test::RunIotcop("assess " + args + " -o " + Q(out) + " --format json,html,text,sarif -q");
  if (rc) *rc = r.exit_code;
  EXPECT_TRUE(fs::exists(out / "report.json")) << r.err;
  return nlohmann::json::parse(test::ReadFile(out / "report.json"));
}

std::map<std::string, int> FindingCounts(const nlohmann::json& j) {
  std::map<std::string, int> n;
  for (const auto& f : j["findings"]) n[f["check"].get<std::string>()] += 1;
  return n;
}

std::vector<nlohmann::json> FactsOf(const nlohmann::json& j, const std::string& kind) {
  std::vector<nlohmann::json> out;
  for (const auto& f : j["facts"])
    if (f["kind"] == kind) out.push_back(f["value"]);
  return out;
}

TEST(TrafficAssess, DirtyCaptureHasEveryFindingAndNoSecret) {
  test::TempDir dir;
  WriteDirty(dir / "dirty.pcap");
  int rc = -1;
  auto j = Assess("--pcap " + Q(dir / "dirty.pcap"), dir / "out", &rc);
  EXPECT_EQ(rc, 0);
  ASSERT_EQ(j["inputs"].size(), 1u);
  EXPECT_EQ(j["inputs"][0]["kind"], "traffic");
  EXPECT_EQ(j["inputs"][0]["status"], "ok");
  EXPECT_EQ(j["inputs"][0]["sha256"].get<std::string>().size(), 64u);
  auto n = FindingCounts(j);
  EXPECT_EQ(n["traffic.cleartext.credentials"], 6);   // telnet ftp basic form mqtt pop3
  EXPECT_EQ(n["traffic.cleartext.telemetry"], 3);     // mqtt, coap, http POST
  EXPECT_EQ(n["traffic.updates.plain-download"], 2);  // http + ftp
  EXPECT_EQ(n["traffic.tls.weak-protocol"], 2);       // TLS 1.0 and RC4
  EXPECT_EQ(n["traffic.tls.certificates"], 1);
  EXPECT_GE(n["traffic.personal-data.cleartext"], 6);  // email phone gps ssid psk mac
  std::set<std::string> protocols;
  for (const auto& c : FactsOf(j, "cleartext_credential")) protocols.insert(c["protocol"]);
  EXPECT_EQ(protocols, (std::set<std::string>{"telnet", "ftp", "http", "mqtt", "pop3"}));
  std::set<std::string> types;
  for (const auto& p : FactsOf(j, "personal_data")) types.insert(p["type"]);
  EXPECT_EQ(types,
            (std::set<std::string>{"email", "phone", "gps", "wifi-ssid", "wifi-psk", "mac"}));
  // Evidence: capture, packet number, endpoint.
  for (const auto& f : j["findings"]) {
    if (f["check"] != "traffic.cleartext.credentials") continue;
    const auto& ev = f["evidence"][0];
    EXPECT_EQ(ev["input"], (dir / "dirty.pcap").string());
    EXPECT_GT(ev["packet"].get<int>(), 0);
    EXPECT_NE(ev["endpoint"].get<std::string>().find(" -> "), std::string::npos);
  }
  // Destinations: the DNS name of 198.51.100.7, bytes, encryption, both devices.
  bool named = false;
  std::set<std::string> devices;
  for (const auto& d : FactsOf(j, "destination")) {
    devices.insert(d["device"]);
    if (d["address"] == "198.51.100.7" && d["port"] == 80) {
      named = d["name"] == "cloud.vendor.example";
      EXPECT_FALSE(d["encrypted"].get<bool>());
      EXPECT_GT(d["bytes_in"].get<int>(), 3000);
      EXPECT_EQ(d["flows"], 2);
      EXPECT_EQ(d["protocol"], "HTTP");
    }
  }
  EXPECT_TRUE(named);
  EXPECT_EQ(devices, (std::set<std::string>{"192.168.1.20", "192.168.1.30"}));
  // 5.5-1, 5.8-1 and 5.3-7 fail.
  for (const auto& v : j["verdicts"]) {
    const std::string id = v["id"];
    if (id == "5.5-1" || id == "5.8-1" || id == "5.8-2" || id == "5.3-7") {
      EXPECT_EQ(v["verdict"], "FAIL") << id;
    }
  }
  // No secret in any report.
  for (const char* f : {"report.json", "report.html", "report.txt", "report.sarif"}) {
    const std::string text = test::ReadFile(dir / "out" / f);
    for (const char* s : kSecrets) EXPECT_EQ(text.find(s), std::string::npos) << s << " in " << f;
  }
}

// traffic.personal-data.destinations: a declaration that says no telemetry and no personal data
// is contradicted by a capture that shows both (6-4, 6-1, citing the declaration and the
// capture); without a declaration the destinations leave 6-1 and 6-4 INCONCLUSIVE.
TEST(TrafficAssess, DestinationsContradictADeclarationOfNoTelemetryNorPersonalData) {
  test::TempDir dir;
  WriteDirty(dir / "dirty.pcap");
  test::WriteFile(dir / "decl.yaml",
                  "schema: iotcop-declaration/1\ntelemetry:\n  collected: false\n"
                  "personal_data:\n  collected: []\n");
  auto j = Assess("--pcap " + Q(dir / "dirty.pcap") + " --declaration " + Q(dir / "decl.yaml"),
                  dir / "out");
  std::set<std::string> provisions;
  for (const auto& f : j["findings"]) {
    if (f["check"] != "traffic.personal-data.destinations") continue;
    for (const auto& p : f["provisions"]) provisions.insert(p.get<std::string>());
    std::set<std::string> sources;
    for (const auto& e : f["evidence"]) sources.insert(e["source"].get<std::string>());
    EXPECT_TRUE(sources.count("declaration") && sources.count("traffic")) << f.dump();
  }
  EXPECT_EQ(provisions, (std::set<std::string>{"6-1", "6-4"}));

  auto plain = Assess("--pcap " + Q(dir / "dirty.pcap"), dir / "plain");
  for (const auto& f : plain["findings"])
    EXPECT_NE(f["check"], "traffic.personal-data.destinations") << f.dump();
}
TEST(TrafficAssess, CleanTlsCaptureHasNoFinding) {
  test::TempDir dir;
  WriteClean(dir / "clean.pcap");
  auto j = Assess("--pcap " + Q(dir / "clean.pcap"), dir / "out");
  for (const auto& f : j["findings"]) ADD_FAILURE() << f["check"] << ": " << f["title"];
  auto tls = FactsOf(j, "tls_session");
  ASSERT_EQ(tls.size(), 2u);
  EXPECT_EQ(tls[0]["version"], "TLSv1.3");
  EXPECT_EQ(tls[0]["cipher"], "TLS_AES_128_GCM_SHA256");
  auto dest = FactsOf(j, "destination");
  ASSERT_EQ(dest.size(), 2u);  // DNS server (inbound answers) and the API
  for (const auto& v : j["verdicts"]) {
    if (v["id"] == "5.5-1") {
      EXPECT_EQ(v["verdict"], "PASS");
    }
    if (v["id"] == "6-4") {
      EXPECT_EQ(v["verdict"], "INCONCLUSIVE");
    }
  }
}

TEST(TrafficAssess, PcapngAndLinuxCookedGiveTheSameFindings) {
  if (!test::HaveTool("editcap")) GTEST_SKIP() << "editcap (wireshark-common) not installed";
  test::TempDir dir;
  WriteDirty(dir / "dirty.pcap");
  auto r =
      test::RunShell("editcap -F pcapng " + Q(dir / "dirty.pcap") + " " + Q(dir / "dirty.pcapng"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(test::ReadFile(dir / "dirty.pcapng").substr(0, 4), std::string("\x0a\x0d\x0d\x0a", 4));
  WriteDirty(dir / "sll.pcap", DLT_LINUX_SLL);
  auto a = FindingCounts(Assess("--pcap " + Q(dir / "dirty.pcap"), dir / "a"));
  EXPECT_EQ(FindingCounts(Assess("--pcap " + Q(dir / "dirty.pcapng"), dir / "b")), a);
  EXPECT_EQ(FindingCounts(Assess("--pcap " + Q(dir / "sll.pcap"), dir / "c")), a);
}

TEST(TrafficAssess, DeviceOptionPicksOneDevice) {
  test::TempDir dir;
  WriteDirty(dir / "dirty.pcap");
  auto j = Assess("--pcap " + Q(dir / "dirty.pcap") + " --device 192.168.1.30", dir / "out");
  auto dest = FactsOf(j, "destination");
  ASSERT_EQ(dest.size(), 1u);
  EXPECT_EQ(dest[0]["device"], "192.168.1.30");
  EXPECT_EQ(dest[0]["name"], "other.example");
  EXPECT_TRUE(dest[0]["encrypted"].get<bool>());
  EXPECT_EQ(FindingCounts(j)["traffic.cleartext.credentials"], 0);
  auto bad = test::RunIotcop("assess --pcap " + Q(dir / "dirty.pcap") + " --device nope -o " +
                             Q(dir / "o2"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--device nope"), std::string::npos);
}

TEST(TrafficAssess, TruncatedCaptureKeepsWhatWasRead) {
  test::TempDir dir;
  WriteDirty(dir / "dirty.pcap");
  const std::string full = test::ReadFile(dir / "dirty.pcap");
  // Cut inside the last quarter: the telnet, FTP and HTTP flows come before.
  test::WriteFile(dir / "cut.pcap", full.substr(0, full.size() * 3 / 4 + 7));
  int rc = -1;
  auto j = Assess("--pcap " + Q(dir / "cut.pcap"), dir / "out", &rc);
  EXPECT_EQ(rc, 0);  // partial: the results are there, the problem says what was lost
  EXPECT_EQ(j["inputs"][0]["status"], "partial");
  bool named = false;
  for (const auto& p : j["problems"]) {
    const std::string m = p["message"];
    if (m.find("packet ") != std::string::npos && m.find("truncated") != std::string::npos) {
      named = p["input"] == (dir / "cut.pcap").string() && p["offset"].get<int>() > 10;
    }
  }
  EXPECT_TRUE(named) << j["problems"].dump();
  auto n = FindingCounts(j);
  EXPECT_GE(n["traffic.cleartext.credentials"], 3);
}

TEST(TrafficAssess, AbsurdCaplenNamesThePacket) {
  test::TempDir dir;
  {
    PcapWriter w(dir / "a.pcap");
    TcpConversation t(w, "192.168.1.20", 40001, "203.0.113.6", 21);
    t.Server("220 FTP\r\n");
    t.Client("USER a\r\nPASS ftpS3cret!\r\n");
    t.Close();
    w.Udp("192.168.1.20", 1, "203.0.113.6", 2, "last");
  }
  std::string data = test::ReadFile(dir / "a.pcap");
  // The last record's header: caplen and len set to 0x7fffffff.
  const std::size_t last = data.size() - (16 + 14 + 20 + 8 + 4);
  for (std::size_t i = 8; i < 16; ++i) data[last + i] = (i % 4 == 3) ? '\x7f' : '\xff';
  test::WriteFile(dir / "absurd.pcap", data);
  int rc = -1;
  auto j = Assess("--pcap " + Q(dir / "absurd.pcap"), dir / "out", &rc);
  EXPECT_EQ(j["inputs"][0]["status"], "partial");
  bool named = false;
  for (const auto& p : j["problems"])
    if (p["message"].get<std::string>().find("packet 11:") != std::string::npos) named = true;
  EXPECT_TRUE(named) << j["problems"].dump();
  EXPECT_EQ(FindingCounts(j)["traffic.cleartext.credentials"], 1);
}

TEST(TrafficAssess, UnknownLinkTypeAndBadIpLengths) {
  test::TempDir dir;
  {
    PcapWriter w(dir / "user0.pcap", DLT_USER0);
    w.Frame("whatever");
  }
  int rc = -1;
  auto j = Assess("--pcap " + Q(dir / "user0.pcap"), dir / "o1", &rc);
  EXPECT_EQ(rc, 3);
  EXPECT_EQ(j["inputs"][0]["status"], "failed");
  ASSERT_FALSE(j["problems"].empty());
  EXPECT_NE(j["problems"][0]["message"].get<std::string>().find("link type 147"),
            std::string::npos);
  {
    PcapWriter w(dir / "badip.pcap");
    // IPv4 header length 60 in a 34-byte frame, then a good FTP login.
    w.Frame(std::string("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14) +
            std::string("\x4f\x00\x00\x14", 4) + std::string(16, '\0'));
    TcpConversation t(w, "192.168.1.20", 40001, "203.0.113.6", 21);
    t.Server("220 FTP\r\n");
    t.Client("USER a\r\nPASS ftpS3cret!\r\n");
    t.Close();
  }
  j = Assess("--pcap " + Q(dir / "badip.pcap"), dir / "o2", &rc);
  EXPECT_EQ(j["inputs"][0]["status"], "ok");
  bool warned = false;
  for (const auto& p : j["problems"]) {
    const std::string m = p["message"];
    if (m.find("packet 1:") != std::string::npos &&
        m.find("IPv4 header length") != std::string::npos)
      warned = true;
  }
  EXPECT_TRUE(warned) << j["problems"].dump();
  EXPECT_EQ(FindingCounts(j)["traffic.cleartext.credentials"], 1);
  // Not a capture at all.
  test::WriteFile(dir / "text.pcap", "hello, not a capture\n");
  j = Assess("--pcap " + Q(dir / "text.pcap"), dir / "o3", &rc);
  EXPECT_EQ(j["inputs"][0]["status"], "failed");
  EXPECT_EQ(j["problems"][0]["input"], (dir / "text.pcap").string());
}

TEST(TrafficAssess, FirmwareUpdateUrlFetchedInCleartextCitesBoth) {
  test::TempDir dir;
  const fs::path root = dir / "rootfs";
  test::WriteFile(root / "usr/sbin/fw-update",
                  "#!/bin/sh\n# fw-update - fetch the newest firmware and flash it\n"
                  "URL=http://update.vendor.invalid/fw/latest.bin\n"
                  "wget -q -O /tmp/fw.bin \"$URL\" && mtd write /tmp/fw.bin firmware && reboot\n");
  test::WriteFile(root / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  {
    PcapWriter w(dir / "update.pcap");
    TcpConversation h(w, "192.168.1.20", 40003, "198.51.100.7", 80);
    h.Client("GET /fw/latest.bin HTTP/1.1\r\nHost: update.vendor.invalid\r\n\r\n");
    h.Server("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nDATA");
    h.Close();
  }
  auto j = Assess("--firmware " + Q(root) + " --pcap " + Q(dir / "update.pcap"), dir / "out");
  bool both = false;
  for (const auto& f : j["findings"]) {
    if (f["check"] != "traffic.updates.plain-download") continue;
    std::set<std::string> sources;
    for (const auto& e : f["evidence"]) sources.insert(e["source"]);
    both = sources == std::set<std::string>{"traffic", "firmware"} &&
           f["title"].get<std::string>().find("firmware's update URL") != std::string::npos;
  }
  EXPECT_TRUE(both) << j["findings"].dump(1);
  // Without the firmware, a text/plain download of a .bin path is still firmware-like by name;
  // a download of /index.html is not.
  {
    PcapWriter w(dir / "page.pcap");
    TcpConversation h(w, "192.168.1.20", 40003, "198.51.100.7", 80);
    h.Client("GET /index.html HTTP/1.1\r\nHost: www.vendor.invalid\r\n\r\n");
    h.Server("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 4\r\n\r\n<p/>");
    h.Close();
  }
  auto k = Assess("--pcap " + Q(dir / "page.pcap"), dir / "out2");
  EXPECT_EQ(FindingCounts(k)["traffic.updates.plain-download"], 0);
}

// What a body is comes from its magic bytes: an ELF named photo.jpg from a CDN and a tar archive
// are cleartext downloads (5.5-1), a gzip from the update server is an update (5.3-7, 5.3-10),
// and a .tar.gz that is an HTML error page is nothing. The DNS lookup and every HTTP request are
// facts (query secrets redacted) shown with the destinations in the HTML and text reports.
TEST(TrafficAssess, LookupsRequestsAndDownloadsJudgedByTheirMagic) {
  test::TempDir dir;
  const std::string dev = "192.168.1.20";
  const auto download = [&](PcapWriter& w, std::uint16_t port, const std::string& server,
                            const std::string& host, const std::string& target,
                            const std::string& type, const std::string& body) {
    TcpConversation h(w, dev, port, server, 80);
    h.Client("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    h.Server("HTTP/1.1 200 OK\r\nContent-Type: " + type +
             "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    h.Close();
  };
  {
    PcapWriter w(dir / "dl.pcap");
    w.Udp(dev, 40100, "192.168.1.1", 53, test::DnsQuery("cdn.vendor.example"));
    w.Udp("192.168.1.1", 53, dev, 40100, test::DnsResponse("cdn.vendor.example", "198.51.100.30"));
    w.Udp(dev, 40101, "192.168.1.1", 53, test::DnsQuery("gone.vendor.example"));
    download(w, 40102, "198.51.100.30", "cdn.vendor.example",
             "/img/photo.jpg?w=640&token=abcdef0123456789abcdef01", "image/jpeg",
             std::string("\x7f"
                         "ELF\x01\x01\x01",
                         7) +
                 std::string(600, '\0'));
    std::string tar(1024, '\0');
    tar.replace(0, 8, "data.txt");
    tar.replace(257, 6, std::string("ustar\0", 6));
    download(w, 40103, "198.51.100.31", "assets.vendor.example", "/pack.dat", "text/plain", tar);
    download(w, 40104, "198.51.100.32", "update.vendor.example", "/latest",
             "application/x-something", std::string("\x1f\x8b\x08\x00", 4) + std::string(100, 'z'));
    download(w, 40105, "198.51.100.33", "www.vendor.example", "/backup.tar.gz", "text/html",
             "<html><body>404</body></html>");
  }
  auto j = Assess("--pcap " + Q(dir / "dl.pcap"), dir / "out");
  std::map<std::string, std::string> by_check;  // check -> URLs of its findings
  for (const auto& f : j["findings"]) {
    for (const auto& e : f["evidence"])
      by_check[f["check"]] += e["excerpt"].get<std::string>() + ";";
  }
  const std::string clear = by_check["traffic.cleartext.download"];
  EXPECT_NE(clear.find("/img/photo.jpg"), std::string::npos) << clear;
  EXPECT_NE(clear.find("/pack.dat"), std::string::npos) << clear;
  EXPECT_EQ(clear.find("backup.tar.gz"), std::string::npos) << clear;
  EXPECT_EQ(clear.find("update.vendor.example"), std::string::npos) << clear;
  EXPECT_EQ(FindingCounts(j)["traffic.cleartext.download"], 2);
  EXPECT_EQ(FindingCounts(j)["traffic.updates.plain-download"], 1);
  EXPECT_NE(by_check["traffic.updates.plain-download"].find("update.vendor.example"),
            std::string::npos);
  bool fails_551 = false;
  for (const auto& v : j["verdicts"])
    if (v["id"] == "5.5-1") fails_551 = v["verdict"] == "FAIL";
  EXPECT_TRUE(fails_551);

  const auto lookups = FactsOf(j, "dns_lookup");
  ASSERT_EQ(lookups.size(), 2u);
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& l : lookups) by_name[l["name"]] = l;
  EXPECT_EQ(by_name["cdn.vendor.example"]["answers"], nlohmann::json::array({"198.51.100.30"}));
  EXPECT_EQ(by_name["cdn.vendor.example"]["rcode"], "NOERROR");
  EXPECT_EQ(by_name["gone.vendor.example"]["answered"], false);
  const auto requests = FactsOf(j, "http_request");
  ASSERT_EQ(requests.size(), 4u);
  std::set<std::string> paths;
  for (const auto& r : requests) paths.insert(r["path"]);
  EXPECT_TRUE(paths.count("/pack.dat"));
  bool redacted = false;
  for (const auto& p : paths) {
    EXPECT_EQ(p.find("abcdef0123456789abcdef01"), std::string::npos) << p;
    redacted |=
        p.starts_with("/img/photo.jpg?w=640&token=") && p.find("redacted") != std::string::npos;
  }
  EXPECT_TRUE(redacted);

  const std::string html = test::ReadFile(dir / "out" / "report.html");
  const auto at = html.find("<section id=\"destinations\"");
  ASSERT_NE(at, std::string::npos);
  const std::string section = html.substr(at, html.find("</section>", at) - at);
  EXPECT_NE(section.find("GET assets.vendor.example/pack.dat"), std::string::npos);
  EXPECT_NE(section.find("gone.vendor.example"), std::string::npos);
  const std::string text = test::ReadFile(dir / "out" / "report.txt");
  EXPECT_NE(text.find("GET update.vendor.example/latest"), std::string::npos) << text;
  EXPECT_NE(text.find("cdn.vendor.example NOERROR 198.51.100.30"), std::string::npos) << text;
  for (const auto* name : {"report.json", "report.html", "report.txt"}) {
    EXPECT_EQ(test::ReadFile(dir / "out" / name).find("abcdef0123456789abcdef01"),
              std::string::npos)
        << name;
  }
  // A declaration that names assets.vendor.example as where updates come from makes its tar an
  // update, cited with the declaration.
  test::WriteFile(dir / "decl.yaml",
                  "schema: iotcop-declaration/1\nupdates:\n  delivery: \"signed packages from "
                  "Assets.Vendor.Example\"\n");
  auto d = Assess("--pcap " + Q(dir / "dl.pcap") + " --declaration " + Q(dir / "decl.yaml"),
                  dir / "decl");
  EXPECT_EQ(FindingCounts(d)["traffic.cleartext.download"], 1);
  EXPECT_EQ(FindingCounts(d)["traffic.updates.plain-download"], 2);
  bool cites_declaration = false;
  for (const auto& f : d["findings"]) {
    if (f["check"] != "traffic.updates.plain-download") continue;
    for (const auto& e : f["evidence"])
      cites_declaration |=
          e["source"] == "declaration" &&
          f["message"].get<std::string>().find("updates.delivery") != std::string::npos;
  }
  EXPECT_TRUE(cites_declaration) << d["findings"].dump(1);
}

TEST(TrafficAssess, HtmlHasDestinationsTableAndChart) {
  test::TempDir dir;
  WriteDirty(dir / "dirty.pcap");
  Assess("--pcap " + Q(dir / "dirty.pcap"), dir / "out");
  const std::string html = test::ReadFile(dir / "out" / "report.html");
  const auto at = html.find("<section id=\"destinations\"");
  ASSERT_NE(at, std::string::npos);
  const std::string section = html.substr(at, html.find("</section>", at) - at);
  EXPECT_NE(section.find("<table"), std::string::npos);
  EXPECT_NE(section.find("cloud.vendor.example"), std::string::npos);
  EXPECT_NE(section.find("<svg"), std::string::npos);
  EXPECT_EQ(section.find("http://"), std::string::npos);  // nothing loaded from anywhere
  EXPECT_EQ(section.find("https://"), std::string::npos);
}

TEST(TrafficAssess, ConversationsMatchTshark) {
  if (!test::HaveTool("tshark")) GTEST_SKIP() << "tshark not installed";
  test::TempDir dir;
  WriteDirty(dir / "dirty.pcap");
  auto r = test::RunShell("tshark -r " + Q(dir / "dirty.pcap") + " -q -z conv,tcp 2>/dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // "192.168.1.20:40001  <-> 203.0.113.5:23 ..." -> the server side "203.0.113.5:23"
  std::multiset<std::string> tshark;
  const std::regex line(R"((\d+\.\d+\.\d+\.\d+):(\d+)\s+<->\s+(\d+\.\d+\.\d+\.\d+):(\d+))");
  for (std::sregex_iterator it(r.out.begin(), r.out.end(), line), end; it != end; ++it) {
    const auto& m = *it;
    const bool first_is_server = std::stoi(m[2]) < std::stoi(m[4]);
    tshark.insert(first_is_server ? m[1].str() + ":" + m[2].str() : m[3].str() + ":" + m[4].str());
  }
  auto j = Assess("--pcap " + Q(dir / "dirty.pcap"), dir / "out");
  std::multiset<std::string> ours;
  for (const auto& d : FactsOf(j, "destination")) {
    if (d["transport"] != "tcp") continue;
    for (int i = 0; i < d["flows"].get<int>(); ++i)
      ours.insert(d["address"].get<std::string>() + ":" + std::to_string(d["port"].get<int>()));
  }
  EXPECT_EQ(ours, tshark) << r.out;
  // And the TLS version tshark dissects for the legacy server.
  auto v = test::RunShell(
      "tshark -r " + Q(dir / "dirty.pcap") +
      " -Y 'tls.handshake.type == 2' -T fields -e tls.handshake.version 2>/dev/null");
  std::set<std::string> versions;
  for (const auto& t : FactsOf(j, "tls_session")) versions.insert(t["version_id"].dump());
  EXPECT_NE(v.out.find("0x0301"), std::string::npos) << v.out;
  EXPECT_TRUE(versions.count(std::to_string(0x0301)));
}

}  // namespace
}  // namespace iotcop
