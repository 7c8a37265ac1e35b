// Command injection in web handlers (firmware/taint, collectors/web_handlers.cc,
// fw.web.command-injection): crafted shell CGI, haserl, LuCI and PHP handlers, each tainted and
// sanitized, hostile input to the three parsers, and the LuCI login rule for 5.5-5.
#include <gtest/gtest.h>

#include "core/fact_kinds.h"
#include "firmware/taint/taint.h"
#include "support/firmware_support.h"
#include "support/test_support.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;
using firmware::taint::Lang;

std::vector<firmware::taint::TaintFinding> Taint(Lang lang, const std::string& text) {
  auto p = firmware::taint::Parse(lang, text, "test");
  EXPECT_TRUE(p) << (p ? "" : p.error().Describe());
  if (!p) return {};
  return firmware::taint::FindInjections(*p, text);
}

TEST(FirmwareWebTaintShell, QueryStringThroughAssignmentsReachesEval) {
  const std::string cgi = R"(#!/bin/sh
echo "Content-Type: text/plain"
echo
host=$(echo "$QUERY_STRING" | sed -n 's/^.*host=\([^&]*\).*$/\1/p')
target="$host"
eval "ping -c 1 $target"
)";
  auto f = Taint(Lang::kShell, cgi);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].sink, "eval");
  EXPECT_EQ(f[0].source, "$QUERY_STRING");
  EXPECT_EQ(f[0].line, 6u);
  ASSERT_EQ(f[0].chain.size(), 3u);
  EXPECT_EQ(f[0].chain[0].line, 4u);
  EXPECT_EQ(f[0].chain[1].line, 5u);
  EXPECT_EQ(f[0].chain[2].code, "eval \"ping -c 1 $target\"");
}

TEST(FirmwareWebTaintShell, SanitizedVariantsAreClean) {
  // tr -dc keeps only digits and dots; the case whitelist; the numeric test.
  const std::string cgi = R"(#!/bin/sh
host=$(echo "$QUERY_STRING" | tr -dc '0-9.')
eval "ping -c 1 $host"
case "$FORM_mode" in
  on|off) eval "set_mode $FORM_mode" ;;
esac
n="$GET_count"
[ "$n" -ge 0 ] || exit 1
sh -c "sleep $n"
)";
  EXPECT_TRUE(Taint(Lang::kShell, cgi).empty());
}

TEST(FirmwareWebTaintShell, CommandWordShDashCStdinFunctionsAndRead) {
  const std::string cgi = R"(#!/bin/sh
read body
run() {
  sh -c "$1"
}
cmd=`echo $QUERY_STRING | cut -d= -f2`
$cmd
run "$body"
echo "$HTTP_X_CMD" | sh
for w in $FORM_list; do eval $w; done
)";
  auto f = Taint(Lang::kShell, cgi);
  std::set<std::string> sinks;
  for (const auto& x : f) sinks.insert(x.sink + "@" + std::to_string(x.line));
  EXPECT_TRUE(sinks.count("command word@7")) << testing::PrintToString(sinks);
  EXPECT_TRUE(sinks.count("sh -c@4")) << testing::PrintToString(sinks);
  EXPECT_TRUE(sinks.count("sh (stdin)@9")) << testing::PrintToString(sinks);
  EXPECT_TRUE(sinks.count("eval@10")) << testing::PrintToString(sinks);
  for (const auto& x : f) {
    if (x.line == 4) {
      EXPECT_EQ(x.source, "read (request body)");
      EXPECT_EQ(x.function, "");
    }
  }
}

