// File: tests/network/integration/network_templates_test.cc
// The probe templates (rules/templates/) against real daemons on 127.0.0.N in the test's private
// network namespace: lighttpd acting as a camera/router (a configuration backup, an ONVIF device
// service and a UPnP IGD control URL as shell CGIs, an admin page behind a login form) found
// through the whole `assess --host` pipeline, and the same device behind HTTP Basic, which must
// not match; mosquitto with a retained message for anonymous clients, and one that refuses them;
// GStreamer's RTSP server with an open stream; BusyBox telnetd with a version in its banner.
#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "network/socket.h"
#include "network/template_probe.h"
#include "support/net_devices.h"
#include "support/netns.h"
#include "support/network_login_fixture.h"
#include "support/test_support.h"

namespace iotcop::test {
namespace {

namespace fs = std::filesystem;

class NetworkTemplatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = EnterPrivateNetwork();
    if (!why.empty()) GTEST_SKIP() << why;
  }
  bool Start(Daemon& d, const std::vector<std::string>& argv, const std::string& addr,
             std::uint16_t port) {
    if (!HaveTool(argv[0])) {
      skip_ = argv[0] + " is not installed";
      return false;
    }
    const std::string err =
        d.Start(argv, (tmp_.path() / (fs::path(argv[0]).filename().string() + ".log")).string());
    if (!err.empty() || !WaitForTcp(addr, port, std::chrono::seconds(10))) {
      skip_ = fmt::format("{} did not start: {} {}", argv[0], err, d.Log());
      return false;
    }
    return true;
  }
  // Every built-in template tried on one endpoint, then every check.
  Assessment Templates(const network::Endpoint& e) {
    network::TemplateSet set;
    network::LoadTemplates(fs::path(IOTCOP_SOURCE_DIR) / "rules" / "templates", {}, set);
    EXPECT_TRUE(set.problems.empty());
    Assessment a = NetworkAssessment(e.address);
    network::RateLimiter rate(0);
    network::RunTemplates(set, e.address, {e}, TestLimits(), rate, a);
    RunAllChecks(a);
    return a;
  }
  TempDir tmp_;
  std::string skip_;
};

#define TPL_START_OR_SKIP(d, argv, addr, port) \
  if (!Start(d, argv, addr, port)) GTEST_SKIP() << skip_

void TplScript(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  WriteFile(p, text);
  fs::permissions(p, fs::perms::owner_all);
}

// lighttpd on addr:80 as a camera/router; with `password`, HTTP Basic (admin) on everything.
std::vector<std::string> TplDevice(const fs::path& dir, const std::string& addr,
                                   const std::string& password) {
  const fs::path www = dir / "www";
  WriteFile(dir / "mappings", "");
  fs::create_directories(www / "admin");
  WriteFile(www / "backup.cfg",
            "lan_ipaddr=192.168.1.1\nwan_proto=dhcp\nhttp_username=admin\nhttp_passwd=hunter2\n"
            "wl0_ssid=HomeNet\n");
  // An admin page behind a login form, answered with 200: must not count as open.
  WriteFile(www / "admin" / "index.html",
            "<html><h1>Firmware Upgrade</h1><form action=/login.cgi method=post>User <input "
            "name=user> Password <input type=password name=pass><input type=submit "
            "value=Login></form></html>\n");
  WriteFile(www / "rootDesc.xml", R"(<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><device>
<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>
<controlURL>/ctl/L3F</controlURL></service></serviceList>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>
<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><controlURL>/ctl/IPConn</controlURL>
<SCPDURL>/WANIPCn.xml</SCPDURL></service></serviceList></device></deviceList></device></deviceList>
</device></root>
)");
  // The IGD's control URL: AddPortMapping and DeletePortMapping kept in `mappings`, logged.
  TplScript(www / "ctl" / "IPConn", fmt::format(R"SH(#!/bin/sh
body=$(head -c "${{CONTENT_LENGTH:-0}}")
field() {{ printf '%s' "$body" | sed -n "s/.*<$1>\([^<]*\)<.*/\1/p"; }}
port=$(field NewExternalPort)
ok() {{ printf 'Content-Type: text/xml; charset="utf-8"\r\n\r\n<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:%sResponse xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1"/></s:Body></s:Envelope>' "$1"; }}
case "$HTTP_SOAPACTION" in
*AddPortMapping*)
  echo "add $port $(field NewInternalClient)" >> {0}/upnp.log
  echo "$port $(field NewInternalClient)" >> {0}/mappings
  ok AddPortMapping ;;
*DeletePortMapping*)
  echo "delete $port" >> {0}/upnp.log
  grep -v "^$port " {0}/mappings > {0}/mappings.new; mv {0}/mappings.new {0}/mappings
  ok DeletePortMapping ;;
*)
  printf 'Status: 500\r\nContent-Type: text/xml\r\n\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultstring>UPnPError</faultstring></s:Fault></s:Body></s:Envelope>' ;;
