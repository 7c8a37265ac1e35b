// File: tests/network/integration/network_login_test.cc
// Default-credential logins and brute-force resistance against real daemons on 127.0.0.N in a
// private network namespace: BusyBox telnetd (with a login program of the test's own), dropbear
// (in a private mount namespace whose /etc/passwd and /etc/shadow are test files), lighttpd
// (Basic, Digest and a CGI form), mosquitto and vsftpd. Each weak daemon must be found, each
// strong one must stay quiet.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "network/login.h"
#include "network/login/http_auth.h"
#include "support/net_devices.h"
#include "support/netns.h"
#include "support/network_login_fixture.h"
#include "support/test_support.h"

namespace iotcop::test {
namespace {

namespace fs = std::filesystem;
namespace login = network::login;

std::string StrongPassword() {
  std::random_device rd;
  return fmt::format("Zx9-{:08x}{:08x}-q", rd(), rd());
}

network::LoginOptions FastOptions(std::size_t attempts = 8) {
  network::LoginOptions o;
  o.max_attempts = attempts;
  o.delay = std::chrono::milliseconds(0);
  return o;
}

class NetworkLoginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = EnterPrivateNetwork();
    if (!why.empty()) GTEST_SKIP() << why;
  }
  // Starts `argv` and waits for addr:port; skips the test when the daemon cannot start.
  bool StartDaemon(Daemon& d, const std::vector<std::string>& argv, const std::string& addr,
                   std::uint16_t port) {
    if (!HaveTool(argv[0])) {
      skip_ = argv[0] + " is not installed";
      return false;
    }
    const std::string err =
        d.Start(argv, (tmp_ / (fs::path(argv[0]).filename().string() + ".log")).string());
    if (!err.empty() || !WaitForTcp(addr, port, std::chrono::seconds(5))) {
      skip_ = fmt::format("{} did not start: {} {}", argv[0], err, d.Log());
      return false;
    }
    return true;
  }
  Assessment Logins(const network::Endpoint& e, const network::LoginOptions& o,
                    network::Limits limits = TestLimits()) {
    Assessment a = NetworkAssessment(e.address);
    network::TryDefaultLogins({e}, o, limits, a);
    RunAllChecks(a);
    return a;
  }
  TempDir tmp_;
  std::string skip_;
};

#define START_OR_SKIP(d, argv, addr, port) \
  if (!StartDaemon(d, argv, addr, port)) GTEST_SKIP() << skip_

// A login program for telnetd: asks login and password; root / PASSWORD gets a shell prompt.
// With LOCK > 0, after LOCK failures it locks the account (refuses before the prompt).
std::string LoginScript(const fs::path& dir, const std::string& password, int lock = 0) {
  const fs::path script = dir / "login.sh";
  WriteFile(script, fmt::format(R"(#!/bin/sh
fails=$(cat {0}/fails 2>/dev/null || echo 0)
if [ {2} -gt 0 ] && [ "$fails" -ge {2} ]; then printf 'Too many failed logins: account locked\r\n'; exit 1; fi
printf 'iotcop-test login: '
read -r user
printf 'Password: '
read -r pass
if [ "$user" = root ] && [ "$pass" = '{1}' ]; then
  printf '\r\n\r\nBusyBox v1.35.0 built-in shell (ash)\r\n~ # '
  read -r cmd
  exit 0
fi
echo $((fails + 1)) > {0}/fails
printf '\r\nLogin incorrect\r\n'
exit 1
)",
                                dir.string(), password, lock));
  fs::permissions(script, fs::perms::owner_all);
  return script.string();
}

TEST_F(NetworkLoginTest, TelnetWeakRootPasswordIsFound) {
  Daemon d;
  const auto script = LoginScript(tmp_.path(), "admin");
  START_OR_SKIP(
      d,
      (std::vector<std::string>{"busybox", "telnetd", "-F", "-b", "127.0.0.11:23", "-l", script}),
      "127.0.0.11", 23);
  Assessment a = Logins(LoopbackEndpoint("127.0.0.11", 23, "telnet"), FastOptions());
  auto found = FindingsOf(a, "net.login.default");
  ASSERT_EQ(found.size(), 1u) << Dump(a);
  EXPECT_NE(found[0]->title.find("'root'"), std::string::npos) << found[0]->title;
  // The password never appears in clear.
  EXPECT_EQ(found[0]->title.find("admin"), std::string::npos) << found[0]->title;
  ASSERT_FALSE(found[0]->evidence.empty());
  EXPECT_EQ(found[0]->evidence[0].endpoint, "127.0.0.11:23/tcp");
  EXPECT_NE(found[0]->evidence[0].excerpt.find("redacted"), std::string::npos);
  EXPECT_NE(found[0]->evidence[0].excerpt.find("~ #"), std::string::npos)
      << found[0]->evidence[0].excerpt;
  auto login = FactsOf(a, facts::kLoginAttempt);
  ASSERT_EQ(login.size(), 1u);
  EXPECT_TRUE(login[0]->value["success"].get<bool>());
  EXPECT_EQ(login[0]->value["user"], "root");
}

