// The firmware checks on the real corpus (../shared/corpus, skipped when absent). Image 15 is a
// tar.gz of an extracted root file system and runs now; the others need the unpacker and are
// skipped while unpack::UnpackImage is the kUnsupported placeholder.
#include <gtest/gtest.h>

#include "core/fact_kinds.h"
#include "support/firmware_fixture.h"
#include "support/test_support.h"
#include "unpack/engine.h"

namespace iotcop {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

fs::path Image(const std::string& prefix) {
  const fs::path dir = test::CorpusDir();
  if (dir.empty()) return {};
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().starts_with(prefix)) return e.path();
  }
  return {};
}

bool AnyTitleHas(const std::vector<const Finding*>& f, const std::string& a,
                 const std::string& b = "") {
  for (const Finding* x : f) {
    if (x->title.find(a) != std::string::npos &&
        (b.empty() || x->title.find(b) != std::string::npos))
      return true;
  }
  return false;
}

// Unpacks an image with the project's unpacker; nullopt (and the test skips) while it is absent.
#define ASSESS_IMAGE_OR_SKIP(run, prefix)                                              \
  const fs::path image = Image(prefix);                                                \
  if (image.empty()) GTEST_SKIP() << "corpus image " << prefix << " is not available"; \
  TempDir out;                                                                         \
  unpack::UnpackOptions options;                                                       \
  options.out_dir = out / "x";                                                         \
  auto unpacked = unpack::UnpackImage(image, options);                                 \
  if (!unpacked && unpacked.error().code == Errc::kUnsupported)                        \
    GTEST_SKIP() << "the unpacker cannot open " << image.filename()                    \
                 << " yet: " << unpacked.error().what;                                 \
  ASSERT_TRUE(unpacked) << unpacked.error().Describe();                                \
  auto run = test::AssessTree(unpacked->tree)

// Image 15 is a tar.gz of an extracted root: extracts it into `t` and assesses the folder.
#define ASSESS_DLINK15_OR_SKIP(run)                                                  \
  const fs::path image = Image("15_");                                               \
  if (image.empty()) GTEST_SKIP() << "corpus image 15 is not available";             \
  if (!test::HaveTool("tar")) GTEST_SKIP() << "tar is not installed";                \
  TempDir t;                                                                         \
  test::MustRun("tar -xzf '" + image.string() + "' -C '" + t.path().string() + "'"); \
  auto run = test::AssessFolder(t / "cpio-root")

TEST(FirmwareCorpus, Dlink15ReportsTheServerKeyButNotTheCommentedTelnetd) {
  ASSESS_DLINK15_OR_SKIP(run);
  auto keys = run.Findings("fw.keys.baked-private-key");
  ASSERT_FALSE(keys.empty());
  EXPECT_TRUE(AnyTitleHas(keys, "/etc_ro/serverkey.pem"));
  for (const Finding* f : keys) {
    for (const auto& e : f->evidence) EXPECT_EQ(e.excerpt.find("MII"), std::string::npos);
  }
  // libcrypto's PEM marker constants are not keys.
  for (const Fact* k : run.Facts(facts::kPrivateKey)) {
    EXPECT_EQ(k->value["path"].get<std::string>().find("libcrypto"), std::string::npos);
  }
  // /etc_ro/rcS has "#telnetd": not a service started at boot.
  for (const Fact* s : run.Facts(facts::kService)) EXPECT_NE(s->value["name"], "telnetd");
  EXPECT_TRUE(run.Findings("fw.services.telnet").empty());
  EXPECT_TRUE(run.Findings("fw.services.serial-shell").empty());  // ttyS1 runs /bin/login
  EXPECT_FALSE(run.Findings("fw.certificates.weak").empty());     // RSA-1024, SHA-1, expired 2018
}

