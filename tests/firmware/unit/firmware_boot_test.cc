// Boot as vendors write it: OpenWrt's rc.local run by /etc/init.d/done, systemd's rc-local.service
// (enabled, or pulled in because /etc/rc.local is executable), cron tables (run only when crond is
// started), Ralink's /etc_ro init tree, and the launch forms of the shell follower (`sh script`
// and `. script` without a #! line, `sh -c`, variables with defaults, background scripts).
#include <gtest/gtest.h>

#include "core/fact_kinds.h"
#include "firmware/boot/boot.h"
#include "support/firmware_fixture.h"
#include "support/test_support.h"

namespace iotcop {
namespace {

namespace fs = std::filesystem;
using test::AssessFolder;
using test::TempDir;
using test::WriteFile;
using test::WriteScript;

constexpr auto kBootPlain = fs::perms::owner_read | fs::perms::owner_write;

const Fact* ServiceNamed(const test::FirmwareRun& run, const std::string& name) {
  return run.FactWhere(facts::kService, "name", name);
}

// The boot plan of a folder, as the services collector sees it.
firmware::BootPlan PlanOf(const fs::path& dir) {
  auto tree = unpack::Tree::FromDirectory(dir);
  EXPECT_TRUE(tree.ok());
  return firmware::DiscoverBoot(*tree, 0);
}

void OpenWrtBase(const TempDir& t) {
  WriteFile(t / "etc/inittab", "::sysinit:/etc/init.d/rcS S boot\n");
  WriteScript(t.path(), "etc/init.d/rcS", "#!/bin/sh\nfor i in /etc/rc.d/$1*; do $i $2; done\n");
  // OpenWrt 12.09's done: rc.local has no #! line and is run by sh.
  WriteScript(t.path(), "etc/init.d/done",
              "#!/bin/sh /etc/rc.common\nSTART=95\nboot() {\n\tmount_root done\n"
              "\t[ -f /etc/rc.local ] && {\n\t\tsh /etc/rc.local\n\t}\n}\n");
}

TEST(FirmwareBoot, OpenWrtRcLocalRunsWhenDoneIsEnabled) {
  TempDir t;
  OpenWrtBase(t);
  test::WriteMode(t.path(), "etc/rc.local",
                  "# Put your custom commands here\n/usr/sbin/utelnetd -p 2323 &\nexit 0\n",
                  kBootPlain);
  test::Symlink(t.path(), "etc/rc.d/S95done", "../init.d/done");
  auto run = AssessFolder(t.path());
  const Fact* s = ServiceNamed(run, "utelnetd");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value["init"], "rc.local");
  EXPECT_EQ(s->value["file"], "fw!/etc/rc.local");
  EXPECT_EQ(s->value["line"], 2);
  EXPECT_EQ(s->value["port"], 2323);
  EXPECT_EQ(run.Findings("fw.services.telnet").size(), 1u);
  // done disabled: rc.local never runs.
  fs::remove(t / "etc/rc.d/S95done");
  EXPECT_EQ(ServiceNamed(AssessFolder(t.path()), "utelnetd"), nullptr);
}

TEST(FirmwareBoot, SystemdRcLocalEnabledOrExecutable) {
  TempDir t;
  WriteFile(t / "lib/systemd/system/rc-local.service",
            "[Unit]\nConditionFileIsExecutable=/etc/rc.local\n[Service]\n"
            "ExecStart=/etc/rc.local start\n");
  test::WriteMode(t.path(), "etc/rc.local", "#!/bin/sh -e\ntddp &\nexit 0\n", kBootPlain);
  // Not executable, not enabled: the generator does not pull it in.
  EXPECT_EQ(ServiceNamed(AssessFolder(t.path()), "tddp"), nullptr);
  // Executable: systemd-rc-local-generator adds it to multi-user.target.
  fs::permissions(t / "etc/rc.local", test::kScriptMode);
  auto run = AssessFolder(t.path());
  const Fact* s = ServiceNamed(run, "tddp");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value["init"], "rc.local");
  EXPECT_NE(s->value["started_by"].get<std::string>().find("rc-local-generator"),
            std::string::npos);
  EXPECT_EQ(run.Findings("fw.services.debug-daemon").size(), 1u);
}