// telnetd running a shell instead of a login program: no credential is asked, and the probe
// proves the shell by a command it evaluates before calling it access without credentials.
TEST_F(NetworkLoginTest, TelnetShellWithoutLoginIsProvenByACommand) {
  Daemon d;
  START_OR_SKIP(d,
                (std::vector<std::string>{"busybox", "telnetd", "-F", "-b", "127.0.0.11:23", "-l",
                                          "/bin/sh"}),
                "127.0.0.11", 23);
  Assessment a = Logins(LoopbackEndpoint("127.0.0.11", 23, "telnet"), FastOptions());
  auto found = FindingsOf(a, "net.login.default");
  ASSERT_EQ(found.size(), 1u) << Dump(a);
  EXPECT_NE(found[0]->title.find("without asking for any credential"), std::string::npos)
      << found[0]->title;
  EXPECT_NE(found[0]->evidence[0].excerpt.find("iotcop-42"), std::string::npos)
      << found[0]->evidence[0].excerpt;
  auto login = FactsOf(a, facts::kLoginAttempt);
  ASSERT_EQ(login.size(), 1u);
  EXPECT_TRUE(login[0]->value["anonymous"].get<bool>());
  EXPECT_EQ(login[0]->value["user"], "");
  EXPECT_EQ(login[0]->value["attempts"], 1);
}

// A banner that ends like a prompt but evaluates nothing (it only echoes) is not called a shell.
TEST_F(NetworkLoginTest, TelnetPromptThatRunsNothingIsNotAShell) {
  Daemon d;
  const fs::path fake = tmp_ / "fake.sh";
  WriteFile(fake,
            "#!/bin/sh\nprintf 'Welcome\\r\\n# '\nwhile read -r l; do printf '%s\\r\\n# ' \"$l\"; "
            "done\n");
  fs::permissions(fake, fs::perms::owner_all);
  START_OR_SKIP(d,
                (std::vector<std::string>{"busybox", "telnetd", "-F", "-b", "127.0.0.11:23", "-l",
                                          fake.string()}),
                "127.0.0.11", 23);
  Assessment a = Logins(LoopbackEndpoint("127.0.0.11", 23, "telnet"), FastOptions(2));
  EXPECT_TRUE(FindingsOf(a, "net.login.default").empty()) << Dump(a);
  EXPECT_TRUE(FactsOf(a, facts::kLoginAttempt).empty()) << Dump(a);
}

TEST_F(NetworkLoginTest, TelnetStrongPasswordIsQuietButBruteForceIsFound) {
  Daemon d;
  const auto script = LoginScript(tmp_.path(), StrongPassword());
  START_OR_SKIP(
      d,
      (std::vector<std::string>{"busybox", "telnetd", "-F", "-b", "127.0.0.11:23", "-l", script}),
      "127.0.0.11", 23);
  Assessment a = Logins(LoopbackEndpoint("127.0.0.11", 23, "telnet"), FastOptions(8));
  EXPECT_TRUE(FindingsOf(a, "net.login.default").empty()) << Dump(a);
  auto bf = FactsOf(a, facts::kBruteForceResistance);
  ASSERT_EQ(bf.size(), 1u) << Dump(a);
  EXPECT_EQ(bf[0]->value["result"], "none") << Dump(a);
  EXPECT_EQ(bf[0]->value["failures"], 8);
  EXPECT_EQ(FindingsOf(a, "net.login.brute-force").size(), 1u) << Dump(a);
  EXPECT_EQ(ReadFile(tmp_ / "fails"), "8\n");  // exactly the bounded number of guesses
}

