// `assess --intercept local` end to end, inside the test's own network namespace: a real TLS
// server (openssl s_server, certificate from the test's CA) is the device's cloud; curl, wget and
// mosquitto_pub are the device's TLS clients, run once per forgery. A client that checks the chain
// and the name refuses every forgery and, once the series is done, reaches the real server through
// the relay; `curl -k` and `wget --no-check-certificate` accept the first forgery and send their
// request; `mosquitto_pub --insecure` checks the chain but not the name, so only the trusted
// certificate for another name gets through. The rules are in a table of iotcop's own that is gone
// afterwards.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "assess/pipeline.h"
#include "core/fact_kinds.h"
#include "support/netns.h"
#include "support/test_support.h"

namespace iotcop {
namespace {

namespace fs = std::filesystem;

int Sh(const std::string& cmd) {
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string Tables() {
  const fs::path out = fs::temp_directory_path() / fmt::format("iotcop-nft-{}.txt", ::getpid());
  Sh("nft list tables > " + out.string() + " 2>&1");
  std::ifstream in(out);
  std::string s((std::istreambuf_iterator<char>(in)), {});
  fs::remove(out);
  return s;
}

class NetworkIntercept : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = test::EnterPrivateNetwork(); !why.empty()) GTEST_SKIP() << why;
    for (const char* tool : {"openssl", "curl", "wget", "mosquitto_pub", "nft"})
      if (!test::HaveTool(tool))
        GTEST_SKIP() << tool << " is not installed (scripts/install-deps.sh --test)";
    if (Sh("nft list tables >/dev/null 2>&1") != 0) GTEST_SKIP() << "nftables unusable here";
    // The test's CA, the cloud's certificate and a trusted one for another name.
    const std::string d = dir_.path().string();
    const std::string gen = fmt::format(
        "cd {0} && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
        "-keyout ca.key -out ca.pem -subj /CN=test-ca -days 2 2>/dev/null && "
        "for n in cloud.test other.test; do "
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $n.key "
        "-out $n.csr -subj /CN=$n 2>/dev/null && "
        "printf 'subjectAltName=DNS:%s\\n' $n > $n.ext && "
        "openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
        "-extfile $n.ext -out $n.pem 2>/dev/null || exit 1; done && "
        "cat other.test.pem ca.pem other.test.key > other-name.pem",
        d);
    ASSERT_EQ(Sh(gen), 0) << gen;
    ASSERT_EQ(
        server_.Start({"openssl", "s_server", "-accept", "127.0.0.2:443", "-cert",
                       d + "/cloud.test.pem", "-key", d + "/cloud.test.key", "-www", "-quiet"},
                      d + "/s_server.log"),
        "");
    ASSERT_TRUE(test::WaitForTcp("127.0.0.2", 443));
  }