esac
)SH",
                                                dir.string()));
  // ONVIF device service: GetUsers and GetDeviceInformation answered as a camera would.
  TplScript(www / "onvif" / "device_service", R"SH(#!/bin/sh
body=$(head -c "${CONTENT_LENGTH:-0}")
printf 'Content-Type: application/soap+xml; charset=utf-8\r\n\r\n'
env='<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><env:Body>'
case "$body" in
*GetUsers*) printf '%s<tds:GetUsersResponse><tds:User><tt:Username>admin</tt:Username><tt:UserLevel>Administrator</tt:UserLevel></tds:User><tds:User><tt:Username>operator</tt:Username><tt:UserLevel>Operator</tt:UserLevel></tds:User></tds:GetUsersResponse></env:Body></env:Envelope>' "$env" ;;
*GetDeviceInformation*) printf '%s<tds:GetDeviceInformationResponse><tds:Manufacturer>Acme</tds:Manufacturer><tds:Model>IPC-100</tds:Model><tds:FirmwareVersion>V5.4.2 build 170524</tds:FirmwareVersion><tds:SerialNumber>ACME0001</tds:SerialNumber><tds:HardwareId>1.0</tds:HardwareId></tds:GetDeviceInformationResponse></env:Body></env:Envelope>' "$env" ;;
*) printf '%s<env:Fault><env:Reason><env:Text>not supported</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>' "$env" ;;
esac
)SH");
  WriteFile(dir / "users", "admin:" + password + "\n");
  std::string conf = fmt::format(R"(server.document-root = "{0}/www"
server.bind = "{1}"
server.port = 80
server.errorlog = "{0}/error.log"
index-file.names = ("index.html")
server.modules = ("mod_auth", "mod_authn_file", "mod_cgi")
cgi.assign = ("/device_service" => "", "/IPConn" => "")
auth.backend = "plain"
auth.backend.plain.userfile = "{0}/users"
)",
                                 dir.string(), addr);
  if (!password.empty())
    conf +=
        R"(auth.require = ("/" => ("method" => "basic", "realm" => "cam", "require" => "valid-user"))
)";
  WriteFile(dir / "lighttpd.conf", conf);
  return {"lighttpd", "-D", "-f", (dir / "lighttpd.conf").string()};
}

const Finding* TplFinding(const Assessment& a, const std::string& id) {
  for (const Finding* f : FindingsOf(a, "net.templates"))
    if (f->subject.starts_with("template:" + id + ":")) return f;
  return nullptr;
}

Verdict TplVerdict(const Assessment& a, const std::string& id) {
  for (const auto& v : a.provision_verdicts)
    if (v.id == id) return v.verdict;
  return Verdict::kNotApplicable;
}

