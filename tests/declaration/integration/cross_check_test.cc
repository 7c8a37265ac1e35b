// The declaration cross-checks against real firmware evidence: a fixture root filesystem that
// contradicts each promise of a declaration must fail the provision citing both sources, and a
// clean one must let the same declaration pass.
#include <crypt.h>
#include <gtest/gtest.h>

#include <set>

#include "assess/pipeline.h"
#include "support/test_support.h"

namespace iotcop {
namespace {

const char* kDeclaration =
    "schema: iotcop-declaration/1\n"
    "authentication:\n  password_scheme: unique per device, random, printed on the label\n"
    "debug_interfaces: none\n"
    "updates:\n  delivery: signed images over HTTPS\n"
    "services:\n  - name: https\n    port: 443\n    purpose: web interface\n"
    "secure_storage:\n  per_device_keys: true\n"
    "communication:\n  cloud: TLS 1.2 to the cloud service\n";

std::string Md5Crypt(const char* password) {
  crypt_data data{};
  const char* h = crypt_r(password, "$1$iotcopxc$", &data);
  return h ? h : "";
}

void WriteInsecureTree(const std::filesystem::path& root) {
  test::WriteFile(root / "bin/busybox", "busybox placeholder");
  test::WriteFile(root / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  test::WriteFile(root / "etc/shadow", "root:" + Md5Crypt("admin") + ":19000:0:99999:7:::\n");
  test::WriteFile(root / "etc/inittab", "::sysinit:/etc/init.d/rcS\nttyS0::respawn:/bin/sh\n");
  test::WriteFile(root / "etc/init.d/rcS",
                  "#!/bin/sh\ntelnetd -l /bin/sh\n/usr/sbin/fw-update &\n");
  test::WriteFile(root / "usr/sbin/fw-update",
                  "#!/bin/sh\nwget http://update.example.invalid/fw.bin -O /tmp/fw.bin\nmtd write "
                  "/tmp/fw.bin firmware\n");
  // A private key baked into the image (against per_device_keys) and a cleartext cloud endpoint
  // (against communication.cloud).
  std::filesystem::create_directories(root / "etc/ssl/private");
  const auto r = test::RunShell("openssl genpkey -algorithm ED25519 -out " +
                                test::Q(root / "etc/ssl/private/device.key") + " 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  test::WriteFile(root / "etc/cloud.conf",
                  "cloud_url=http://cloud.example.invalid/api/v1/report\n");
}

void WriteCleanTree(const std::filesystem::path& root) {
  test::WriteFile(root / "bin/busybox", "busybox placeholder");
  test::WriteFile(root / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  test::WriteFile(root / "etc/shadow", "root:*:19000:0:99999:7:::\n");
  test::WriteFile(root / "etc/inittab",
                  "::sysinit:/etc/init.d/rcS\nttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100\n");
  test::WriteFile(root / "etc/init.d/rcS", "#!/bin/sh\n/usr/sbin/fw-update &\n");
  test::WriteFile(root / "usr/sbin/fw-update",
                  "#!/bin/sh\nwget https://update.example.invalid/fw.bin -O /tmp/fw.bin\n"
                  "usign -V -m /tmp/fw.bin -P /etc/opkg/keys || exit 1\nsysupgrade /tmp/fw.bin\n");
  test::WriteFile(root / "etc/cloud.conf",
                  "cloud_url=https://cloud.example.invalid/api/v1/report\n");
}

class CrossCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = Catalogue::Load(Catalogue::DefaultDir());
    ASSERT_TRUE(c) << c.error().Describe();
    catalogue_ = std::move(c).value();
    test::WriteFile(dir_ / "decl.yaml", kDeclaration);
  }
  Assessment Assess(const std::filesystem::path& rootfs) {
    AssessOptions o;
    o.firmware = {rootfs.string()};
    o.declaration = (dir_ / "decl.yaml").string();
    o.work_dir = dir_ / "work";
    Progress p;
    return RunAssessment(o, catalogue_, p);
  }
  // Provisions that a cross-check failed, each with a finding citing the declaration and the
  // firmware.
  std::set<std::string> Contradicted(const Assessment& a) {
    std::set<std::string> out;
    for (const auto& f : a.findings) {
      if (f.check_id.rfind("xcheck.", 0) != 0) continue;
      bool declaration = false, firmware = false;
      for (const auto& e : f.evidence) {
        declaration |= e.source == InputKind::kDeclaration;
        firmware |= e.source == InputKind::kFirmware;
      }
      EXPECT_TRUE(declaration && firmware) << f.title;
      for (const auto& p : f.provisions) out.insert(p);
    }
    return out;
  }
  test::TempDir dir_;
  Catalogue catalogue_;
};

TEST_F(CrossCheckTest, EvidenceThatContradictsTheDeclarationFailsCitingBoth) {
  WriteInsecureTree(dir_ / "bad");
  const Assessment a = Assess(dir_ / "bad");
  const auto failed = Contradicted(a);
  EXPECT_TRUE(failed.count("5.1-1")) << "unique per-device passwords vs a default root password";
  EXPECT_TRUE(failed.count("5.6-4")) << "no debug interfaces vs a shell on ttyS0";
  EXPECT_TRUE(failed.count("5.3-7") || failed.count("5.3-10"))
      << "signed over HTTPS vs wget http:// + mtd write";
  EXPECT_TRUE(failed.count("5.6-1")) << "telnet not declared vs telnetd started at boot";
  for (const auto& v : a.provision_verdicts) {
    if (v.id == "5.1-1" || v.id == "5.6-4") {
      EXPECT_EQ(v.verdict, Verdict::kFail) << v.id;
    }
  }
}

TEST_F(CrossCheckTest, EvidenceThatAgreesPasses) {
  WriteCleanTree(dir_ / "good");
  const Assessment a = Assess(dir_ / "good");
  EXPECT_TRUE(Contradicted(a).empty());
  int agreed = 0;
  for (const auto& o : a.outcomes) {
    if (o.check_id.rfind("xcheck.", 0) == 0 && o.verdict == Verdict::kPass) ++agreed;
  }
  EXPECT_GE(agreed, 4);
}

// Each cross-check by its id: the insecure tree breaks its promise (a finding of that check) and
// the clean tree keeps it (a PASS of that check).
TEST_F(CrossCheckTest, EachCrossCheckFailsOnItsContradictionAndPassesOnAgreement) {
  WriteInsecureTree(dir_ / "bad");
  WriteCleanTree(dir_ / "good");
  const Assessment bad = Assess(dir_ / "bad");
  const Assessment good = Assess(dir_ / "good");
  for (const char* id : {"xcheck.passwords", "xcheck.debug-interfaces", "xcheck.updates",
                         "xcheck.keys", "xcheck.communication"}) {
    bool failed = false, passed = false;
    for (const auto& f : bad.findings) failed = failed || f.check_id == id;
    for (const auto& o : good.outcomes)
      passed = passed || (o.check_id == id && o.verdict == Verdict::kPass);
    EXPECT_TRUE(failed) << id << " found no contradiction in the insecure tree";
    EXPECT_TRUE(passed) << id << " did not pass on the clean tree";
  }
}

TEST_F(CrossCheckTest, WithoutEvidenceTheCrossCheckIsInconclusive) {
  AssessOptions o;
  o.declaration = (dir_ / "decl.yaml").string();
  Progress p;
  const Assessment a = RunAssessment(o, catalogue_, p);
  for (const auto& o2 : a.outcomes) {
    if (o2.check_id.rfind("xcheck.", 0) != 0) continue;
    EXPECT_NE(o2.verdict, Verdict::kPass) << o2.check_id;
    EXPECT_NE(o2.verdict, Verdict::kFail) << o2.check_id;
  }
}

}  // namespace
}  // namespace iotcop
