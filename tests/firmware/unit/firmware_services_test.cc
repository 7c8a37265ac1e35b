// Attack surface: services started at boot from every kind of init configuration, with the file
// and line that starts them; commented lines, disabled units and uncalled functions start nothing.
#include <gtest/gtest.h>

#include "core/fact_kinds.h"
#include "support/firmware_fixture.h"
#include "support/test_support.h"

namespace iotcop {
namespace {

namespace fs = std::filesystem;
using test::AssessFolder;
using test::TempDir;
using test::WriteFile;
using test::WriteScript;

std::vector<std::string> StartedNames(const test::FirmwareRun& run) {
  std::vector<std::string> out;
  for (const Fact* s : run.Facts(facts::kService)) out.push_back(s->value["name"]);
  return out;
}

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST(FirmwareServices, TelnetShellFromRcsIsCriticalAndCommentedLinesStartNothing) {
  TempDir t;
  WriteFile(
      t / "etc/inittab",
      "# BusyBox "
      "inittab\n::sysinit:/etc/init.d/rcS\nttyS0::respawn:/bin/sh\n#::respawn:/usr/sbin/debugd\n");
  WriteScript(t.path(), "etc/init.d/rcS",
              "#!/bin/sh\nmount -t proc proc /proc\n# remote support\ntelnetd -l /bin/sh\n"
              "# /usr/sbin/tftpd -l /tmp\n#telnetd\nhttpd -h /www -p 80 # web\n");
  auto run = AssessFolder(t.path());
  auto telnet = run.Findings("fw.services.telnet");
  ASSERT_EQ(telnet.size(), 1u);
  EXPECT_EQ(telnet[0]->severity, Severity::kCritical);
  EXPECT_EQ(telnet[0]->evidence[0].path, "fw!/etc/init.d/rcS");
  EXPECT_EQ(telnet[0]->evidence[0].line, 4u);
  auto serial = run.Findings("fw.services.serial-shell");
  ASSERT_EQ(serial.size(), 1u);
  EXPECT_EQ(serial[0]->provisions, (std::vector<std::string>{"5.6-4"}));
  EXPECT_EQ(serial[0]->evidence[0].line, 3u);
  EXPECT_TRUE(run.Findings("fw.services.debug-daemon").empty());
  EXPECT_TRUE(run.Findings("fw.services.file-transfer").empty());
  const auto names = StartedNames(run);
  EXPECT_TRUE(Has(names, "httpd"));
  EXPECT_FALSE(Has(names, "tftpd"));
  EXPECT_FALSE(Has(names, "debugd"));
}

TEST(FirmwareServices, LoginOnTheConsoleIsNotASerialShell) {
  TempDir t;
  WriteFile(t / "etc/inittab",
            "::sysinit:/etc/init.d/rcS\nttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100\n"
            "ttyS1::askfirst:/bin/login\n#ttyS2::respawn:/bin/sh\n");
  WriteScript(t.path(), "etc/init.d/rcS", "#!/bin/sh\n#telnetd -l /bin/sh\n");
  auto run = AssessFolder(t.path());
  EXPECT_TRUE(run.Findings("fw.services.serial-shell").empty());
  EXPECT_TRUE(run.Findings("fw.services.telnet").empty());
  EXPECT_EQ(run.OutcomeOf("fw.services.serial-shell", "5.6-4")->verdict, Verdict::kPass);
}

TEST(FirmwareServices, OpenWrtRcdLinkEnablesTelnetWhileRootHasNoPassword) {
  TempDir t;
  WriteFile(t / "etc/inittab", "::sysinit:/etc/init.d/rcS S boot\n");
  WriteScript(t.path(), "etc/init.d/rcS", "#!/bin/sh\nfor i in /etc/rc.d/$1*; do $i $2; done\n");
  const std::string rc_common = "#!/bin/sh /etc/rc.common\n";
  WriteScript(t.path(), "etc/init.d/telnet",
              rc_common +
                  "START=50\n\nstart() {\n\tservice_start /usr/sbin/telnetd -l /bin/login.sh\n}\n\n"
                  "stop() {\n\tservice_stop /usr/sbin/telnetd\n}\n");
  // Installed but not enabled (no rc.d link): starts nothing.
  WriteScript(t.path(), "etc/init.d/tftpd",
              rc_common + "start() {\n\tservice_start /usr/sbin/tftpd -l /tmp\n}\n");
  test::Symlink(t.path(), "etc/rc.d/S50telnet", "../init.d/telnet");
  test::Symlink(t.path(), "etc/rc.d/K50telnet", "../init.d/telnet");
  WriteFile(t / "etc/passwd",
            "root:x:0:0:root:/root:/bin/ash\ndaemon:*:1:1:daemon:/var:/bin/false\n");
  WriteFile(t / "etc/shadow", "root:x:0:0:99999:7:::\ndaemon:*:0:0:99999:7:::\n");
  auto run = AssessFolder(t.path());
  auto telnet = run.Findings("fw.services.telnet");
  ASSERT_EQ(telnet.size(), 1u);
  EXPECT_EQ(telnet[0]->severity, Severity::kCritical);
  EXPECT_NE(telnet[0]->title.find("'root' has no password set"), std::string::npos);
  EXPECT_NE(telnet[0]->title.find("/etc/rc.d/S50telnet"), std::string::npos);
  EXPECT_EQ(telnet[0]->evidence[0].line, 5u);
  EXPECT_TRUE(run.Findings("fw.services.file-transfer").empty());
  // Without the rc.d link telnet is not started.
  fs::remove(t / "etc/rc.d/S50telnet");
  EXPECT_TRUE(AssessFolder(t.path()).Findings("fw.services.telnet").empty());
}

TEST(FirmwareServices, GlobLoopsProcdSystemdInetdAndXinetd) {
  TempDir t;
  WriteFile(t / "etc/inittab", "::sysinit:/etc/init.d/rcS\n");
  WriteScript(t.path(), "etc/init.d/rcS",
              "#!/bin/sh\nfor i in /etc/init.d/S??* ;do\n  $i start\ndone\n");
  WriteScript(t.path(), "etc/init.d/S50tftpd",
              "#!/bin/sh\ncase \"$1\" in\n start) /usr/sbin/tftpd -l -s /tmp & ;;\nesac\n");
  WriteScript(t.path(), "etc/init.d/K10ftpd", "#!/bin/sh\nvsftpd &\n");
  // procd service enabled through rc.d
  WriteScript(t.path(), "etc/init.d/miniupnpd",
              "#!/bin/sh /etc/rc.common\nSTART=95\nUSE_PROCD=1\nPROG=/usr/sbin/miniupnpd\n"
              "start_service() {\n\tprocd_open_instance\n\tprocd_set_param command $PROG -f "
              "/var/etc/miniupnpd.conf\n"
              "\tprocd_close_instance\n}\n");
  test::Symlink(t.path(), "etc/rc.d/S95miniupnpd", "../init.d/miniupnpd");
  // systemd: enabled unit without User= (runs as root); a disabled one with a debug daemon
  WriteFile(t / "lib/systemd/system/tddp.service", "[Service]\nExecStart=/usr/bin/tddp -d\n");
  WriteFile(t / "lib/systemd/system/adbd.service", "[Service]\nUser=shell\nExecStart=/sbin/adbd\n");
  test::Symlink(t.path(), "etc/systemd/system/multi-user.target.wants/tddp.service",
                "/lib/systemd/system/tddp.service");
  // inetd: telnet as root; a commented ftp line
  WriteFile(t / "etc/inetd.conf",
            "telnet stream tcp nowait root /usr/sbin/telnetd telnetd\n#ftp stream tcp nowait root "
            "/usr/sbin/ftpd ftpd\n");
  // xinetd: tftp disabled, snmp-ish enabled
  WriteFile(t / "etc/xinetd.d/tftp",
            "service tftp\n{\n\tdisable = yes\n\tserver = /usr/sbin/in.tftpd\n\tuser = root\n}\n");
  WriteFile(t / "etc/xinetd.d/gdb",
            "service gdb\n{\n\tdisable = no\n\tserver = /usr/bin/gdbserver\n\tserver_args = "
            ":2345\n\tuser = nobody\n}\n");
  auto run = AssessFolder(t.path());
  const auto names = StartedNames(run);
  EXPECT_TRUE(Has(names, "tftpd"));
  EXPECT_TRUE(Has(names, "miniupnpd"));
  EXPECT_TRUE(Has(names, "tddp"));
  EXPECT_TRUE(Has(names, "telnetd"));
  EXPECT_TRUE(Has(names, "gdbserver"));
  EXPECT_FALSE(Has(names, "vsftpd"));    // K script
  EXPECT_FALSE(Has(names, "adbd"));      // unit not enabled
  EXPECT_FALSE(Has(names, "in.tftpd"));  // disable = yes
  EXPECT_FALSE(Has(names, "ftpd"));      // commented
  EXPECT_EQ(run.Findings("fw.services.file-transfer").size(), 1u);
  EXPECT_EQ(run.Findings("fw.services.upnp").size(), 1u);
  EXPECT_EQ(run.Findings("fw.services.debug-daemon").size(), 2u);  // tddp, gdbserver
  ASSERT_EQ(run.Findings("fw.services.telnet").size(), 1u);
  EXPECT_EQ(run.Findings("fw.services.telnet")[0]->severity, Severity::kHigh);
  // Root shown by the configuration: inetd's user field and the unit without User=.
  EXPECT_EQ(run.Findings("fw.services.root-daemons").size(), 2u);
  for (const Fact* s : run.Facts(facts::kService)) {
    if (s->value["name"] == "miniupnpd") {
      EXPECT_EQ(s->value["init"], "procd");
      EXPECT_EQ(s->value["started_by"], "/etc/rc.d/S95miniupnpd");
      EXPECT_EQ(s->value["command"], "/usr/sbin/miniupnpd -f /var/etc/miniupnpd.conf");
    }
  }
}

TEST(FirmwareServices, FunctionsThatAreNeverCalledStartNothing) {
  TempDir t;
  WriteFile(t / "etc/inittab", "::sysinit:/etc/init.d/rcS\n");
  WriteScript(t.path(), "etc/init.d/rcS",
              "#!/bin/sh\n. /lib/failsafe.sh\nstart_web() {\n  httpd -p 80\n}\nstart_web\n");
  WriteScript(t.path(), "lib/failsafe.sh",
              "#!/bin/sh\nfailsafe_login() {\n\ttelnetd -l /bin/login.sh\n}\n");
  auto run = AssessFolder(t.path());
  const auto names = StartedNames(run);
  EXPECT_TRUE(Has(names, "httpd"));
  EXPECT_FALSE(Has(names, "telnetd"));
}

TEST(FirmwareServices, NoServicesStartedMeansPassForTheServiceChecksNotFail) {
  TempDir t;
  WriteFile(t / "etc/inittab", "::sysinit:/etc/init.d/rcS\n");
  WriteScript(t.path(), "etc/init.d/rcS", "#!/bin/sh\nsyslogd\n");
  auto run = AssessFolder(t.path());
  for (const char* id :
       {"fw.services.telnet", "fw.services.debug-daemon", "fw.services.file-transfer",
        "fw.services.upnp", "fw.services.root-daemons"}) {
    EXPECT_TRUE(run.Findings(id).empty()) << id;
  }
  EXPECT_EQ(run.OutcomeOf("fw.services.telnet", "5.6-1")->verdict, Verdict::kPass);
}

TEST(FirmwarePermissions, SetuidAndWorldWritableFilesButNotStickyTmp) {
  TempDir t;
  test::WriteMode(
      t.path(), "bin/busybox",
      "\x7f"
      "ELF",
      fs::perms::owner_all | fs::perms::set_uid | fs::perms::group_exec | fs::perms::others_exec);
  test::WriteMode(
      t.path(), "etc/config.ini", "a=b\n",
      fs::perms::all & ~fs::perms::owner_exec & ~fs::perms::group_exec & ~fs::perms::others_exec);
  fs::create_directories(t / "tmp");
  fs::permissions(t / "tmp", fs::perms::all | fs::perms::sticky_bit);
  test::WriteMode(t.path(), "usr/bin/ok", "#!/bin/sh\n", test::kScriptMode);
  auto run = AssessFolder(t.path());
  auto f = run.Findings("fw.files.permissions");
  ASSERT_EQ(f.size(), 2u);
  std::set<std::string> titles;
  for (const Finding* x : f) titles.insert(x->title);
  EXPECT_TRUE(titles.count("file fw!/bin/busybox is setuid (mode 4711)"));
  EXPECT_TRUE(titles.count("file fw!/etc/config.ini is world-writable (mode 0666)"));
}

TEST(FirmwareDisclosure, SecurityTxtPassesAndAbsenceIsInconclusiveNotFail) {
  TempDir t;
  WriteFile(t / "www/.well-known/security.txt",
            "Contact: mailto:security@example-camera.invalid\nExpires: 2099-12-31T23:59:59Z\n"
            "Policy: https://example-camera.invalid/security-policy\n");
  WriteFile(t / "www/index.html", "<html></html>\n");
  auto run = AssessFolder(t.path());
  const Outcome* o = run.OutcomeOf("fw.disclosure.policy", "5.2-1");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->verdict, Verdict::kPass);
  EXPECT_NE(o->reason.find("/www/.well-known/security.txt"), std::string::npos);