TEST_F(NetworkTemplatesTest, OpenWebDeviceFailsAndTheSameBehindBasicAuthDoesNot) {
  Daemon open, closed;
  TempDir d1, d2;
  TPL_START_OR_SKIP(open, TplDevice(d1.path(), "127.0.0.41", ""), "127.0.0.41", 80);
  TPL_START_OR_SKIP(closed, TplDevice(d2.path(), "127.0.0.42", "Zx9-not-a-default-7Q"),
                    "127.0.0.42", 80);

  Assessment a = RunLive(LiveOptions("127.0.0.41", "80", tmp_.path() / "w1"));
  for (const auto& p : a.problems) EXPECT_NE(p.stage, "templates") << p.message;
  for (const char* id : {"web.config-backup", "onvif.get-users", "onvif.get-device-information",
                         "upnp.igd-add-port-mapping"})
    EXPECT_NE(TplFinding(a, id), nullptr) << id << "\n" << Dump(a);
  // The admin page asks for a login: no finding.
  EXPECT_EQ(TplFinding(a, "web.admin-page"), nullptr) << Dump(a);

  const Finding* backup = TplFinding(a, "web.config-backup");
  ASSERT_NE(backup, nullptr);
  EXPECT_EQ(backup->provisions, std::vector<std::string>{"5.6-2"});
  EXPECT_NE(backup->title.find("GET /backup.cfg HTTP/1.1"), std::string::npos) << backup->title;
  ASSERT_FALSE(backup->evidence.empty());
  EXPECT_EQ(backup->evidence[0].endpoint, "127.0.0.41:80/tcp");
  EXPECT_NE(backup->evidence[0].excerpt.find("http_passwd=<redacted>"), std::string::npos)
      << backup->evidence[0].excerpt;
  const std::string all = Dump(a);
  EXPECT_EQ(all.find("hunter2"), std::string::npos) << "the password leaked into the report";
  const Finding* users = TplFinding(a, "onvif.get-users");
  ASSERT_NE(users, nullptr);
  EXPECT_EQ(users->provisions, std::vector<std::string>{"5.6-2"});
  EXPECT_NE(users->evidence[0].excerpt.find("admin"), std::string::npos);
  const Finding* info = TplFinding(a, "onvif.get-device-information");
  ASSERT_NE(info, nullptr);
  EXPECT_TRUE(info->provisions.empty());
  EXPECT_EQ(info->informs, std::vector<std::string>{"5.6-2"});
  EXPECT_EQ(TplVerdict(a, "5.5-5"), Verdict::kFail);
  EXPECT_EQ(TplVerdict(a, "5.6-2"), Verdict::kFail);

  // The port mapping was added for us, and deleted again: nothing stays on the device.
  const std::string log = ReadFile(d1.path() / "upnp.log");
  EXPECT_NE(log.find("add 47391 127.0.0.1\n"), std::string::npos) << log;
  EXPECT_NE(log.find("delete 47391\n"), std::string::npos) << log;
  EXPECT_EQ(ReadFile(d1.path() / "mappings"), "");
  for (const Fact* m : FactsOf(a, facts::kTemplateMatch)) {
    if (m->value["template"] != "upnp.igd-add-port-mapping") continue;
    EXPECT_EQ(m->value["url"], "http://127.0.0.41:80/ctl/IPConn");
    EXPECT_EQ(m->value["cleanup"]["status"], 200) << m->value.dump();
    EXPECT_NE(m->value["cleanup"]["request"].get<std::string>().find("POST /ctl/IPConn"),
              std::string::npos);
  }

  // Behind HTTP Basic every request gets 401: nothing matches, nothing is changed, and the
  // provisions stay undecided by the templates.
  Assessment b = RunLive(LiveOptions("127.0.0.42", "80", tmp_.path() / "w2"));
  EXPECT_TRUE(FindingsOf(b, "net.templates").empty()) << Dump(b);
  auto scans = FactsOf(b, facts::kTemplateScan);
  ASSERT_EQ(scans.size(), 1u) << Dump(b);
  EXPECT_GT(scans[0]->value["requests"].get<int>(), 20);
  EXPECT_EQ(scans[0]->value["matched"], 0);
  EXPECT_FALSE(fs::exists(d2.path() / "upnp.log"));
  EXPECT_NE(TplVerdict(b, "5.5-5"), Verdict::kFail);
  // Not matching a known path shows nothing safe: the templates leave both provisions open.
  std::size_t undecided = 0;
  for (const auto& o : b.outcomes) {
    if (o.check_id != "net.templates") continue;
    EXPECT_EQ(o.verdict, Verdict::kInconclusive) << o.provision << ": " << o.reason;
    ++undecided;
  }
  EXPECT_EQ(undecided, 2u) << Dump(b);
}

