// nvram defaults as vendors ship them: Ralink RT2860_default text tables, nvram.ini, and the
// "key=value" string tables compiled into libnvram.so (a real shared object built with cc). Every
// entry is an nvram_default fact (secrets redacted); the administrator's password keys of
// rules/nvram-admin-keys.txt fail 5.1-1 with the key, the login and where they are; an empty one
// leaves 5.1-1 inconclusive.
#include <gtest/gtest.h>

#include "core/fact_kinds.h"
#include "firmware/nvram.h"
#include "support/firmware_fixture.h"
#include "support/test_support.h"

namespace iotcop {
namespace {

namespace fs = std::filesystem;
using test::AssessFolder;
using test::TempDir;
using test::WriteFile;

TEST(FirmwareNvram, RalinkDefaultTableAdminPasswordFailsWithKeyLoginAndLine) {
  TempDir t;
  WriteFile(t / "etc_ro/Wireless/RT2860AP/RT2860_default_vlan",
            "Default\nSSID1=RalinkAP\nWPAPSK1=Vq7-unlisted-psk\nLogin=admin\nPassword=admin\n"
            "HostName=camera\n");
  auto run = AssessFolder(t.path());
  const Fact* ssid = run.FactWhere(facts::kNvramDefault, "key", "SSID1");
  ASSERT_NE(ssid, nullptr);
  EXPECT_EQ(ssid->value["value"], "RalinkAP");
  EXPECT_EQ(ssid->value["line"], 2);
  EXPECT_EQ(ssid->value["file"], "fw!/etc_ro/Wireless/RT2860AP/RT2860_default_vlan");
  const Fact* psk = run.FactWhere(facts::kNvramDefault, "key", "WPAPSK1");
  ASSERT_NE(psk, nullptr);
  EXPECT_TRUE(psk->value["secret"].get<bool>());
  auto f = run.Findings("fw.credentials.hard-coded");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kCritical);
  EXPECT_NE(f[0]->title.find("default administrator password (login 'admin')"), std::string::npos)
      << f[0]->title;
  EXPECT_NE(f[0]->title.find("Password="), std::string::npos);
  EXPECT_NE(f[0]->title.find("RT2860_default_vlan line 5"), std::string::npos) << f[0]->title;
  EXPECT_EQ(f[0]->evidence[0].line, 5u);
  EXPECT_EQ(run.OutcomeOf("fw.credentials.hard-coded", "5.1-1")->verdict, Verdict::kFail);
  const std::string text = run.AllText();
  EXPECT_EQ(text.find("Vq7-unlisted-psk"), std::string::npos);
  EXPECT_EQ(text.find("Password=admin"), std::string::npos);
}

TEST(FirmwareNvram, EmptyAdministratorPasswordIsInconclusiveNotFail) {
  TempDir t;
  WriteFile(t / "etc/nvram.ini",
            "[system]\nhttp_username=admin\nhttp_passwd=\nlan_ipaddr=10.0.0.1\n");
  auto run = AssessFolder(t.path());
  EXPECT_TRUE(run.Findings("fw.credentials.hard-coded").empty());
  const Outcome* o = run.OutcomeOf("fw.credentials.hard-coded", "5.1-1");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->verdict, Verdict::kInconclusive);
  EXPECT_NE(o->reason.find("http_passwd= (fw!/etc/nvram.ini line 3)"), std::string::npos)
      << o->reason;
  EXPECT_NE(run.FactWhere(facts::kNvramDefault, "key", "lan_ipaddr"), nullptr);
}

TEST(FirmwareNvram, StringTableCompiledIntoLibnvramIsReadWithItsOffset) {
  if (!test::HaveTool("cc")) GTEST_SKIP() << "cc not installed";
  TempDir t;
  WriteFile(t / "defaults.c",
            "const char nvram_defaults[] = \"lan_ipaddr=192.168.1.1\\0lan_netmask=255.255.255.0\\0"
            "wan_proto=dhcp\\0http_username=admin\\0http_passwd=password\\0"
            "wl0_ssid=Broadcom\\0time_zone=GMT0\\0\";\n"
            "const char *usage = \"usage: nvram [get name] [set name=value] [unset name]\";\n");
  fs::create_directories(t / "lib");
  test::MustRun("cc -shared -fPIC -O2 -o " + (t / "lib/libnvram.so").string() + " " +
                (t / "defaults.c").string());
  fs::remove(t / "defaults.c");
  ASSERT_GT(fs::file_size(t / "lib/libnvram.so"), 0u);
  auto run = AssessFolder(t.path());
  const Fact* ip = run.FactWhere(facts::kNvramDefault, "key", "lan_ipaddr");
  ASSERT_NE(ip, nullptr);
  EXPECT_EQ(ip->value["format"], "elf-strings");
  EXPECT_EQ(ip->value["value"], "192.168.1.1");
  EXPECT_TRUE(ip->value.contains("offset"));
  EXPECT_EQ(run.FactWhere(facts::kNvramDefault, "key", "usage: nvram [get name] [set name"),
            nullptr);
  auto f = run.Findings("fw.credentials.hard-coded");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0]->title.find("http_passwd="), std::string::npos);
  EXPECT_NE(f[0]->title.find("fw!/lib/libnvram.so offset 0x"), std::string::npos) << f[0]->title;
  ASSERT_TRUE(f[0]->evidence[0].offset.has_value());
}