TEST_F(NetworkLoginTest, TelnetLockoutResistsBruteForce) {
  Daemon d;
  const auto script = LoginScript(tmp_.path(), StrongPassword(), 4);
  START_OR_SKIP(
      d,
      (std::vector<std::string>{"busybox", "telnetd", "-F", "-b", "127.0.0.11:23", "-l", script}),
      "127.0.0.11", 23);
  Assessment a = Logins(LoopbackEndpoint("127.0.0.11", 23, "telnet"), FastOptions(10));
  auto bf = FactsOf(a, facts::kBruteForceResistance);
  ASSERT_EQ(bf.size(), 1u) << Dump(a);
  EXPECT_EQ(bf[0]->value["result"], "lockout") << Dump(a);
  EXPECT_EQ(bf[0]->value["failures"], 4);
  EXPECT_TRUE(FindingsOf(a, "net.login.brute-force").empty()) << Dump(a);
  bool pass = false;
  for (const auto& o : a.outcomes)
    if (o.check_id == "net.login.brute-force" && o.provision == "5.1-5")
      pass = o.verdict == Verdict::kPass;
  EXPECT_TRUE(pass) << Dump(a);
}

// dropbear with root's password from a test shadow file, in a mount namespace of its own.
std::vector<std::string> Dropbear(const fs::path& dir, const std::string& password,
                                  bool keys_only = false) {
  WriteFile(dir / "passwd", "root:x:0:0:root:/root:/bin/sh\n");
  const auto hash = RunShell("openssl passwd -6 '" + password + "'").out;
  WriteFile(dir / "shadow", "root:" + hash.substr(0, hash.find('\n')) + ":19000:0:99999:7:::\n");
  RunShell(fmt::format("dropbearkey -t ed25519 -f {}/key >/dev/null 2>&1", dir.string()));
  return {"unshare", "-m", "sh", "-c",
          fmt::format("mount --bind {0}/passwd /etc/passwd && mount --bind {0}/shadow /etc/shadow "
                      "&& exec dropbear -F -E {1} -p 127.0.0.12:22 -r {0}/key",
                      dir.string(), keys_only ? "-s" : "")};
}

TEST_F(NetworkLoginTest, SshDefaultPasswordIsFound) {
  if (!HaveTool("dropbear")) GTEST_SKIP() << "dropbear is not installed";
  Daemon d;
  START_OR_SKIP(d, Dropbear(tmp_.path(), "admin"), "127.0.0.12", 22);
  Assessment a = Logins(LoopbackEndpoint("127.0.0.12", 22, "ssh"), FastOptions());
  auto found = FindingsOf(a, "net.login.default");
  ASSERT_EQ(found.size(), 1u) << Dump(a) << d.Log();
  auto login = FactsOf(a, facts::kLoginAttempt);
  ASSERT_EQ(login.size(), 1u);
  EXPECT_EQ(login[0]->value["method"], "ssh-password");
  EXPECT_EQ(login[0]->value["user"], "root");
}

TEST_F(NetworkLoginTest, SshStrongPasswordIsQuiet) {
  if (!HaveTool("dropbear")) GTEST_SKIP() << "dropbear is not installed";
  Daemon d;
  START_OR_SKIP(d, Dropbear(tmp_.path(), StrongPassword()), "127.0.0.12", 22);
  Assessment a = Logins(LoopbackEndpoint("127.0.0.12", 22, "ssh"), FastOptions(6));
  EXPECT_TRUE(FindingsOf(a, "net.login.default").empty()) << Dump(a);
  auto login = FactsOf(a, facts::kLoginAttempt);
  ASSERT_EQ(login.size(), 1u) << Dump(a);
  EXPECT_FALSE(login[0]->value["success"].get<bool>());
  EXPECT_EQ(FactsOf(a, facts::kBruteForceResistance).size(), 1u);
}

TEST_F(NetworkLoginTest, SshKeyOnlyHasNoPasswordLogin) {
  if (!HaveTool("dropbear")) GTEST_SKIP() << "dropbear is not installed";
  Daemon d;
  START_OR_SKIP(d, Dropbear(tmp_.path(), "admin", true), "127.0.0.12", 22);
  Assessment a = Logins(LoopbackEndpoint("127.0.0.12", 22, "ssh"), FastOptions());
  EXPECT_TRUE(FindingsOf(a, "net.login.").empty()) << Dump(a);
  auto bf = FactsOf(a, facts::kBruteForceResistance);
  ASSERT_EQ(bf.size(), 1u) << Dump(a);
  EXPECT_EQ(bf[0]->value["result"], "no-password-login");
}

