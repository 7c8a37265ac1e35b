// `assess --emulate` on the corpus's OpenWrt image (03, MIPS big-endian, ../shared/corpus): its
// boot services run under qemu-mips-static in iotcop's namespaces, the ones that listen are
// probed, and the ones that do not come up are reported with their output while the rest go on.
// Skipped when the corpus image or qemu-user-static is missing.
#include <gtest/gtest.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace iotcop {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using test::Q;

TEST(EmulateCorpus, OpenWrtMipsServicesComeUpAndAreProbed) {
  const fs::path corpus = test::CorpusDir();
  if (corpus.empty()) GTEST_SKIP() << "no corpus";
  fs::path image;
  for (const auto& e : fs::directory_iterator(corpus))
    if (e.path().filename().string().starts_with("03_")) image = e.path();
  if (image.empty()) GTEST_SKIP() << "corpus image 03 (OpenWrt, MIPS) is absent";
  if (!fs::exists("/usr/bin/qemu-mips-static")) GTEST_SKIP() << "qemu-user-static is not installed";
  if (geteuid() != 0) GTEST_SKIP() << "the emulation tests run as root (the CI does)";
  test::TempDir dir;
  const auto r = test::RunIotcop("assess --firmware " + Q(image) + " --emulate -o " +
                                 Q(dir / "out") + " --format json -q --no-store");
  ASSERT_TRUE(fs::exists(dir / "out" / "report.json")) << r.out << r.err;
  const json report = json::parse(test::ReadFile(dir / "out" / "report.json"));
  std::map<std::string, json> services;
  for (const auto& f : report["facts"])
    if (f["kind"] == "emulated_service") services[f["value"]["name"]] = f;
  ASSERT_TRUE(services.contains("telnetd")) << report["extras"]["emulation"].dump(1);
  const json& telnetd = services["telnetd"];
  EXPECT_EQ(telnetd["value"]["runner"], "qemu-mips-static");
  EXPECT_EQ(telnetd["value"]["arch"], "mips");
  EXPECT_EQ(telnetd["value"]["status"], "listening") << telnetd.dump(1);
  EXPECT_EQ(telnetd["value"]["tcp"], json::array({23}));
  ASSERT_TRUE(services.contains("dropbear"));
  const json& dropbear = services["dropbear"];
  // OpenWrt's `service_start ${PROG} ${args}` after config_foreach: the rc.d link starts it, and
  // the rules' command line runs after the host keys were made.
  EXPECT_EQ(dropbear["value"]["boot_command"], "/etc/rc.d/S50dropbear start");
  EXPECT_EQ(dropbear["value"]["status"], "listening") << dropbear.dump(1);

  // Both probed live, the evidence naming the emulated command line.
  std::set<std::string> probed;
  for (const auto& f : report["facts"]) {
    if (f["kind"] != "network_service") continue;
    EXPECT_FALSE(f["evidence"].value("emulated", "").empty());
    probed.insert(f["value"].value("service", ""));
  }
  EXPECT_TRUE(probed.contains("telnet")) << report["extras"]["emulation"].dump(1);
  EXPECT_TRUE(probed.contains("ssh"));
  bool ssh_endpoint = false;
  for (const auto& f : report["facts"])
    if (f["kind"] == "ssh_endpoint" &&
        f["evidence"].value("emulated", "").find("dropbear") != std::string::npos)
      ssh_endpoint = true;
  EXPECT_TRUE(ssh_endpoint);
  // The programs telnetd starts run under QEMU too (binfmt_misc of the namespace's own, Linux 6.7
  // and later): its /bin/login.sh, a script run by the image's MIPS /bin/sh, execs the MIPS ash,
  // which evaluates the probe's command: telnet gives a shell without any credential, live.
  const json& emulation = report["extras"]["emulation"].begin().value();
  ASSERT_TRUE(emulation.contains("children_emulated")) << emulation.dump(1);
  const std::string children = emulation["children_emulated"].value("qemu-mips-static", "");
  // From Linux 6.7 each user namespace has a binfmt_misc of its own: there, registering must work.
  utsname u{};
  uname(&u);
  int major = 0, minor = 0;
  std::sscanf(u.release, "%d.%d", &major, &minor);
  if (major > 6 || (major == 6 && minor >= 7)) {
    EXPECT_EQ(children, "ok") << u.release;
  }
  if (children == "ok") {
    bool shell = false;
    for (const auto& f : report["findings"])
      if (f.value("check", "") == "net.login.default" &&
          f.value("title", "").find("without asking for any credential") != std::string::npos &&
          f["evidence"][0].value("excerpt", "").find("iotcop-42") != std::string::npos &&
          f["evidence"][0].value("emulated", "") == "/usr/sbin/telnetd -l /bin/login.sh")
        shell = true;
    EXPECT_TRUE(shell) << report["findings"].dump(1);
  } else {
    EXPECT_NE(children.find("binfmt_misc"), std::string::npos) << children;
  }
  // dnsmasq's configuration is written by its init script from UCI at boot: it cannot start, and
  // says why; the others went on.
  ASSERT_TRUE(services.contains("dnsmasq"));
  EXPECT_EQ(services["dnsmasq"]["value"]["status"], "crashed");
  EXPECT_NE(services["dnsmasq"]["value"]["output"].get<std::string>().find("dnsmasq.conf"),
            std::string::npos);
}

}  // namespace
}  // namespace iotcop
