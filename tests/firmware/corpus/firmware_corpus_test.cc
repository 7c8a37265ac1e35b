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

TEST(FirmwareCorpus, Dlink15ReportsTheServerKeyButNotTheCommentedTelnetd) {
  const fs::path image = Image("15_");
  if (image.empty()) GTEST_SKIP() << "corpus image 15 is not available";
  if (!test::HaveTool("tar")) GTEST_SKIP() << "tar is not installed";
  TempDir t;
  test::MustRun("tar -xzf '" + image.string() + "' -C '" + t.path().string() + "'");
  auto run = test::AssessFolder(t / "cpio-root");
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

}  // namespace
}  // namespace iotcop