// lighttpd asking for `method` (basic | digest) on /, users from a plain file.
std::vector<std::string> Lighttpd(const fs::path& dir, const std::string& method,
                                  const std::string& password, const std::string& extra = "") {
  fs::create_directories(dir / "www");
  WriteFile(dir / "www" / "index.html", "<html>device admin</html>\n");
  WriteFile(dir / "users", "admin:" + password + "\n");
  std::string conf = fmt::format(R"(server.document-root = "{0}/www"
server.bind = "127.0.0.13"
server.port = 80
server.errorlog = "{0}/error.log"
index-file.names = ("index.html")
server.modules = ("mod_auth", "mod_authn_file", "mod_cgi")
auth.backend = "plain"
auth.backend.plain.userfile = "{0}/users"
)",
                                 dir.string());
  if (!method.empty())
    conf += fmt::format(
        R"(auth.require = ("/" => ("method" => "{}", "realm" => "iotcop-test", "require" => "valid-user"))
)",
        method);
  conf += extra;
  WriteFile(dir / "lighttpd.conf", conf);
  return {"lighttpd", "-D", "-f", (dir / "lighttpd.conf").string()};
}

TEST_F(NetworkLoginTest, HttpBasicAdminAdminIsFound) {
  Daemon d;
  START_OR_SKIP(d, Lighttpd(tmp_.path(), "basic", "admin"), "127.0.0.13", 80);
  Assessment a = Logins(LoopbackEndpoint("127.0.0.13", 80, "http"), FastOptions());
  ASSERT_EQ(FindingsOf(a, "net.login.default").size(), 1u) << Dump(a);
  auto login = FactsOf(a, facts::kLoginAttempt);
  ASSERT_EQ(login.size(), 1u);
  EXPECT_EQ(login[0]->value["method"], "http-basic");
  EXPECT_EQ(login[0]->value["user"], "admin");
  EXPECT_EQ(login[0]->value["attempts"], 1);  // admin/admin is the web's first guess
}

// HTTP Basic over TLS, through the whole chain: the scan finds 443, identification sees TLS, the
// login speaks HTTP inside TLS (lighttpd listens only in TLS there: a cleartext guess would fail),
// and the evidence names the https URL.
TEST_F(NetworkLoginTest, HttpsBasicAdminAdminIsFoundOverTls) {
  if (auto e = MakeSelfSigned(tmp_.path() / "server.pem", "127.0.0.13"); !e.empty())
    GTEST_SKIP() << e;
  const std::string tls = fmt::format(R"(server.modules += ("mod_openssl")
$SERVER["socket"] == "127.0.0.13:443" {{
  ssl.engine = "enable"
  ssl.pemfile = "{}/server.pem"
}}
)",
                                      tmp_.path().string());
  Daemon d;
  START_OR_SKIP(d, Lighttpd(tmp_.path(), "basic", "admin", tls), "127.0.0.13", 443);
  AssessOptions o = LiveOptions("127.0.0.13", "443", tmp_ / "work");
  o.network.udp = false;
  const Assessment a = RunLive(o);
  auto login = FactsOf(a, facts::kLoginAttempt);
  ASSERT_EQ(login.size(), 1u) << Dump(a);
  EXPECT_EQ(login[0]->value["method"], "http-basic");
  EXPECT_EQ(login[0]->value["success"], true);
  EXPECT_EQ(login[0]->value["tls"], true);
  EXPECT_EQ(login[0]->value["url"], "https://127.0.0.13:443/");
  EXPECT_EQ(login[0]->evidence.endpoint, "127.0.0.13:443/tcp");
  const auto found = FindingsOf(a, "net.login.default");
  ASSERT_EQ(found.size(), 1u) << Dump(a);
  ASSERT_FALSE(found[0]->evidence.empty());
  const std::string& ex = found[0]->evidence[0].excerpt;
  EXPECT_NE(ex.find("https://127.0.0.13:443/ user=admin"), std::string::npos) << ex;
  EXPECT_EQ(ex.find("password=admin"), std::string::npos) << ex;  // redacted
}