TEST_F(NetworkTemplatesTest, LabTemplatesFromAFolderRunAndABadOneIsAProblem) {
  Daemon open;
  TempDir d1, lab;
  TPL_START_OR_SKIP(open, TplDevice(d1.path(), "127.0.0.46", ""), "127.0.0.46", 80);
  WriteFile(lab.path() / "lab.yaml", R"(templates:
  - id: lab.wifi-ssid
    name: Wi-Fi name in the backup
    description: the lab's own template
    informs: [5.6-2]
    severity: info
    ports: [80]
    request: {protocol: http, paths: [/backup.cfg]}
    matchers: [{body: 'wl0_ssid=HomeNet'}]
  - id: lab.broken
    name: broken
    description: d
    informs: [5.6-2]
    severity: sometimes
    ports: [80]
    request: {protocol: http, paths: [/]}
    matchers: [{status: [200]}]
)");
  auto o = LiveOptions("127.0.0.46", "80", tmp_.path() / "w");
  o.network.template_dirs = {lab.path().string()};
  Assessment a = RunLive(o);
  EXPECT_NE(TplFinding(a, "lab.wifi-ssid"), nullptr) << Dump(a);
  EXPECT_NE(TplFinding(a, "web.config-backup"), nullptr) << Dump(a);
  std::size_t problems = 0;
  for (const auto& p : a.problems) {
    if (p.stage != "templates") continue;
    ++problems;
    EXPECT_NE(p.message.find("lab.yaml:14: severity: expected info"), std::string::npos)
        << p.message;
  }
  EXPECT_EQ(problems, 1u);
}

std::vector<std::string> TplMosquitto(const fs::path& dir, const std::string& addr,
                                      bool anonymous) {
  std::string conf = fmt::format("listener 1883 {}\nallow_anonymous {}\nuser root\n", addr,
                                 anonymous ? "true" : "false");
  RunShell(fmt::format("mosquitto_passwd -c -b {}/passwords admin 'Zx9-pub-secret'", dir.string()));
  conf += "password_file " + (dir / "passwords").string() + "\n";
  WriteFile(dir / "mosquitto.conf", conf);
  return {"mosquitto", "-c", (dir / "mosquitto.conf").string()};
}

TEST_F(NetworkTemplatesTest, MqttAnonymousSubscriberSeesRetainedMessagesOnlyWhereAllowed) {
  if (!HaveTool("mosquitto_pub")) GTEST_SKIP() << "mosquitto_pub is not installed";
  Daemon open, closed;
  TempDir d1, d2;
  TPL_START_OR_SKIP(open, TplMosquitto(d1.path(), "127.0.0.43", true), "127.0.0.43", 1883);
  TPL_START_OR_SKIP(closed, TplMosquitto(d2.path(), "127.0.0.44", false), "127.0.0.44", 1883);
  for (const char* addr : {"127.0.0.43", "127.0.0.44"}) {
    auto r = RunShell(fmt::format(
        "mosquitto_pub -h {} -u admin -P 'Zx9-pub-secret' -r -t home/door/state -m open", addr));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  Assessment a = Templates(LoopbackEndpoint("127.0.0.43", 1883, "mqtt"));
  auto m = FactsOf(a, facts::kTemplateMatch);
  ASSERT_EQ(m.size(), 1u) << Dump(a);
  EXPECT_EQ(m[0]->value["template"], "mqtt.subscribe-all-anonymous");
  EXPECT_EQ(m[0]->value["excerpt"], "home/door/state open");
  const Finding* f = TplFinding(a, "mqtt.subscribe-all-anonymous");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->provisions.empty());
  EXPECT_EQ(f->informs, std::vector<std::string>{"5.6-2"});

  Assessment b = Templates(LoopbackEndpoint("127.0.0.44", 1883, "mqtt"));
  EXPECT_TRUE(FactsOf(b, facts::kTemplateMatch).empty()) << Dump(b);
  auto scan = FactsOf(b, facts::kTemplateScan);
  ASSERT_EQ(scan.size(), 1u);
  EXPECT_EQ(scan[0]->value["requests"], 1);
  EXPECT_EQ(scan[0]->value["errors"], 0);  // refused with a CONNACK: an answer
}