  TempDir u;
  WriteFile(u / "www/index.html", "<html></html>\n");
  auto none = AssessFolder(u.path());
  const Outcome* n = none.OutcomeOf("fw.disclosure.policy", "5.2-1");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->verdict, Verdict::kInconclusive);
  EXPECT_EQ(n->reason,
            "no disclosure policy found in the firmware; the manufacturer's published policy or "
            "declaration "
            "would decide it");
  EXPECT_TRUE(none.Findings("fw.disclosure.policy").empty());

  TempDir v;
  WriteFile(v / "usr/share/www/security.txt",
            "Contact: mailto:security@example-camera.invalid\n");  // no Expires
  const auto invalid = AssessFolder(v.path());
  const Outcome* bad = invalid.OutcomeOf("fw.disclosure.policy", "5.2-1");
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ(bad->verdict, Verdict::kInconclusive);
  EXPECT_NE(bad->reason.find("not valid"), std::string::npos);
}

TEST(FirmwareProperties, NothingToLogInWithMeansNoPasswords) {
  TempDir t;
  WriteFile(t / "etc/passwd",
            "root:x:0:0:root:/root:/sbin/nologin\nwww:x:33:33::/www:/bin/false\n");
  WriteFile(t / "etc/shadow", "root:*:1::::::\nwww:*:1::::::\n");
  WriteFile(t / "lib/libc.so.6",
            "\x7f"
            "ELF");
  auto run = AssessFolder(t.path());
  std::map<std::string, bool> props;
  for (const Fact* p : run.Facts(facts::kProperty)) props[p->value["name"]] = p->value["value"];
  EXPECT_FALSE(props.at("passwords_used"));
  EXPECT_FALSE(props.at("preinstalled_passwords"));
  EXPECT_FALSE(props.at("constrained"));
  EXPECT_FALSE(props.count("user_authentication"));
}

}  // namespace
}  // namespace iotcop