TEST(FirmwareCorpus, LibraryBox03TelnetWhileRootHasNoPasswordAndPlaceholderHostKeys) {
  ASSESS_IMAGE_OR_SKIP(run, "03_");
  EXPECT_TRUE(
      AnyTitleHas(run.Findings("fw.services.telnet"), "/etc/rc.d/S50telnet", "no password"));
  for (const Finding* f : run.Findings("fw.services.telnet"))
    EXPECT_EQ(f->severity, Severity::kCritical);
  EXPECT_FALSE(AnyTitleHas(run.Findings("fw.keys.baked-private-key"), "dropbear"));
}

TEST(FirmwareCorpus, TpLink08AdminWithPassword1234ThroughPasswdBak) {
  ASSESS_IMAGE_OR_SKIP(run, "08_");
  EXPECT_TRUE(AnyTitleHas(run.Findings("fw.accounts.default-password"), "'admin'", "passwd.bak"));
  EXPECT_TRUE(AnyTitleHas(run.Findings("fw.accounts.extra-root"), "'admin'"));
}

TEST(FirmwareCorpus, LicheePi11EmptyRootPassword) {
  ASSESS_IMAGE_OR_SKIP(run, "11_");
  EXPECT_TRUE(
      AnyTitleHas(run.Findings("fw.accounts.default-password"), "'root' has an empty password"));
}

TEST(FirmwareCorpus, MicroZed13EmptyRootPassword) {
  ASSESS_IMAGE_OR_SKIP(run, "13_");
  EXPECT_TRUE(
      AnyTitleHas(run.Findings("fw.accounts.default-password"), "'root' has an empty password"));
}

// Ralink SDK defaults of image 15: /etc_ro/Wireless/RT2860AP/RT2860_default_* hold Login=admin and
// Password=admin (the web administrator's factory login), read as nvram defaults; the ISP account
// placeholders (wan_pppoe_pass=...) are not device passwords. /etc_ro/rcS starts nvram_daemon in
// the background and runs internet.sh by name.
TEST(FirmwareCorpus, Dlink15RalinkDefaultAdminPasswordAndEtcRoInitTree) {
  ASSESS_DLINK15_OR_SKIP(run);
  auto creds = run.Findings("fw.credentials.hard-coded");
  EXPECT_TRUE(AnyTitleHas(creds, "default administrator password (login 'admin')",
                          "RT2860_default_novlan line 6"));
  EXPECT_FALSE(AnyTitleHas(creds, "wan_pppoe_pass"));
  bool login = false;
  for (const Fact* n : run.Facts(facts::kNvramDefault))
    login = login || (n->value["key"] == "Login" && n->value["value"] == "admin");
  EXPECT_TRUE(login);
  bool nvram_daemon = false;
  for (const Fact* s : run.Facts(facts::kService)) {
    if (s->value["name"] == "nvram_daemon") {
      nvram_daemon = true;
      EXPECT_EQ(s->value["file"], "fw!/etc_ro/rcS");
      EXPECT_EQ(s->value["started_by"], "/etc_ro/inittab");
    }
  }
  EXPECT_TRUE(nvram_daemon);
}

// Image 03: /etc/init.d/done (enabled by /etc/rc.d/S95done) runs `sh /etc/rc.local`, which has no
// #! line and runs LibraryBox's /bin/box_installer_start.sh; its start_log() starts syslogd with
// start-stop-daemon. crond is enabled (S50cron) but /etc/crontabs is empty: no cron entry.
TEST(FirmwareCorpus, LibraryBox03RcLocalRunByDoneIsFollowed) {
  ASSESS_IMAGE_OR_SKIP(run, "03_");
  bool syslogd = false;
  for (const Fact* s : run.Facts(facts::kService)) {
    EXPECT_NE(s->value["init"], "cron");
    if (s->value["name"] != "syslogd" || s->value["init"] != "rc.local") continue;
    syslogd = true;
    EXPECT_EQ(s->value["started_by"], "/etc/rc.d/S95done");
    EXPECT_TRUE(s->value["file"].get<std::string>().ends_with("/bin/box_installer_start.sh"));
  }
  EXPECT_TRUE(syslogd);
}

}  // namespace
}  // namespace iotcop
