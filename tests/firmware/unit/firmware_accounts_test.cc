// Accounts, passwords and configured credentials: each check on a tree that must be flagged and
// on one that must not (locked accounts, placeholders, commented lines).
#include <gtest/gtest.h>

#include "core/fact_kinds.h"
#include "credentials/passwords.h"
#include "support/firmware_fixture.h"
#include "support/test_support.h"

namespace iotcop {
namespace {

namespace fs = std::filesystem;
using test::AssessFolder;
using test::MustRun;
using test::TempDir;
using test::WriteFile;

constexpr auto kRw = fs::perms::owner_read | fs::perms::owner_write;

std::string Mkpasswd(const std::string& method, const std::string& password) {
  if (!test::HaveTool("mkpasswd")) return {};
  return MustRun("mkpasswd -m " + method + " '" + password + "'");
}

void BaseTree(const TempDir& t) {
  WriteFile(t / "bin/busybox",
            "\x7f"
            "ELF busybox");
  WriteFile(t / "etc/group", "root:x:0:\nwww:x:33:\nadmins:x:10:admin,guest\n");
}

TEST(FirmwareAccounts, VerifiesEveryCryptSchemeWithCryptR) {
  if (!test::HaveTool("mkpasswd"))
    GTEST_SKIP() << "mkpasswd (Debian package whois) is not installed";
  for (const char* m :
       {"descrypt", "md5crypt", "sha256crypt", "sha512crypt", "bcrypt", "yescrypt"}) {
    const std::string h = Mkpasswd(m, "admin");
    EXPECT_TRUE(credentials::VerifyCrypt("admin", h)) << m << " " << h;
    EXPECT_FALSE(credentials::VerifyCrypt("admin1", h)) << m;
    EXPECT_FALSE(credentials::HashScheme(h).empty()) << m;
  }
  EXPECT_EQ(credentials::HashScheme(Mkpasswd("md5crypt", "x")), "md5");
  EXPECT_TRUE(credentials::IsWeakScheme(credentials::HashScheme(Mkpasswd("descrypt", "x"))));
  EXPECT_FALSE(credentials::VerifyCrypt("admin", "*"));
  EXPECT_FALSE(credentials::VerifyCrypt("", "!"));
}

TEST(FirmwareAccounts, DefaultPasswordInShadowIsCriticalAndRedacted) {
  TempDir t;
  BaseTree(t);
  const std::string hash = MustRun("openssl passwd -6 -salt fixturesalt admin");
  WriteFile(t / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/www:/sbin/nologin\n");
  test::WriteMode(t.path(), "etc/shadow",
                  "root:" + hash + ":19358:0:99999:7:::\nwww:*:19358::::::\n", kRw);
  auto run = AssessFolder(t.path());
  auto f = run.Findings("fw.accounts.default-password");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kCritical);
  EXPECT_NE(f[0]->title.find("'root'"), std::string::npos);
  EXPECT_NE(f[0]->title.find("mirai"), std::string::npos);
  EXPECT_EQ(f[0]->provisions, (std::vector<std::string>{"5.1-1", "5.4-3"}));
  // Evidence names the file and line; neither the password nor the hash appears anywhere.
  bool shadow_line = false;
  for (const auto& e : f[0]->evidence) shadow_line |= e.path == "fw!/etc/shadow" && e.line == 1u;
  EXPECT_TRUE(shadow_line);
  const std::string text = run.AllText();
  EXPECT_EQ(text.find(hash), std::string::npos);
  EXPECT_EQ(text.find(hash.substr(20)), std::string::npos);
  EXPECT_EQ(text.find(":admin"), std::string::npos);
  // Stable key: account + file, not a position.
  auto again = AssessFolder(t.path());
  EXPECT_EQ(again.Findings("fw.accounts.default-password")[0]->fingerprint, f[0]->fingerprint);
  // Properties from the same evidence.
  bool preinstalled = false, used = false, constrained = true;
  for (const Fact* p : run.Facts(facts::kProperty)) {
    if (p->value["name"] == "preinstalled_passwords") preinstalled = p->value["value"];
    if (p->value["name"] == "passwords_used") used = p->value["value"];
    if (p->value["name"] == "constrained") constrained = p->value["value"];
  }
  EXPECT_TRUE(preinstalled);
  EXPECT_TRUE(used);
  EXPECT_FALSE(constrained);
}

TEST(FirmwareAccounts, LockedAccountsAndPlaceholdersAreNotDefaultPasswords) {
  TempDir t;
  BaseTree(t);
  WriteFile(t / "etc/passwd",
            "root:x:0:0:root:/root:/bin/sh\n"
            "daemon:*:1:1::/:/bin/sh\n"
            "guest:x:1000:1000::/tmp:/bin/sh\n"
            "svc:x:1001:1001::/tmp:/bin/sh\n"
            "ftp::55:55::/home/ftp:/bin/false\n");
  test::WriteMode(t.path(), "etc/shadow",
                  "root:*:19358:0:99999:7:::\nguest:!:19358::::::\nsvc:!!:19358::::::\n"
                  "ftp::19358::::::\n",
                  kRw);
  auto run = AssessFolder(t.path());
  EXPECT_TRUE(run.Findings("fw.accounts.default-password").empty());
  EXPECT_TRUE(run.Findings("fw.accounts.extra-root").empty());
  EXPECT_TRUE(run.Findings("fw.accounts.weak-hash").empty());
  const Outcome* o = run.OutcomeOf("fw.accounts.default-password", "5.1-1");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->verdict, Verdict::kPass);
  for (const Fact* p : run.Facts(facts::kProperty)) {
    if (p->value["name"] == "preinstalled_passwords") {
      EXPECT_FALSE(p->value["value"].get<bool>());
    }
  }
}

TEST(FirmwareAccounts, PasswdWithoutShadowIsAPlaceholderButAnEmptyFieldIsNot) {
  TempDir t;
  BaseTree(t);
  WriteFile(t / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  auto placeholder = AssessFolder(t.path());
  EXPECT_TRUE(placeholder.Findings("fw.accounts.default-password").empty());

  TempDir u;
  BaseTree(u);
  WriteFile(u / "etc/passwd", "root::0:0:root:/root:/bin/sh\n");
  auto empty = AssessFolder(u.path());
  auto f = empty.Findings("fw.accounts.default-password");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kCritical);
  EXPECT_NE(f[0]->title.find("empty password"), std::string::npos);
  EXPECT_EQ(f[0]->evidence[0].line, 1u);
}

TEST(FirmwareAccounts, UncrackedBakedHashIsHighAndUserListCracksIt) {
  TempDir t;
  BaseTree(t);
  const std::string hash = MustRun("openssl passwd -6 -salt unitsalt 'Qz7-unlisted-pass'");
  WriteFile(t / "etc/passwd", "root:x:0:0:root:/root:/bin/ash\n");
  test::WriteMode(t.path(), "etc/shadow", "root:" + hash + ":19358:0:99999:7:::\n", kRw);
  auto run = AssessFolder(t.path());
  auto f = run.Findings("fw.accounts.default-password");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kHigh);
  EXPECT_NE(f[0]->title.find("baked into the image"), std::string::npos);