TEST(FirmwareBoot, CronEntriesRunOnlyWhenCrondIsStarted) {
  TempDir t;
  OpenWrtBase(t);
  WriteScript(t.path(), "etc/init.d/cron",
              "#!/bin/sh /etc/rc.common\nSTART=50\nstart() {\n\tmkdir -p /var/spool/cron\n"
              "\tservice_start /usr/sbin/crond -c /etc/crontabs -l ${loglevel:-5}\n}\n");
  WriteFile(t / "etc/crontabs/root",
            "# m h dom mon dow command\nMAILTO=\"\"\n*/5 * * * * /usr/sbin/ntpd -q -p pool\n"
            "@reboot /usr/sbin/tddp &\n0 3 * * * /usr/bin/check.sh\n");
  WriteScript(t.path(), "usr/bin/check.sh",
              "#!/bin/sh\npidof httpd || /usr/sbin/httpd -p 8080 &\n");
  WriteFile(t / "etc/cron.d/backup", "SHELL=/bin/sh\n17 * * * * nobody /usr/bin/rsync -a /a /b\n");
  // crond installed but not enabled.
  {
    const firmware::BootPlan plan = PlanOf(t.path());
    int cron = 0;
    for (const auto& c : plan.commands) {
      if (c.init != "cron") continue;
      ++cron;
      EXPECT_FALSE(c.daemon);
      EXPECT_NE(c.note.find("crond is not started"), std::string::npos);
    }
    EXPECT_EQ(cron, 4);  // ntpd, tddp, check.sh (not followed), rsync
    auto run = AssessFolder(t.path());
    EXPECT_EQ(ServiceNamed(run, "tddp"), nullptr);
    EXPECT_TRUE(run.Findings("fw.services.debug-daemon").empty());
  }
  test::Symlink(t.path(), "etc/rc.d/S50cron", "../init.d/cron");
  const firmware::BootPlan plan = PlanOf(t.path());
  bool saw_rsync = false, saw_ntpd = false;
  for (const auto& c : plan.commands) {
    if (c.init != "cron") continue;
    EXPECT_TRUE(c.note.empty());
    if (c.argv.front() == "/usr/bin/rsync") {
      saw_rsync = true;
      EXPECT_EQ(c.user, "nobody");
      EXPECT_EQ(c.schedule, "17 * * * *");
    }
    if (c.argv.front() == "/usr/sbin/ntpd") {
      saw_ntpd = true;
      EXPECT_EQ(c.user, "root");
      EXPECT_EQ(c.schedule, "*/5 * * * *");
      EXPECT_EQ(c.line, 3u);
    }
  }
  EXPECT_TRUE(saw_rsync);
  EXPECT_TRUE(saw_ntpd);
  auto run = AssessFolder(t.path());
  const Fact* tddp = ServiceNamed(run, "tddp");
  ASSERT_NE(tddp, nullptr);
  EXPECT_EQ(tddp->value["init"], "cron");
  EXPECT_EQ(tddp->value["schedule"], "@reboot");
  EXPECT_EQ(run.Findings("fw.services.debug-daemon").size(), 1u);
  // The script a cron entry runs is followed: its httpd is started.
  const Fact* httpd = ServiceNamed(run, "httpd");
  ASSERT_NE(httpd, nullptr);
  EXPECT_EQ(httpd->value["file"], "fw!/usr/bin/check.sh");
  EXPECT_EQ(httpd->value["init"], "cron");
}

TEST(FirmwareBoot, RalinkEtcRoInitTreeAndShellLaunchForms) {
  TempDir t;
  WriteFile(t / "etc_ro/inittab", "::sysinit:/etc_ro/rcS\nttyS1::respawn:/bin/sh\n");
  WriteScript(t.path(), "etc_ro/rcS",
              "#!/bin/sh\nmount -a\nWEB=/bin/goahead\nDBG=\n"
              ". /etc_ro/lib.sh\n"            // sourced, no #! line
              "sh /sbin/internet.sh\n"        // run by sh, no #! line
              "sh -c \"$WEB -p 80 &\"\n"      // sh -c with a variable
              "${DBG:-/usr/sbin/debugd} &\n"  // a default through ${VAR:-word}
              "#/usr/sbin/telnetd\n");
  test::WriteMode(t.path(), "etc_ro/lib.sh", "start_nvram() {\n\tnvram_daemon &\n}\nstart_nvram\n",
                  kBootPlain);
  test::WriteMode(t.path(), "sbin/internet.sh", "udhcpd /etc/udhcpd.conf &\n", kBootPlain);
  auto run = AssessFolder(t.path());
  for (const char* name : {"nvram_daemon", "udhcpd", "goahead", "debugd"})
    EXPECT_NE(ServiceNamed(run, name), nullptr) << name;
  EXPECT_EQ(ServiceNamed(run, "telnetd"), nullptr);
  const Fact* goahead = ServiceNamed(run, "goahead");
  ASSERT_NE(goahead, nullptr);
  EXPECT_EQ(goahead->value["file"], "fw!/etc_ro/rcS");
  EXPECT_EQ(goahead->value["line"], 7);
  EXPECT_EQ(goahead->value["port"], 80);
}

}  // namespace
}  // namespace iotcop
