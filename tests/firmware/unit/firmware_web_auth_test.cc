// Web servers' own authentication: realms per path from lighttpd, boa, GoAhead and .htpasswd
// folders (web_auth facts), the user files their configuration names (default users decide 5.1-1
// through fw.credentials.hard-coded), and administration paths left outside every realm
// (fw.web.admin-without-auth, 5.5-5). A server that protects nothing itself is not flagged.
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

TEST(FirmwareWebAuth, LighttpdRealmUserFileAndUnprotectedCgiBin) {
  TempDir t;
  WriteFile(t / "etc/lighttpd/lighttpd.conf",
            "server.document-root = \"/www\"\nserver.modules += ( \"mod_auth\" )\n"
            "auth.backend = \"plain\"\nauth.backend.plain.userfile = \"/etc/lighttpd/auth.users\"\n"
            "# auth.require = ( \"/cgi-bin/\" => ( \"method\" => \"basic\" ) )\n"
            "auth.require = ( \"/admin/\" =>\n  (\n    \"method\" => \"digest\",\n"
            "    \"realm\" => \"Router\",\n    \"require\" => \"valid-user\"\n  )\n)\n");
  WriteFile(t / "etc/lighttpd/auth.users", "admin:admin\n");
  WriteFile(t / "www/index.html", "<html></html>\n");
  WriteFile(t / "www/admin/index.html", "<html></html>\n");
  WriteFile(t / "www/cgi-bin/reboot.cgi", "#!/bin/sh\nreboot\n");
  auto run = AssessFolder(t.path());
  const Fact* admin = run.FactWhere(facts::kWebAuth, "path", "/admin/");
  ASSERT_NE(admin, nullptr);
  EXPECT_EQ(admin->value["server"], "lighttpd");
  EXPECT_EQ(admin->value["method"], "digest");
  EXPECT_EQ(admin->value["realm"], "Router");
  EXPECT_EQ(admin->value["line"], 6);
  EXPECT_EQ(admin->value["user_file"], "/etc/lighttpd/auth.users");
  // The user file named by the configuration: admin:admin is a default credential.
  auto creds = run.Findings("fw.credentials.hard-coded");
  ASSERT_EQ(creds.size(), 1u);
  EXPECT_EQ(creds[0]->severity, Severity::kCritical);
  EXPECT_EQ(creds[0]->evidence[0].path, "fw!/etc/lighttpd/auth.users");
  auto open = run.Findings("fw.web.admin-without-auth");
  ASSERT_EQ(open.size(), 1u);
  EXPECT_NE(open[0]->title.find("/cgi-bin"), std::string::npos) << open[0]->title;
  // The configuration cannot show the application's own login check: it informs 5.5-5.
  EXPECT_TRUE(open[0]->provisions.empty());
  EXPECT_EQ(open[0]->informs, (std::vector<std::string>{"5.5-5"}));
  // Protecting / covers everything.
  WriteFile(t / "etc/lighttpd/lighttpd.conf",
            "server.document-root = \"/www\"\nauth.require = ( \"/\" => ( \"method\" => "
            "\"basic\", \"realm\" => \"R\" ) )\n");
  auto covered = AssessFolder(t.path());
  EXPECT_TRUE(covered.Findings("fw.web.admin-without-auth").empty());
  EXPECT_EQ(covered.OutcomeOf("fw.web.admin-without-auth", "5.5-5")->verdict,
            Verdict::kInconclusive);
}

TEST(FirmwareWebAuth, GoaheadRoutesBoaAuthAndHtpasswdFolders) {
  TempDir t;
  WriteFile(t / "etc/goahead/route.txt",
            "route uri=/goform/login handler=action\n"
            "route uri=/goform/setSysAdm handler=action\n"
            "route uri=/action auth=form handler=action\n"
            "route uri=/cgi-bin dir=/web handler=cgi\n"
            "route uri=/\n");
  WriteFile(t / "etc/goahead/auth.txt",
            "role name=administrator abilities=manage,\nuser name=admin "
            "password=0123456789abcdef0123456789abcdef roles=administrator\n");
  WriteFile(t / "etc/boa/boa.conf",
            "Port 80\nDocumentRoot /home/httpd\nAuth /setup /etc/boa/setup.pw\n");
  WriteFile(t / "etc/boa/setup.pw", "support:Xq4-unlisted\n");
  WriteFile(t / "etc/mini_httpd.conf", "dir=/srv/www\nport=8080\n");
  WriteFile(t / "srv/www/admin/.htpasswd", "root:root\n");
  auto run = AssessFolder(t.path());
  const Fact* action = run.FactWhere(facts::kWebAuth, "path", "/action");
  ASSERT_NE(action, nullptr);
  EXPECT_EQ(action->value["method"], "form");
  EXPECT_EQ(action->value["users"], nlohmann::json::array({"admin"}));
  const Fact* setup = run.FactWhere(facts::kWebAuth, "path", "/setup");
  ASSERT_NE(setup, nullptr);
  EXPECT_EQ(setup->value["server"], "boa");
  const Fact* htpasswd = run.FactWhere(facts::kWebAuth, "path", "/admin");
  ASSERT_NE(htpasswd, nullptr);
  EXPECT_EQ(htpasswd->value["server"], "mini_httpd");
  // GoAhead routes to handlers without auth=: /goform/setSysAdm and /cgi-bin; neither / nor the
  // login handler is an administration path.
  std::set<std::string> open;
  for (const Finding* f : run.Findings("fw.web.admin-without-auth")) open.insert(f->title);
  EXPECT_EQ(open.size(), 2u);
  EXPECT_EQ(open.count("administration path /cgi-bin served by goahead without authentication "
                       "(fw!/etc/goahead/route.txt)"),
            1u);
  // Users of the files the configurations name: support (boa, plaintext, unlisted) and root:root.
  auto creds = run.Findings("fw.credentials.hard-coded");
  ASSERT_EQ(creds.size(), 2u);
  EXPECT_EQ(run.AllText().find("Xq4-unlisted"), std::string::npos);
}

TEST(FirmwareWebAuth, ServerThatProtectsNothingLeavesAuthToTheApplication) {
  TempDir t;
  WriteFile(t / "etc/lighttpd.conf", "server.document-root = \"/www\"\n");
  WriteFile(t / "www/cgi-bin/luci", "#!/usr/bin/lua\n");
  auto run = AssessFolder(t.path());
  EXPECT_TRUE(run.Facts(facts::kWebAuth).empty());
  EXPECT_TRUE(run.Findings("fw.web.admin-without-auth").empty());
}

}  // namespace
}  // namespace iotcop