TEST_F(NetworkLoginTest, HttpDigestAdminAdminIsFound) {
  Daemon d;
  START_OR_SKIP(d, Lighttpd(tmp_.path(), "digest", "admin"), "127.0.0.13", 80);
  Assessment a = Logins(LoopbackEndpoint("127.0.0.13", 80, "http"), FastOptions());
  ASSERT_EQ(FindingsOf(a, "net.login.default").size(), 1u) << Dump(a);
  EXPECT_EQ(FactsOf(a, facts::kLoginAttempt)[0]->value["method"], "http-digest");
}

TEST_F(NetworkLoginTest, HttpDigestStrongPasswordIsQuiet) {
  Daemon d;
  START_OR_SKIP(d, Lighttpd(tmp_.path(), "digest", StrongPassword()), "127.0.0.13", 80);
  Assessment a = Logins(LoopbackEndpoint("127.0.0.13", 80, "http"), FastOptions(6));
  EXPECT_TRUE(FindingsOf(a, "net.login.default").empty()) << Dump(a);
  auto login = FactsOf(a, facts::kLoginAttempt);
  ASSERT_EQ(login.size(), 1u) << Dump(a);
  EXPECT_EQ(login[0]->value["outcome"], "rejected");
  EXPECT_EQ(login[0]->value["attempts"], 6);
}

TEST_F(NetworkLoginTest, HttpFormLoginBothWays) {
  // A CGI login form: admin / PASSWORD gets the dashboard, anything else "Invalid login".
  for (const std::string& pw : {std::string("admin"), StrongPassword()}) {
    TempDir dir;
    Daemon d;
    const auto cgi = dir / "www" / "login.cgi";
    fs::create_directories(dir / "www");
    WriteFile(cgi, fmt::format(R"(#!/bin/sh
read -r body
printf 'Content-Type: text/html\r\n\r\n'
if [ "$body" = 'username=admin&password={}' ]; then echo '<h1>Dashboard</h1>'; else echo '<p>Invalid login</p>'; fi
)",
                               pw));
    fs::permissions(cgi, fs::perms::owner_all);
    START_OR_SKIP(d, Lighttpd(dir.path(), "", "unused", "cgi.assign = (\".cgi\" => \"\")\n"),
                  "127.0.0.13", 80);
    auto o = FastOptions(6);
    o.http_form = "/login.cgi:username=^USER^&password=^PASS^:F=Invalid login";
    Assessment a = Logins(LoopbackEndpoint("127.0.0.13", 80, "http"), o);
    EXPECT_EQ(FindingsOf(a, "net.login.default").size(), pw == "admin" ? 1u : 0u) << Dump(a);
    auto login = FactsOf(a, facts::kLoginAttempt);
    ASSERT_EQ(login.size(), 1u) << Dump(a);
    EXPECT_EQ(login[0]->value["method"], "http-form");
  }
}

std::vector<std::string> Mosquitto(const fs::path& dir, bool anonymous,
                                   const std::string& password) {
  std::string conf = fmt::format("listener 1883 127.0.0.14\nallow_anonymous {}\nuser root\n",
                                 anonymous ? "true" : "false");
  if (!password.empty()) {
    RunShell(fmt::format("mosquitto_passwd -c -b {}/passwords admin '{}'", dir.string(), password));
    conf += "password_file " + (dir / "passwords").string() + "\n";
  }
  WriteFile(dir / "mosquitto.conf", conf);
  return {"mosquitto", "-c", (dir / "mosquitto.conf").string()};
}

TEST_F(NetworkLoginTest, MqttAnonymousIsFound) {
  Daemon d;
  START_OR_SKIP(d, Mosquitto(tmp_.path(), true, ""), "127.0.0.14", 1883);
  Assessment a = Logins(LoopbackEndpoint("127.0.0.14", 1883, "mqtt"), FastOptions());
  auto found = FindingsOf(a, "net.login.default");
  ASSERT_EQ(found.size(), 1u) << Dump(a);
  EXPECT_NE(found[0]->title.find("anonymous"), std::string::npos);
  EXPECT_TRUE(FactsOf(a, facts::kLoginAttempt)[0]->value["anonymous"].get<bool>());
}