TEST(FirmwareWebTaintShell, CasePatternsContinuedOnTheNextLine) {
  // OpenWrt's scripts write long case patterns as `a |\<newline> b)`: one pattern, whitelisting.
  const std::string cgi =
      "#!/bin/sh\ncase \"$FORM_board\" in\nall0315n |\\\nall0258n |\\\ncap4200ag)\n"
      "  eval \"flash $FORM_board\" ;;\n*)\n  eval \"probe $FORM_board\" ;;\nesac\n";
  auto f = Taint(Lang::kShell, cgi);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].line, 8u);  // the wildcard arm only
  EXPECT_EQ(f[0].source, "$FORM_board");
  // The last arm may end at `esac` without `;;` (OpenWrt's /lib/functions/service.sh).
  const std::string last =
      "#!/bin/sh\ncase \"$FORM_m\" in\n\ton) echo ;;\n\t*) eval \"m $FORM_m\"\n\tesac\necho\n";
  auto g = Taint(Lang::kShell, last);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].line, 4u);
}

TEST(FirmwareWebTaintShell, HaserlFormValues) {
  const std::string page =
      "#!/usr/bin/haserl\n<html><body>\n<% if [ -n \"$FORM_ip\" ]; then\n"
      "  eval \"ping -c 3 $FORM_ip\"\nfi %>\n<p><%= $FORM_ip %></p></html>\n";
  auto f = Taint(Lang::kShell, page);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].line, 4u);
  EXPECT_EQ(f[0].source, "$FORM_ip");
}

TEST(FirmwareWebTaintLua, LuciFormvalueToSysCallAndSanitizers) {
  const std::string ctrl = R"(module("luci.controller.diag", package.seeall)
function index()
  entry({"admin", "diag", "ping"}, call("action_ping")).leaf = true
  local page = entry({"diag", "trace"}, call("action_trace"))
  page.sysauth = false
  entry({"admin", "diag", "safe"}, call("action_safe"))
end
local function target()
  return luci.http.formvalue("host") or "127.0.0.1"
end
function action_ping()
  local host = target()
  luci.sys.call("ping -c 1 " .. host .. " >/tmp/out")
end
function action_trace()
  local sys = require "luci.sys"
  local h = luci.http.formvalue("h")
  local out = io.popen(string.format("traceroute %s", h))
end
function action_safe()
  local n = tonumber(luci.http.formvalue("n"))
  local h = luci.util.shellquote(luci.http.formvalue("h"))
  os.execute("sleep " .. n .. "; ping " .. h)
  os.execute(("ping %q"):format(luci.http.formvalue("x")))
end
)";
  // tonumber and shellquote end the taint; %q does not (it escapes for Lua, not for a shell:
  // "$(cmd)" still runs), so line 24 is a finding.
  auto f = Taint(Lang::kLua, ctrl);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].sink, "luci.sys.call");
  EXPECT_EQ(f[0].line, 13u);
  EXPECT_EQ(f[0].function, "action_ping");
  EXPECT_EQ(f[0].source, "luci.http.formvalue(\"host\")");
  ASSERT_GE(f[0].chain.size(), 3u);
  EXPECT_EQ(f[0].chain.front().line, 9u);
  EXPECT_EQ(f[1].sink, "io.popen");
  EXPECT_EQ(f[1].function, "action_trace");
  EXPECT_EQ(f[2].sink, "os.execute");
  EXPECT_EQ(f[2].line, 24u);
  EXPECT_EQ(f[2].function, "action_safe");

  // The collector ties the findings to dispatcher entries; the check decides 5.13-1 and cites
  // 5.5-5 for the one without login.
  test::TempDir tmp;
  const fs::path root = tmp.path() / "root";
  test::WriteFile(root / "usr/lib/lua/luci/controller/diag.lua", ctrl);
  test::WriteFile(root / "usr/lib/lua/luci/controller/compiled.lua",
                  std::string("\x1bLuaQ\0\1", 7));
  test::WriteFile(root / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  auto tree = test::TreeOf(root);
  auto facts = test::Collect(tree, {"web_handlers"});
  auto handlers = facts.OfKind(facts::kWebHandler);
  ASSERT_EQ(handlers.size(), 2u);
  auto bytecode = test::FactsWhere(facts, facts::kWebHandler, "path",
                                   "/usr/lib/lua/luci/controller/compiled.lua");
  ASSERT_EQ(bytecode.size(), 1u);
  EXPECT_EQ(bytecode[0]->value["analysed"], false);
  EXPECT_NE(bytecode[0]->value["reason"].get<std::string>().find("bytecode"), std::string::npos);
  auto taints = facts.OfKind(facts::kWebTaint);
  ASSERT_EQ(taints.size(), 3u);
  EXPECT_EQ(taints[0]->value["entry"], "admin/diag/ping");
  EXPECT_EQ(taints[0]->value["authenticated"], true);
  EXPECT_EQ(taints[1]->value["entry"], "diag/trace");
  EXPECT_EQ(taints[1]->value["authenticated"], false);
  EXPECT_EQ(taints[1]->evidence.line, 18u);
  auto r = test::RunCheck("fw.web.command-injection", facts);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.findings.size(), 3u);
  int with_55 = 0;
  for (const auto& finding : r.findings) {
    EXPECT_NE(std::find(finding.provisions.begin(), finding.provisions.end(), "5.13-1"),
              finding.provisions.end());
    // An open entry informs 5.5-5; it never decides it.
    EXPECT_EQ(std::find(finding.provisions.begin(), finding.provisions.end(), "5.5-5"),
              finding.provisions.end());
    with_55 +=
        std::find(finding.informs.begin(), finding.informs.end(), "5.5-5") != finding.informs.end();
  }
  EXPECT_EQ(with_55, 1);
}