  // --credentials adds the user's own list.
  WriteFile(t / "../mylist.csv", "username,password,source\nroot,Qz7-unlisted-pass,\n");
  CheckConfig config;
  config.extra_credentials_files.push_back((t.path() / ".." / "mylist.csv").string());
  auto cracked = AssessFolder(t.path(), config);
  auto g = cracked.Findings("fw.accounts.default-password");
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0]->severity, Severity::kCritical);
  EXPECT_NE(g[0]->title.find("mylist.csv"), std::string::npos);
  EXPECT_EQ(cracked.AllText().find("Qz7-unlisted-pass"), std::string::npos);
}

TEST(FirmwareAccounts, PasswdLinkedToVarFollowsTheBootCopyOfPasswdBak) {
  TempDir t;
  BaseTree(t);
  // As in corpus 08: /etc/passwd -> /var/passwd, filled from /etc/passwd.bak by rcS.
  test::Symlink(t.path(), "etc/passwd", "/var/passwd");
  WriteFile(t / "etc/passwd.bak", "admin:" + MustRun("openssl passwd -1 -salt '' 1234") +
                                      ":0:0:root:/:/bin/sh\nnobody:*:0:0:nobody:/:/bin/sh\n");
  WriteFile(t / "etc/inittab", "::sysinit:/etc/init.d/rcS\n");
  test::WriteMode(t.path(), "etc/init.d/rcS",
                  "#!/bin/sh\nmkdir -p /var\ncp -p /etc/passwd.bak /var/passwd\n",
                  fs::perms::owner_all);
  fs::create_directories(t / "var");
  auto run = AssessFolder(t.path());
  auto f = run.Findings("fw.accounts.default-password");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0]->title.find("'admin'"), std::string::npos);
  EXPECT_NE(f[0]->title.find("passwd.bak"), std::string::npos);
  EXPECT_NE(f[0]->title.find("installed as /etc/passwd"), std::string::npos);
  auto root = run.Findings("fw.accounts.extra-root");
  ASSERT_EQ(root.size(), 1u);  // admin; the locked uid-0 'nobody' is not reported
  EXPECT_NE(root[0]->title.find("'admin'"), std::string::npos);
  auto weak = run.Findings("fw.accounts.weak-hash");
  ASSERT_EQ(weak.size(), 1u);
  EXPECT_NE(weak[0]->title.find("md5"), std::string::npos);
}