TEST_F(NetworkLoginTest, MqttDefaultPasswordIsFound) {
  Daemon d;
  START_OR_SKIP(d, Mosquitto(tmp_.path(), false, "admin"), "127.0.0.14", 1883);
  Assessment a = Logins(LoopbackEndpoint("127.0.0.14", 1883, "mqtt"), FastOptions());
  ASSERT_EQ(FindingsOf(a, "net.login.default").size(), 1u) << Dump(a);
  auto login = FactsOf(a, facts::kLoginAttempt);
  EXPECT_FALSE(login[0]->value["anonymous"].get<bool>());
  EXPECT_EQ(login[0]->value["user"], "admin");
}

TEST_F(NetworkLoginTest, MqttWithStrongPasswordIsQuiet) {
  Daemon d;
  START_OR_SKIP(d, Mosquitto(tmp_.path(), false, StrongPassword()), "127.0.0.14", 1883);
  Assessment a = Logins(LoopbackEndpoint("127.0.0.14", 1883, "mqtt"), FastOptions(6));
  EXPECT_TRUE(FindingsOf(a, "net.login.default").empty()) << Dump(a);
  auto login = FactsOf(a, facts::kLoginAttempt);
  ASSERT_EQ(login.size(), 1u) << Dump(a);
  EXPECT_EQ(login[0]->value["outcome"], "rejected");
}

// vsftpd; with `local_password`, local logins for a test user "admin" whose passwd and shadow
// entries are test files bind-mounted in a mount namespace of vsftpd's own (PAM reads them there).
// vsftpd waits `fail_delay` seconds before answering a failed login (its default is 1).
std::vector<std::string> Vsftpd(const fs::path& dir, bool anonymous,
                                const std::string& local_password = "", int fail_delay = 1) {
  fs::create_directories(dir / "ftp");
  fs::create_directories(dir / "empty");
  fs::create_directories(dir / "home");
  WriteFile(dir / "vsftpd.conf",
            fmt::format("listen=YES\nlisten_address=127.0.0.15\nlisten_port=21\n"
                        "anonymous_enable={}\nanon_root={}/ftp\nlocal_enable={}\n"
                        "secure_chroot_dir={}/empty\nbackground=NO\nseccomp_sandbox=NO\n"
                        "xferlog_enable=NO\ndelay_failed_login={}\n",
                        anonymous ? "YES" : "NO", dir.string(),
                        local_password.empty() ? "NO" : "YES", dir.string(), fail_delay));
  if (local_password.empty()) return {"vsftpd", (dir / "vsftpd.conf").string()};
  WriteFile(dir / "passwd",
            fmt::format("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:"
                        "/usr/sbin/nologin\nftp:x:100:65534::/srv/ftp:/usr/sbin/nologin\n"
                        "admin:x:1000:1000:admin:{}/home:/bin/sh\n",
                        dir.string()));
  const auto hash = RunShell("openssl passwd -6 '" + local_password + "'").out;
  WriteFile(dir / "shadow",
            "root:!:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n"
            "ftp:*:19000:0:99999:7:::\nadmin:" +
                hash.substr(0, hash.find('\n')) + ":19000:0:99999:7:::\n");
  return {"unshare", "-m", "sh", "-c",
          fmt::format("mount --bind {0}/passwd /etc/passwd && mount --bind {0}/shadow /etc/shadow "
                      "&& exec vsftpd {0}/vsftpd.conf",
                      dir.string())};
}

TEST_F(NetworkLoginTest, FtpAnonymousIsFound) {
  Daemon d;
  START_OR_SKIP(d, Vsftpd(tmp_.path(), true), "127.0.0.15", 21);
  Assessment a = Logins(LoopbackEndpoint("127.0.0.15", 21, "ftp"), FastOptions());
  auto found = FindingsOf(a, "net.login.default");
  ASSERT_EQ(found.size(), 1u) << Dump(a);
  EXPECT_NE(found[0]->title.find("anonymous"), std::string::npos);
  EXPECT_NE(found[0]->evidence[0].excerpt.find("230"), std::string::npos)
      << found[0]->evidence[0].excerpt;
}