TEST(FirmwareWebTaintPhp, RequestToSinksAndSanitizers) {
  const std::string php = R"(<html><?php
$ip = $_GET['ip'];
$cmd = "ping -c 1 " . $ip;
function run($c) { return shell_exec($c); }
echo run($cmd);
$safe = escapeshellarg($_POST['host']);
system("nslookup $safe");
$n = (int)$_REQUEST['n'];
exec("sleep $n");
$out = `cat /tmp/{$_COOKIE['f']}`;
$body = file_get_contents('php://input');
passthru('sh -c ' . $body);
?></html>
)";
  auto f = Taint(Lang::kPhp, php);
  std::set<std::string> sinks;
  for (const auto& x : f) sinks.insert(x.sink + "@" + std::to_string(x.line));
  EXPECT_EQ(sinks, (std::set<std::string>{"shell_exec@4", "`backticks`@10", "passthru@12"}));
  for (const auto& x : f) {
    if (x.sink == "shell_exec") {
      EXPECT_EQ(x.source, "$_GET['ip']");
      ASSERT_GE(x.chain.size(), 3u);
      EXPECT_EQ(x.chain[0].line, 2u);
      EXPECT_EQ(x.chain[1].line, 3u);
    }
  }
}

TEST(FirmwareWebTaintPhp, NamespacesStaticCallsArraysAndEmptyForClauses) {
  // Constructs of real PHP libraries that the parser once refused (158 PHP files of a Debian
  // system: 39 parse errors before, 1 after).
  const std::string php = R"(<?php
namespace app\diag {
  class Tool {
    const MAP = array(self::PING => 'ping', 'trace' => array(1, 2));
    public static function run($h) {
      for ($i = 0; ; $i++) { break; }
      static::log(LOG_ERR, 'x');
      return shell_exec('ping ' . $h);
    }
  }
  echo Tool::run($_GET['h']);
  echo Tool::run(escapeshellarg($_GET['h']));
}
)";
  auto f = Taint(Lang::kPhp, php);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].sink, "shell_exec");
  EXPECT_EQ(f[0].line, 8u);
  EXPECT_EQ(f[0].source, "$_GET['h']");
}