TEST(FirmwareAccounts, StrongHashIsNotWeak) {
  TempDir t;
  BaseTree(t);
  WriteFile(t / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  test::WriteMode(t.path(), "etc/shadow",
                  "root:" + MustRun("openssl passwd -5 -salt s 'Zr!0-unlisted'") + ":1::::::\n",
                  kRw);
  auto run = AssessFolder(t.path());
  EXPECT_TRUE(run.Findings("fw.accounts.weak-hash").empty());
  EXPECT_EQ(run.OutcomeOf("fw.accounts.weak-hash", "5.1-3")->verdict, Verdict::kPass);
}

TEST(FirmwareCredentials, WebNvramAndCommandLineCredentialsAreFound) {
  TempDir t;
  BaseTree(t);
  WriteFile(t / "etc/lighttpd.user", "admin:admin\n");
  WriteFile(t / "www/.htpasswd",
            "viewer:" + MustRun("openssl passwd -apr1 -salt abcdefgh 'Kw9_unlisted'") + "\n");
  WriteFile(t / "etc/nvram.default",
            "lan_ipaddr=192.168.0.1\nhttp_username=admin\nhttp_passwd=1234\n");
  WriteFile(t / "etc/inittab", "::sysinit:/etc/init.d/rcS\n");
  test::WriteMode(t.path(), "etc/init.d/rcS", "#!/bin/sh\nutelnetd -u support:Fz8-unlisted &\n",
                  fs::perms::owner_all);
  auto run = AssessFolder(t.path());
  auto f = run.Findings("fw.credentials.hard-coded");
  ASSERT_EQ(f.size(), 4u);
  int critical = 0, high = 0;
  for (const Finding* x : f) (x->severity == Severity::kCritical ? critical : high) += 1;
  EXPECT_EQ(critical, 2);  // admin:admin and http_passwd=1234
  EXPECT_EQ(high, 2);      // the apr1 hash and the unlisted command-line password
  const std::string text = run.AllText();
  EXPECT_EQ(text.find("Fz8-unlisted"), std::string::npos);  // not in the service fact either
  EXPECT_EQ(text.find("http_passwd=1234"), std::string::npos);
}

TEST(FirmwareCredentials, CommentedAndVariableCredentialsAreNotFound) {
  TempDir t;
  BaseTree(t);
  WriteFile(t / "etc/nvram.default", "#http_passwd=admin\nhttp_username=admin\n");
  WriteFile(t / "etc/inittab", "::sysinit:/etc/init.d/rcS\n");
  test::WriteMode(t.path(), "etc/init.d/rcS",
                  "#!/bin/sh\n#utelnetd -u support:admin &\ninadyn -u $u -p $pw -a $host &\n",
                  fs::perms::owner_all);
  auto run = AssessFolder(t.path());
  EXPECT_TRUE(run.Findings("fw.credentials.hard-coded").empty());
}

TEST(FirmwareCredentials, BackdoorPasswordCompiledIntoAProgramIsFoundByYara) {
  TempDir t;
  BaseTree(t);
  std::string elf(
      "\x7f"
      "ELF\x01\x01\x01",
      7);
  elf += std::string(64, '\0') + "login" + std::string(1, '\0') + "xc3511" + std::string(1, '\0') +
         "done";
  WriteFile(t / "usr/bin/vendord", elf);
  auto run = AssessFolder(t.path());
  auto f = run.Findings("fw.credentials.hard-coded");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kCritical);
  EXPECT_TRUE(f[0]->evidence[0].offset.has_value());

  TempDir u;
  BaseTree(u);
  WriteFile(u / "usr/bin/vendord", std::string("\x7f"
                                               "ELF",
                                               4) +
                                       std::string(64, '\0') + "xc35110 vizxvq");
  EXPECT_TRUE(AssessFolder(u.path()).Findings("fw.credentials.hard-coded").empty());
}

TEST(FirmwareCredentials, SnmpDefaultCommunityStartedAtBoot) {
  TempDir t;
  BaseTree(t);
  WriteFile(t / "etc/snmp/snmpd.conf", "# defaults\nrocommunity public default\nsyslocation lab\n");
  WriteFile(t / "etc/inittab", "::sysinit:/etc/init.d/rcS\n");
  test::WriteMode(t.path(), "etc/init.d/rcS", "#!/bin/sh\nsnmpd -c /etc/snmp/snmpd.conf\n",
                  fs::perms::owner_all);
  auto run = AssessFolder(t.path());
  auto f = run.Findings("fw.services.snmp-community");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kHigh);
  EXPECT_EQ(f[0]->evidence[0].line, 2u);

  TempDir u;
  BaseTree(u);
  WriteFile(u / "etc/snmp/snmpd.conf", "rocommunity Xk29-fj3Lq default\n#rwcommunity private\n");
  EXPECT_TRUE(AssessFolder(u.path()).Findings("fw.services.snmp-community").empty());
}

}  // namespace
}  // namespace iotcop
