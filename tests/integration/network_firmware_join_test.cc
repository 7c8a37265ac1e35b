// Firmware facts and live facts about one product meet in one assessment (issue 8, item 11): the
// firmware's inittab starts telnetd at boot, and the live device answers telnet on 23; the one
// verdict for 5.6-1 fails citing both findings (fw.services.telnet and net.services.telnet).
#include <gtest/gtest.h>

#include "assess/pipeline.h"
#include "support/net_devices.h"
#include "support/netns.h"
#include "support/test_support.h"

namespace iotcop {
namespace {

TEST(NetworkJoin, FirmwareAndLiveTelnetShareOneVerdict) {
  if (std::string why = test::EnterPrivateNetwork(); !why.empty()) GTEST_SKIP() << why;
  auto cat = Catalogue::Load(Catalogue::DefaultDir());
  ASSERT_TRUE(cat) << cat.error().Describe();
  test::TempDir dir;
  const auto root = dir / "rootfs";
  test::WriteFile(root / "bin/busybox", "busybox placeholder");
  test::WriteFile(root / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  test::WriteFile(root / "etc/shadow", "root:*:19000:0:99999:7:::\n");
  test::WriteFile(root / "etc/inittab",
                  "::sysinit:/etc/init.d/rcS\n::respawn:/usr/sbin/telnetd -F -l /bin/login\n");
  test::WriteFile(root / "etc/init.d/rcS", "#!/bin/sh\nmount -a\n");

  const std::string addr = "127.0.0.10";
  test::Daemon telnet;
  if (auto e = test::StartTelnetd(telnet, dir / "", addr); !e.empty()) GTEST_SKIP() << e;

  AssessOptions o;
  o.firmware = {root.string()};
  o.hosts = {addr};
  o.network.ports = "22,23,80";
  o.network.udp = false;
  o.network.limits.rate = 0;
  o.network.limits.io_timeout = std::chrono::milliseconds(800);
  o.work_dir = dir / "work";
  Progress p;
  const Assessment a = RunAssessment(o, *cat, p);

  const ItemVerdict* v561 = nullptr;
  for (const auto& v : a.provision_verdicts)
    if (v.id == "5.6-1") v561 = &v;
  ASSERT_NE(v561, nullptr);
  EXPECT_EQ(v561->verdict, Verdict::kFail);
  std::set<std::string> cited;
  for (std::size_t i : v561->findings) cited.insert(a.findings.at(i).check_id);
  EXPECT_TRUE(cited.contains("fw.services.telnet")) << v561->reason;
  EXPECT_TRUE(cited.contains("net.services.telnet")) << v561->reason;
  // One finding's evidence points into the image, the other at the live endpoint.
  for (std::size_t i : v561->findings) {
    const Finding& f = a.findings.at(i);
    ASSERT_FALSE(f.evidence.empty());
    if (f.check_id == "fw.services.telnet") {
      EXPECT_EQ(f.evidence[0].source, InputKind::kFirmware);
    }
    if (f.check_id == "net.services.telnet") {
      EXPECT_EQ(f.evidence[0].source, InputKind::kNetwork);
      EXPECT_EQ(f.evidence[0].endpoint, addr + ":23/tcp");
    }
  }
}

}  // namespace
}  // namespace iotcop
