// Precision of cleartext endpoints (issue 15, part 3): a URL in a comment (shell #, Lua -- and
// --[[ ]], JavaScript // and /* */, HTML <!-- -->), a login banner, documentation, a licence, a
// help page, a sentence inside a string, a shell pattern or a binary's strings is not an endpoint;
// a URL in a configuration value, in code, in a fetch command or in an opkg feed is, and fails
// 5.5-1 when it is cleartext.
#include <gtest/gtest.h>

#include <set>

#include "core/fact_kinds.h"
#include "firmware/text_files.h"
#include "support/firmware_support.h"
#include "support/test_support.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;

std::vector<std::string> CodeLines(std::string_view text, firmware::CommentSyntax syntax) {
  std::vector<std::string> out;
  firmware::ForEachCodeLine(
      text,
      [&](std::uint32_t no, std::string_view l) {
        out.push_back(std::to_string(no) + ":" + std::string(l));
      },
      syntax);
  return out;
}

TEST(EndpointPrecision, CommentsOfEachLanguageAreRemoved) {
  using firmware::CommentSyntax;
  EXPECT_EQ(CodeLines("#!/usr/bin/lua\n-- http://a\nlocal u = \"http://b\" -- http://c\n"
                      "--[[ http://d\nhttp://e ]] x = 1\n--[==[\n]]\n]==]\ny = '--not'\n",
                      CommentSyntax::kLua),
            (std::vector<std::string>{"3:local u = \"http://b\"", "5:x = 1", "9:y = '--not'"}));
  EXPECT_EQ(CodeLines("// http://a\nvar u = \"http://b\"; // http://c\n/* http://d\n"
                      " * http://e */ f(); /* x */ g('/*');\n",
                      CommentSyntax::kCLike),
            (std::vector<std::string>{"2:var u = \"http://b\";", "4:f();   g('/*');"}));
  EXPECT_EQ(CodeLines("<a>x</a><!-- http://a\nhttp://b --><b>y</b>\n<p>don't</p>\n",
                      CommentSyntax::kHtml),
            (std::vector<std::string>{"1:<a>x</a>", "2:<b>y</b>", "3:<p>don't</p>"}));
  EXPECT_EQ(
      CodeLines("# http://a\nurl=http://b # http://c\n; x\nv=\"a # b\"\n", CommentSyntax::kShell),
      (std::vector<std::string>{"2:url=http://b", "4:v=\"a # b\""}));
  EXPECT_EQ(firmware::CommentSyntaxOf("/usr/lib/lua/luci/dispatcher.lua", ""), CommentSyntax::kLua);
  EXPECT_EQ(firmware::CommentSyntaxOf("/usr/bin/luci-reload", "#!/usr/bin/lua\nx"),
            CommentSyntax::kLua);
  EXPECT_EQ(firmware::CommentSyntaxOf("/www/cbi.js", ""), CommentSyntax::kCLike);
  EXPECT_EQ(firmware::CommentSyntaxOf("/etc/upnp.xml", ""), CommentSyntax::kHtml);
  EXPECT_EQ(firmware::CommentSyntaxOf("/etc/init.d/x", "#!/bin/sh\n"), CommentSyntax::kShell);
}

TEST(EndpointPrecision, ProseFilesAreNotConfiguration) {
  for (const char* p :
       {"/etc/banner", "/etc/motd", "/etc/issue", "/etc/issue.net", "/usr/share/doc/busybox/README",
        "/usr/share/man/man1/ls.1", "/usr/lib/lua/luci/COPYING", "/www/LICENSE",
        "/usr/share/x/notes.txt", "/www/help/index.html", "/usr/share/y/README.md"}) {
    EXPECT_TRUE(firmware::IsProseFile(p)) << p;
  }
  for (const char* p : {"/etc/opkg/distfeeds.conf", "/etc/config/system", "/etc/init.d/banner",
                        "/usr/lib/lua/luci/model/cbi/x.lua", "/www/luci-static/cbi.js",
                        "/usr/share/udhcpc/default.script", "/etc/issuer.conf"}) {
    EXPECT_FALSE(firmware::IsProseFile(p)) << p;
  }
}

