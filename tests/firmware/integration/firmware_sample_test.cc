// The bundled sample camera (scripts/make-sample-firmware.sh): every planted problem of guideline
// 1, 4 and 6 is reported, and the lines samples/README.md lists as clean are not.
#include <gtest/gtest.h>

#include "core/fact_kinds.h"
#include "support/firmware_fixture.h"
#include "support/test_support.h"
#include "unpack/engine.h"

namespace iotcop {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

// The sample is built once for this file's tests; empty with `why` set when a Debian package it
// needs is missing.
const fs::path& SampleDir(std::string& why) {
  static TempDir dir;
  static std::string reason;
  static const bool built = [] {
    const auto r = test::RunShell("'" IOTCOP_SOURCE_DIR "/scripts/make-sample-firmware.sh' '" +
                                  dir.path().string() + "/out'");
    if (r.exit_code != 0) reason = r.err;
    EXPECT_NE(r.exit_code, 1) << r.err;  // 2 = a package is missing: skip, not fail
    return r.exit_code == 0;
  }();
  why = reason;
  static const fs::path none;
  return built ? dir.path() : none;
}

void ExpectPlantedProblems(const test::FirmwareRun& run) {
  auto pw = run.Findings("fw.accounts.default-password");
  ASSERT_EQ(pw.size(), 1u);  // root; www (*) and guest (!) are locked
  EXPECT_EQ(pw[0]->severity, Severity::kCritical);
  EXPECT_NE(pw[0]->title.find("'root'"), std::string::npos);

  auto telnet = run.Findings("fw.services.telnet");
  ASSERT_EQ(telnet.size(), 1u);
  EXPECT_EQ(telnet[0]->severity, Severity::kCritical);
  EXPECT_NE(telnet[0]->evidence[0].path.find("/etc/init.d/rcS"), std::string::npos);

  auto serial = run.Findings("fw.services.serial-shell");
  ASSERT_EQ(serial.size(), 1u);
  EXPECT_NE(serial[0]->title.find("ttyS0"), std::string::npos);

  auto keys = run.Findings("fw.keys.baked-private-key");
  ASSERT_EQ(keys.size(), 2u);  // TLS key and Dropbear host key
  for (const Finding* k : keys)
    EXPECT_EQ(k->provisions, (std::vector<std::string>{"5.4-3", "5.4-4"}));
  EXPECT_EQ(run.Findings("fw.keys.compromised").size(), 2u);
  EXPECT_EQ(run.Findings("fw.secrets.tokens").size(), 1u);  // cloud.conf api_token

  // Commented out: debugd in inittab, tftpd in rcS.
  EXPECT_TRUE(run.Findings("fw.services.debug-daemon").empty());
  EXPECT_TRUE(run.Findings("fw.services.file-transfer").empty());
  const Outcome* disclosure = run.OutcomeOf("fw.disclosure.policy", "5.2-1");
  ASSERT_NE(disclosure, nullptr);
  EXPECT_EQ(disclosure->verdict, Verdict::kInconclusive);
  EXPECT_EQ(run.AllText().find("IOTCOPSAMPLE0000"), std::string::npos);
}

TEST(FirmwareSample, RootFilesystemShowsEveryPlantedProblem) {
  if (!test::HaveTool("unsquashfs")) GTEST_SKIP() << "unsquashfs (squashfs-tools) is not installed";
  std::string why;
  const fs::path& sample = SampleDir(why);
  if (sample.empty()) GTEST_SKIP() << "sample firmware cannot be built here: " << why;
  TempDir t;
  test::MustRun("unsquashfs -q -n -d '" + (t / "root").string() + "' '" +
                (sample / "out/rootfs.squashfs").string() + "' >/dev/null");
  ExpectPlantedProblems(test::AssessFolder(t / "root"));
}

TEST(FirmwareSample, UImageThroughTheUnpacker) {
  std::string why;
  const fs::path& sample = SampleDir(why);
  if (sample.empty()) GTEST_SKIP() << "sample firmware cannot be built here: " << why;
  TempDir t;
  unpack::UnpackOptions options;
  options.out_dir = t / "x";
  auto unpacked = unpack::UnpackImage(sample / "out/sample-camera.uimage", options);
  if (!unpacked && unpacked.error().code == Errc::kUnsupported)
    GTEST_SKIP() << "the unpacker cannot open the sample yet: " << unpacked.error().what;
  ASSERT_TRUE(unpacked) << unpacked.error().Describe();
  ExpectPlantedProblems(test::AssessTree(unpacked->tree));
}

}  // namespace
}  // namespace iotcop