TEST_F(NetworkTemplatesTest, RtspDescribeWithoutCredentialsShowsAnOpenStream) {
  if (RunShell("/usr/bin/python3 -c \"import gi; gi.require_version('GstRtspServer', '1.0'); "
               "from gi.repository import GstRtspServer\"")
          .exit_code != 0)
    GTEST_SKIP() << "GStreamer's RTSP server (gir1.2-gst-rtsp-server-1.0) is not installed";
  const fs::path script = tmp_.path() / "rtsp.py";
  WriteFile(script, R"(import sys, gi
gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import Gst, GstRtspServer, GLib
Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address(sys.argv[1])
server.set_service(sys.argv[2])
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch('( audiotestsrc is-live=true ! audioconvert ! rtpL16pay name=pay0 )')
factory.set_shared(True)
server.get_mount_points().add_factory('/live', factory)
server.attach(None)
GLib.MainLoop().run()
)");
  Daemon d;
  TPL_START_OR_SKIP(
      d, (std::vector<std::string>{"/usr/bin/python3", script.string(), "127.0.0.45", "8554"}),
      "127.0.0.45", 8554);
  Assessment a = Templates(LoopbackEndpoint("127.0.0.45", 8554, "rtsp"));
  auto m = FactsOf(a, facts::kTemplateMatch);
  ASSERT_EQ(m.size(), 1u) << Dump(a);
  EXPECT_EQ(m[0]->value["template"], "rtsp.describe-open");
  EXPECT_EQ(m[0]->value["request"], "DESCRIBE rtsp://127.0.0.45:8554/live RTSP/1.0");
  EXPECT_NE(m[0]->value["excerpt"].get<std::string>().find("m=audio"), std::string::npos)
      << m[0]->value.dump();
  const Finding* f = TplFinding(a, "rtsp.describe-open");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->informs, std::vector<std::string>{"5.6-2"});
}

TEST_F(NetworkTemplatesTest, TelnetBannerVersionInformsOnly) {
  const fs::path script = tmp_.path() / "login.sh";
  TplScript(script,
            "#!/bin/sh\nprintf 'CamOS firmware version 2.1.4 (Linux 4.9.37)\\r\\nlogin: '\n"
            "read -r user\nexit 1\n");
  Daemon d;
  TPL_START_OR_SKIP(d,
                    (std::vector<std::string>{"busybox", "telnetd", "-F", "-b", "127.0.0.47:23",
                                              "-l", script.string()}),
                    "127.0.0.47", 23);
  Assessment a = Templates(LoopbackEndpoint("127.0.0.47", 23, "telnet"));
  auto m = FactsOf(a, facts::kTemplateMatch);
  ASSERT_EQ(m.size(), 1u) << Dump(a);
  EXPECT_EQ(m[0]->value["template"], "banner.telnet-version");
  EXPECT_NE(m[0]->value["excerpt"].get<std::string>().find("firmware version 2.1.4"),
            std::string::npos)
      << m[0]->value.dump();
  const Finding* f = TplFinding(a, "banner.telnet-version");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->provisions.empty());
}

}  // namespace
}  // namespace iotcop::test