TEST_F(NetworkLoginTest, FtpLocalUserWithStrongPasswordIsQuiet) {
  if (!HaveTool("vsftpd")) GTEST_SKIP() << "vsftpd is not installed";
  Daemon d;
  START_OR_SKIP(d, Vsftpd(tmp_.path(), false, StrongPassword()), "127.0.0.15", 21);
  // PAM (pam_unix) adds about two seconds to vsftpd's own second before each "530".
  auto limits = TestLimits();
  limits.io_timeout = std::chrono::milliseconds(5000);
  Assessment a = Logins(LoopbackEndpoint("127.0.0.15", 21, "ftp"), FastOptions(5), limits);
  EXPECT_TRUE(FindingsOf(a, "net.login.default").empty()) << Dump(a);
  auto login = FactsOf(a, facts::kLoginAttempt);
  ASSERT_EQ(login.size(), 1u) << Dump(a);
  EXPECT_FALSE(login[0]->value["success"].get<bool>());
  EXPECT_EQ(login[0]->value["outcome"], "rejected");
  // vsftpd's delay_failed_login makes every wrong guess take a second: that resists.
  auto bf = FactsOf(a, facts::kBruteForceResistance);
  ASSERT_EQ(bf.size(), 1u);
  EXPECT_EQ(bf[0]->value["result"], "slowdown") << Dump(a);
  EXPECT_TRUE(FindingsOf(a, "net.login.brute-force").empty()) << Dump(a);
}

// A camera-like RTSP server in a thread (no RTSP daemon in Debian that fits a test): DESCRIBE
// without the right Basic credential gets 401 with a challenge, with it the SDP.
class RtspCamera {
 public:
  RtspCamera(const std::string& addr, const std::string& user, const std::string& password)
      : expect_("Authorization: Basic " + login::Base64(user + ":" + password)) {
    fd_ = test::BindLoopback(SOCK_STREAM, addr, 554);
    ok_ = fd_ >= 0;
    if (ok_) thread_ = std::thread([this] { Serve(); });
  }
  ~RtspCamera() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  bool ok() const { return ok_; }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      timeval tv{0, 300000};
      ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      std::string req;
      char buf[4096];
      for (;;) {  // several requests per connection, as RTSP clients do
        const auto end = req.find("\r\n\r\n");
        if (end == std::string::npos) {
          const ssize_t n = ::recv(c, buf, sizeof buf, 0);
          if (n <= 0) break;
          req.append(buf, static_cast<std::size_t>(n));
          continue;
        }
        const std::string one = req.substr(0, end + 4);
        req.erase(0, end + 4);
        const auto cs = one.find("CSeq: ");
        const std::string cseq =
            cs == std::string::npos ? "0" : one.substr(cs + 6, one.find('\r', cs) - cs - 6);
        const std::string sdp = "v=0\r\ns=camera\r\n";
        const std::string resp =
            one.find(expect_) != std::string::npos
                ? fmt::format(
                      "RTSP/1.0 200 OK\r\nCSeq: {}\r\nContent-Type: application/sdp\r\n"
                      "Content-Length: {}\r\n\r\n{}",
                      cseq, sdp.size(), sdp)
                : fmt::format(
                      "RTSP/1.0 401 Unauthorized\r\nCSeq: {}\r\nWWW-Authenticate: Basic "
                      "realm=\"camera\"\r\n\r\n",
                      cseq);
        (void)::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
      }
      ::close(c);
    }
  }
  std::string expect_;
  int fd_ = -1;
  bool ok_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(NetworkLoginTest, RtspBothWays) {
  for (const std::string& pw : {std::string("1111"), StrongPassword()}) {
    RtspCamera cam("127.0.0.17", "admin", pw);
    ASSERT_TRUE(cam.ok());
    Assessment a = Logins(LoopbackEndpoint("127.0.0.17", 554, "rtsp"), FastOptions(10));
    EXPECT_EQ(FindingsOf(a, "net.login.default").size(), pw == "1111" ? 1u : 0u) << Dump(a);
    auto login = FactsOf(a, facts::kLoginAttempt);
    ASSERT_EQ(login.size(), 1u) << Dump(a);
    EXPECT_EQ(login[0]->value["method"], "rtsp-basic");
  }
}

TEST_F(NetworkLoginTest, UnreachableServiceIsAProblemNotAFinding) {
  Assessment a = Logins(LoopbackEndpoint("127.0.0.16", 23, "telnet"), FastOptions());
  EXPECT_TRUE(FindingsOf(a, "net.").empty()) << Dump(a);
  ASSERT_FALSE(a.problems.empty());
  EXPECT_NE(a.problems.back().message.find("127.0.0.16:23/tcp"), std::string::npos)
      << a.problems.back().message;
}

}  // namespace
}  // namespace iotcop::test