TEST(EndpointPrecision, OnlyConfigCodeFeedsAndFetchesAreEndpoints) {
  test::TempDir tmp;
  const fs::path root = tmp.path() / "root";
  test::WriteFile(root / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  // Not endpoints: banners, docs, licences, help pages, comments, a binary's strings.
  test::WriteFile(root / "etc/banner", " OpenWrt   http://banner.invalid/\n");
  test::WriteFile(root / "etc/motd", "See http://motd.invalid for help\n");
  test::WriteFile(root / "usr/share/doc/pkg/README", "Homepage: http://doc.invalid/\n");
  test::WriteFile(root / "usr/share/man/man8/x.8", ".SH SEE ALSO\nhttp://man.invalid/\n");
  test::WriteFile(root / "www/LICENSE", "See http://licence.invalid/LICENSE-2.0\n");
  test::WriteFile(root / "www/help/setup.html",
                  "<p>Read <a href=\"http://help.invalid/\">the manual</a></p>\n");
  test::WriteFile(root / "usr/lib/lua/luci/controller/admin.lua",
                  "--[[\nLuCI - Lua Configuration Interface\n\nCopyright 2008 Steven Barth\n"
                  "Licensed under http://luci-licence.invalid/LICENSE-2.0\n]]--\n"
                  "-- see http://luci-comment.invalid/wiki\n"
                  "module(\"luci.controller.admin\", package.seeall)\n"
                  "local feed = \"http://lua-code.invalid/feed\"  -- http://trailing.invalid\n");
  test::WriteFile(root / "www/luci-static/resources/cbi.js",
                  "/* Copyright http://js-block.invalid/ */\n// http://js-line.invalid/\n"
                  "var api = \"http://js-code.invalid/api\"; // http://js-trailing.invalid\n"
                  "var help={brief:\"See <a href='http://js-help.invalid/'>the manual</a>\","
                  "s_3:\"eg. ftp://192.168.0.1\",opt:\"--url=http://js-option.invalid/x\"};\n");
  // Text for people inside a script's strings; a fetch command quoted for sh -c is code.
  test::WriteFile(root / "usr/sbin/hint",
                  "#!/bin/sh\necho \"Support: http://echo.invalid/support\"\n"
                  "sh -c \"wget -q http://shc.invalid/x -O /tmp/x\"\n"
                  "case \"$1\" in http://*|ftp://*) ;; esac\n");
  test::WriteFile(root / "usr/bin/vendord", std::string("\x7f"
                                                        "ELF\x01\x01\x01\0\0\0",
                                                        10) +
                                                "http://binary.invalid/x" + std::string(64, '\0'));
  // Endpoints: an opkg feed, a fetch in a script, a configuration value.
  test::WriteFile(root / "etc/opkg/distfeeds.conf",
                  "src/gz base http://feed.invalid/12.09/ar71xx/packages\n"
                  "# src/gz old http://feed-comment.invalid/packages\n");
  test::WriteFile(root / "etc/init.d/fetch",
                  "#!/bin/sh /etc/rc.common\n# fetch http://script-comment.invalid/x\n"
                  "start() {\n  wget -q -O /tmp/x.tgz http://fetch.invalid/x.tgz\n}\n");
  test::WriteFile(root / "etc/config/cloud",
                  "config cloud\n\toption server 'http://conf.invalid/r'\n");
  auto facts = test::Collect(test::TreeOf(root), {"communication"});
  std::set<std::string> hosts;
  for (const Fact* e : facts.OfKind(facts::kEndpoint)) hosts.insert(e->value["host"]);
  EXPECT_EQ(hosts, (std::set<std::string>{"lua-code.invalid", "js-code.invalid", "feed.invalid",
                                          "fetch.invalid", "conf.invalid", "shc.invalid",
                                          "js-option.invalid"}));
  auto r = test::RunCheck("fw.comms.cleartext-and-tls", facts);
  std::set<std::string> flagged;
  for (const auto& f : r.findings) {
    EXPECT_EQ(f.provisions, std::vector<std::string>{"5.5-1"});
    flagged.insert(f.title);
  }
  EXPECT_EQ(flagged.size(), 7u);
  EXPECT_TRUE(flagged.count("cleartext update endpoint http://feed.invalid/12.09/ar71xx/packages"))
      << *flagged.begin();
}

}  // namespace
}  // namespace iotcop