TEST(FirmwareNvram, BroadcomRouterDefaultsTupleArrayInAProgram) {
  if (!test::HaveTool("cc")) GTEST_SKIP() << "cc not installed";
  TempDir t;
  WriteFile(
      t / "nvram.c",
      "struct nvram_tuple { const char *name; const char *value; void *next; };\n"
      "const struct nvram_tuple router_defaults[] = {\n"
      "  {\"restore_defaults\", \"0\", 0}, {\"lan_ipaddr\", \"192.168.1.1\", 0},\n"
      "  {\"lan_proto\", \"dhcp\", 0}, {\"wan_proto\", \"dhcp\", 0},\n"
      "  {\"http_username\", \"admin\", 0}, {\"http_passwd\", \"admin\", 0},\n"
      "  {\"wl_ssid\", \"\", 0}, {\"time_zone\", \"PST8PDT\", 0}, {0, 0, 0}};\n"
      "int main(int argc, char **argv) { (void)argv; return router_defaults[argc].name[0]; }\n");
  fs::create_directories(t / "usr/sbin");
  test::MustRun("cc -no-pie -O0 -o " + (t / "usr/sbin/nvram").string() + " " +
                (t / "nvram.c").string());
  fs::remove(t / "nvram.c");
  auto run = AssessFolder(t.path());
  const Fact* tz = run.FactWhere(facts::kNvramDefault, "key", "time_zone");
  ASSERT_NE(tz, nullptr);
  EXPECT_EQ(tz->value["format"], "elf-tuples");
  EXPECT_EQ(tz->value["value"], "PST8PDT");
  const Fact* ssid = run.FactWhere(facts::kNvramDefault, "key", "wl_ssid");
  ASSERT_NE(ssid, nullptr);
  EXPECT_EQ(ssid->value["value"], "");
  auto f = run.Findings("fw.credentials.hard-coded");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kCritical);
  EXPECT_NE(f[0]->title.find("(login 'admin')"), std::string::npos) << f[0]->title;
  EXPECT_NE(f[0]->title.find("fw!/usr/sbin/nvram offset 0x"), std::string::npos) << f[0]->title;
}

TEST(FirmwareNvram, ReaderSkipsShortRunsCommentsAndFormatStrings) {
  // Fewer than kMinNvramRun consecutive pairs are not a table.
  std::string elfless = "a=1";
  EXPECT_TRUE(firmware::ReadNvramElf(AsBytes(elfless), "x").empty());
  const auto text = firmware::ReadNvramText(
      "# comment\n; ini comment\n[section]\nexport wan_proto=\"pppoe\"\nfmt=%s\n1bad=x\nok=\n");
  ASSERT_EQ(text.size(), 2u);
  EXPECT_EQ(text[0].key, "wan_proto");
  EXPECT_EQ(text[0].value, "pppoe");
  EXPECT_EQ(text[0].line, 4u);
  EXPECT_EQ(text[1].key, "ok");
  EXPECT_EQ(text[1].value, "");
  EXPECT_TRUE(firmware::ReadNvramText("#!/bin/sh\nPATH=/bin:/sbin\nnvram set a=b\n").empty());
  EXPECT_TRUE(firmware::IsNvramTextTable("/etc_ro/Wireless/RT2860AP/RT2860_default_novlan"));
  EXPECT_TRUE(firmware::IsNvramTextTable("/etc/RT2860AP.dat"));
  EXPECT_FALSE(firmware::IsNvramTextTable("/etc/init.d/nvram"));
  EXPECT_TRUE(firmware::IsNvramProgram("/lib/libnvram-0.9.28.so"));
}

}  // namespace
}  // namespace iotcop