  // Runs `clients` while RunAssessment intercepts; ends the interception with SIGTERM as a user's
  // Ctrl-C would, so the run also shows that a signal removes the rules.
  Assessment Intercept(const std::function<void()>& clients) {
    AssessOptions o;
    o.network.intercept.mode = "local";
    o.network.intercept.duration = std::chrono::seconds(120);
    o.network.intercept.other_name_pem = (dir_ / "other-name.pem").string();
    o.network.intercept.io_timeout = std::chrono::milliseconds(3000);
    o.work_dir = dir_ / "work";
    auto cat = Catalogue::Load(Catalogue::DefaultDir());
    EXPECT_TRUE(cat) << cat.error().Describe();
    Assessment a;
    Progress p;
    std::thread run([&] { a = RunAssessment(o, *cat, p); });
    const std::string table = fmt::format("iotcop_intercept_{}", ::getpid());
    for (int i = 0; i < 100 && Tables().find(table) == std::string::npos; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const bool loaded = Tables().find(table) != std::string::npos;
    if (loaded) {
      clients();
      ::kill(::getpid(), SIGTERM);
    }
    run.join();
    std::string problems;
    for (const auto& p : a.problems) problems += p.message + "\n";
    EXPECT_TRUE(loaded) << "the rules were not loaded: " << problems;
    EXPECT_EQ(Tables().find(table), std::string::npos) << "the rules outlived the interception";
    return a;
  }

  static std::vector<const Fact*> Tests(const Assessment& a, const std::string& name) {
    std::vector<const Fact*> out;
    for (const Fact* f : a.facts.OfKind(facts::kTlsClientTest))
      if (f->value["name"] == name) out.push_back(f);
    return out;
  }
  static std::string Dump(const Assessment& a) {
    std::string s;
    for (const Fact* f : a.facts.OfKind(facts::kTlsClientTest)) s += f->value.dump() + "\n";
    for (const auto& p : a.problems) s += "problem: " + p.message + "\n";
    return s;
  }

  test::TempDir dir_;
  test::Daemon server_;
};

TEST_F(NetworkIntercept, ClientsThatCheckRefuseEveryForgeryOthersAcceptAndAreNamed) {
  const std::string d = dir_.path().string();
  int checked_rc[6] = {};
  const std::string checked = fmt::format(
      "curl -sS -o /dev/null --max-time 8 --cacert {}/ca.pem --resolve cloud.test:443:127.0.0.2 "
      "https://cloud.test/ 2>>{}/curl.log",
      d, d);
  Assessment a = Intercept([&] {
    for (int& rc : checked_rc) rc = Sh(checked);  // five forgeries, then the real server
    Sh(
        fmt::format("curl -sk -o /dev/null --max-time 8 --resolve lax.test:443:127.0.0.2 "
                    "https://lax.test/firmware/check?serial=123 2>/dev/null"));
    Sh(
        fmt::format("wget -q -O /dev/null -T 8 -t 1 --no-check-certificate "
                    "https://127.0.0.2/status 2>/dev/null"));
    for (int i = 0; i < 5; ++i)
      Sh(
          fmt::format("mosquitto_pub -h 127.0.0.3 -p 8883 --cafile {}/ca.pem --insecure -t t -m x "
                      "-i dev1 -u owner -P s3cret 2>/dev/null",
                      d));
  });
  const std::string dump = Dump(a);

  // curl with the CA: every forgery refused, then the relay to the real server succeeds.
  auto cloud = Tests(a, "cloud.test");
  ASSERT_EQ(cloud.size(), 5u) << dump;
  std::set<std::string> kinds;
  for (const Fact* f : cloud) {
    // curl checks the name after the handshake: with the trusted certificate for another name it
    // finishes the handshake, then closes without a request.
    EXPECT_EQ(f->value["outcome"],
              f->value["forgery"] == "other-name" ? "handshake-only" : "refused")
        << f->value.dump();
    kinds.insert(f->value["forgery"].get<std::string>());
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"self-signed", "untrusted-ca", "other-name", "expired",
                                          "weak-key"}));
  for (int i = 0; i < 5; ++i) EXPECT_NE(checked_rc[i], 0) << "curl accepted forgery " << i;
  EXPECT_EQ(checked_rc[5], 0) << "the relay to the real server failed";

  // curl -k: the first forgery accepted, its request described without query or headers.
  auto lax = Tests(a, "lax.test");
  ASSERT_EQ(lax.size(), 1u) << dump;
  EXPECT_EQ(lax[0]->value["outcome"], "accepted");
  EXPECT_EQ(lax[0]->value["forgery"], "self-signed");
  const std::string sent = lax[0]->value.value("sent", "");
  EXPECT_NE(sent.find("HTTP GET /firmware/check"), std::string::npos) << sent;
  EXPECT_EQ(sent.find("serial=123"), std::string::npos) << sent;

  // wget --no-check-certificate, no SNI (an address): the name forged is the destination.
  auto wget = Tests(a, "127.0.0.2");
  ASSERT_EQ(wget.size(), 1u) << dump;
  EXPECT_EQ(wget[0]->value["outcome"], "accepted") << wget[0]->value.dump();

  // mosquitto_pub --insecure checks the chain, not the name: only other-name gets through, and
  // its CONNECT (with a password) is described, never shown.
  std::map<std::string, std::string> mqtt;
  for (const Fact* f : Tests(a, "127.0.0.3"))
    mqtt[f->value["forgery"].get<std::string>()] = f->value["outcome"];
  EXPECT_EQ(mqtt.size(), 5u) << dump;
  EXPECT_EQ(mqtt["self-signed"], "refused") << dump;
  EXPECT_EQ(mqtt["other-name"], "accepted") << dump;
  EXPECT_EQ(mqtt["untrusted-ca"], "refused") << dump;
  EXPECT_EQ(mqtt["expired"], "refused") << dump;
  EXPECT_EQ(dump.find("s3cret"), std::string::npos) << dump;

  // The verdict: a FAIL of 5.5-1 for each accepting destination; cloud.test's finished handshake
  // without data is shown, informing 5.5-1 only.
  std::vector<std::string> deciding;
  for (const auto& f : a.findings) {
    if (f.check_id != "net.tls-client.forged-certificate") continue;
    if (f.title.find("cloud.test") != std::string::npos) {
      EXPECT_TRUE(f.provisions.empty()) << f.title;
      EXPECT_EQ(f.informs, std::vector<std::string>{"5.5-1"}) << f.title;
    } else {
      EXPECT_EQ(f.provisions, std::vector<std::string>{"5.5-1"}) << f.title;
      deciding.push_back(f.title);
    }
  }
  EXPECT_EQ(deciding.size(), 3u) << dump;
  bool failed = false;
  for (const auto& v : a.provision_verdicts)
    if (v.id == "5.5-1") failed = v.verdict == Verdict::kFail;
  EXPECT_TRUE(failed);
  ASSERT_TRUE(a.extras.contains("interception"));
  EXPECT_TRUE(a.extras["interception"]["interrupted"].get<bool>());
  EXPECT_GE(a.extras["interception"]["relayed"].get<int>(), 1);
}

}  // namespace
}  // namespace iotcop
