// Firmware facts and live facts about one product meet in one assessment (issue 8, item 11): the
// firmware's inittab starts telnetd at boot, and the live device answers telnet on 23; the one
// verdict for 5.6-1 fails citing both findings (fw.services.telnet and net.services.telnet). And a
// declaration that lists no telnet fails its cross-check (issue 6) when port 23 answers live.
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

TEST(NetworkJoin, DeclaredNoTelnetAgainstTelnetAnsweringLive) {
  if (std::string why = test::EnterPrivateNetwork(); !why.empty()) GTEST_SKIP() << why;
  auto cat = Catalogue::Load(Catalogue::DefaultDir());
  ASSERT_TRUE(cat) << cat.error().Describe();
  test::TempDir dir;
  test::WriteFile(dir / "decl.yaml",
                  "schema: iotcop-declaration/1\n"
                  "services:\n  - name: ssh\n    port: 22\n    purpose: maintenance\n");
  auto assess = [&](const std::string& addr) {
    AssessOptions o;
    o.hosts = {addr};
    o.declaration = (dir / "decl.yaml").string();
    o.network.ports = "22,23";
    o.network.udp = false;
    o.network.limits.rate = 0;
    o.network.limits.io_timeout = std::chrono::milliseconds(800);
    o.work_dir = dir / "work";
    Progress p;
    return RunAssessment(o, *cat, p);
  };
  auto xcheck = [](const Assessment& a) -> const Finding* {
    for (const auto& f : a.findings)
      if (f.check_id == "xcheck.services") return &f;
    return nullptr;
  };

  // Telnet answers on 127.0.0.11:23 although the declaration lists SSH only.
  test::Daemon telnet;
  if (auto e = test::StartTelnetd(telnet, dir / "", "127.0.0.11"); !e.empty()) GTEST_SKIP() << e;
  const Assessment bad = assess("127.0.0.11");
  const Finding* f = xcheck(bad);
  ASSERT_NE(f, nullptr) << "the declaration claims no telnet";
  bool cites_declaration = false, cites_live = false;
  for (const auto& e : f->evidence) {
    cites_declaration |= e.source == InputKind::kDeclaration;
    cites_live |= e.source == InputKind::kNetwork && e.endpoint == "127.0.0.11:23/tcp";
  }
  EXPECT_TRUE(cites_declaration) << f->message;
  EXPECT_TRUE(cites_live) << f->message;

  // Nothing answers on 127.0.0.12: the same declaration is not contradicted.
  const Assessment quiet = assess("127.0.0.12");
  EXPECT_EQ(xcheck(quiet), nullptr);
}

}  // namespace
}  // namespace iotcop