TEST(FirmwareWebTaintCheck, CleanHandlersPassAndTemplatesAreNotAnalysed) {
  test::TempDir tmp;
  const fs::path root = tmp.path() / "root";
  test::WriteFile(root / "www/cgi-bin/status.cgi",
                  "#!/bin/sh\necho \"Content-Type: text/plain\"\necho\nuptime\n");
  test::WriteFile(root / "etc_ro/web/cgi/network.cgi", "IPAddress=%%IPAddress();%%\r\n");
  test::WriteFile(root / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  auto tree = test::TreeOf(root);
  auto facts = test::Collect(tree, {"web_handlers"});
  ASSERT_EQ(facts.OfKind(facts::kWebHandler).size(), 2u);
  EXPECT_TRUE(facts.OfKind(facts::kWebTaint).empty());
  auto tmpl = test::FactsWhere(facts, facts::kWebHandler, "path", "/etc_ro/web/cgi/network.cgi");
  ASSERT_EQ(tmpl.size(), 1u);
  EXPECT_EQ(tmpl[0]->value["analysed"], false);
  auto r = test::RunCheck("fw.web.command-injection", facts);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.findings.empty());
  bool inconclusive = false, login_said = false;
  for (const auto& o : r.outcomes) {
    inconclusive = inconclusive || o.provision == "5.13-1";
    // 5.5-5 is only informed: no injection behind an open entry is no PASS of it.
    if (o.provision == "5.5-5") {
      login_said = true;
      EXPECT_EQ(o.verdict, Verdict::kInconclusive);
    }
  }
  EXPECT_TRUE(inconclusive) << "one handler could not be analysed";
  EXPECT_TRUE(login_said);
}

TEST(FirmwareWebTaintParsers, HostileInputIsAnErrorNamingFileAndLine) {
  auto sh = firmware::taint::ParseShell("echo ok\necho \"unterminated\n", "x.cgi");
  ASSERT_FALSE(sh);
  EXPECT_EQ(sh.error().input, "x.cgi");
  EXPECT_NE(sh.error().what.find("line 2"), std::string::npos) << sh.error().what;
  auto lua = firmware::taint::ParseLua("local a = 1\nlocal b = [[never closed\n", "c.lua");
  ASSERT_FALSE(lua);
  EXPECT_NE(lua.error().what.find("line 2"), std::string::npos) << lua.error().what;
  auto php = firmware::taint::ParsePhp("<?php\n$a = 1;\n/* open\n", "p.php");
  ASSERT_FALSE(php);
  EXPECT_NE(php.error().what.find("line 3"), std::string::npos) << php.error().what;
  // Found by fuzz_taint_shell: a word that does not start where a 'for' list expects one.
  auto pipe = firmware::taint::ParseShell("for w in $FORM_x | cut -d= -f2\ndo :; done\n", "f.cgi");
  ASSERT_FALSE(pipe);
  EXPECT_NE(pipe.error().what.find("line 1"), std::string::npos) << pipe.error().what;
  // Nesting: bounded depth, never a stack overflow.
  const std::string deep_sh = std::string(100000, '(') + std::string(100000, ')');
  auto d1 = firmware::taint::ParseShell(deep_sh, "deep.cgi");
  ASSERT_FALSE(d1);
  EXPECT_EQ(d1.error().code, Errc::kLimitExceeded);
  std::string deep_lua = "x = ";
  for (int i = 0; i < 100000; ++i) deep_lua += "(";
  auto d2 = firmware::taint::ParseLua(deep_lua, "deep.lua");
  ASSERT_FALSE(d2);
  EXPECT_EQ(d2.error().code, Errc::kLimitExceeded);
  std::string deep_php = "<?php $x = ";
  for (int i = 0; i < 100000; ++i) deep_php += "(";
  auto d3 = firmware::taint::ParsePhp(deep_php, "deep.php");
  ASSERT_FALSE(d3);
  EXPECT_EQ(d3.error().code, Errc::kLimitExceeded);
  auto big = firmware::taint::ParseShell(std::string(firmware::taint::kMaxInput + 1, ' '), "big");
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, Errc::kLimitExceeded);
  auto bc = firmware::taint::ParseLua("\x1bLuaQ", "b.lua");
  ASSERT_FALSE(bc);
  EXPECT_EQ(bc.error().code, Errc::kUnsupported);
}

}  // namespace
}  // namespace iotcop
