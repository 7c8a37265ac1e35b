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

#include "emulate/nvram.h"
#include "support/emulate_fixture.h"
#include "support/test_support.h"
#include "unpack/tree.h"

namespace iotcop {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using test::Q;

TEST(EmulateCorpus, OpenWrtMipsServicesComeUpAndAreProbed) {
  const fs::path image = test::CorpusImage("03_");
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

// The nvram shim on a real vendor loader: OpenWrt 12.09's uClibc (MIPS big-endian) was built
// without LD_PRELOAD, so the shim stands in for the vendor's libnvram.so by its name. A MIPS
// program (built here with clang, entry point of its own, linked against stand-ins of libnvram.so
// and libc.so.0 that the image's real files replace at run time) runs under qemu-mips-static in a
// chroot of the image's root with the files PlanNvram put in /.iotcop.
constexpr const char* kCorpusNvramProgram = R"C(
extern char *nvram_get(const char *);
extern long write(int, const void *, unsigned long);
extern void _exit(int);
static void put(const char *s) {
  unsigned long n = 0;
  while (s[n]) ++n;
  write(1, s, n);
}
int main(void) {
  const char *v = nvram_get("lan_ipaddr");
  put("lan_ipaddr=");
  put(v ? v : "(none)");
  put("\n");
  nvram_get("iotcop_corpus_missing");
  _exit(0);
  return 0;
}
__asm__(".globl __start\n.ent __start\n__start:\n.set noreorder\n bal 1f\n nop\n"
        "1: .cpload $31\n la $25, main\n jalr $25\n nop\n.set reorder\n.end __start\n");
)C";

TEST(EmulateCorpus, NvramShimStandsInOnUclibcMips) {
  const fs::path image = test::CorpusImage("03_");
  if (image.empty()) GTEST_SKIP() << "corpus image 03 (OpenWrt, MIPS) is absent";
  if (!fs::exists("/usr/bin/qemu-mips-static")) GTEST_SKIP() << "qemu-user-static is not installed";
  if (geteuid() != 0) GTEST_SKIP() << "chroot needs root (the CI runs as root)";
  if (test::RunShell("command -v clang >/dev/null && command -v ld.lld >/dev/null").exit_code != 0)
    GTEST_SKIP() << "clang and ld.lld are not installed";
  if (emulate::NvramShim("mips", true).empty()) GTEST_SKIP() << "no MIPS nvram shim built";
  test::TempDir dir;
  const auto u = test::RunIotcop("unpack " + Q(image) + " -o " + Q(dir / "x"));
  const auto found = test::RunShell("find " + Q(dir / "x") + " -path '*/lib/ld-uClibc.so.0'");
  ASSERT_FALSE(found.out.empty()) << u.out << u.err;
  const fs::path root =
      fs::path(found.out.substr(0, found.out.find('\n'))).parent_path().parent_path();
  const std::string cc = "clang --target=mips-linux-gnu -march=mips32 -nostdlib -fuse-ld=lld ";
  test::WriteFile(dir / "vendor.c", "char *nvram_get(const char *n) { (void)n; return 0; }\n");
  test::WriteFile(dir / "libc.c",
                  "long write(int f, const void *b, unsigned long n) "
                  "{ (void)f; (void)b; return (long)n; }\nvoid _exit(int s) "
                  "{ (void)s; for (;;) {} }\n");
  test::WriteFile(dir / "prog.c", kCorpusNvramProgram);
  for (const std::string& step :
       {cc + "-fPIC -shared -Wl,-soname,libnvram.so -o " + Q(root / "lib/libnvram.so") + " " +
            Q(dir / "vendor.c"),
        cc + "-fPIC -shared -Wl,-soname,libc.so.0 -o " + Q(dir / "libc.so.0") + " " +
            Q(dir / "libc.c"),
        cc + "-O1 -fPIC -Wl,-e,__start -Wl,--dynamic-linker=/lib/ld-uClibc.so.0 -o " +
            Q(root / "usr/sbin/nvramprobe") + " " + Q(dir / "prog.c") + " " +
            Q(root / "lib/libnvram.so") + " " + Q(dir / "libc.so.0")}) {
    const auto r = test::RunShell(step);
    ASSERT_EQ(r.exit_code, 0) << step << "\n" << r.err;
  }
  test::WriteFile(root / "etc/nvram.default", "lan_ipaddr=192.168.7.1\n");
  auto tree = unpack::Tree::FromDirectory(root);
  ASSERT_TRUE(tree) << tree.error().Describe();
  const emulate::NvramSetup setup = emulate::PlanNvram(*tree, 0, {"mips"});
  EXPECT_EQ(setup.interposed, std::vector<std::string>({"/lib/libnvram.so"}));
  EXPECT_EQ(setup.sources, std::vector<std::string>({"/etc/nvram.default"}));
  test::WriteOwnFiles(root, setup.files);
  fs::copy_file("/usr/bin/qemu-mips-static", root / ".iotcop/qemu-mips-static");
  std::string lib_path;
  for (const auto& e : emulate::NvramEnvironment(setup, "mips"))
    if (e.starts_with("LD_LIBRARY_PATH=")) lib_path = e.substr(16);
  ASSERT_FALSE(lib_path.empty());
  const std::string run = "/usr/sbin/chroot " + Q(root) + " /.iotcop/qemu-mips-static ";
  const auto with =
      test::RunShell(run + "-E LD_LIBRARY_PATH=" + lib_path + " /usr/sbin/nvramprobe");
  EXPECT_NE(with.out.find("lan_ipaddr=192.168.7.1"), std::string::npos) << with.out << with.err;
  EXPECT_EQ(test::ReadFile(root / ".iotcop/nvram/misses"), "iotcop_corpus_missing\n");
  // The image's loader ignores LD_PRELOAD, and without the stand-in nothing answers.
  const auto preload =
      test::RunShell(run + "-E LD_PRELOAD=/.iotcop/nvram/preload-mips.so /usr/sbin/nvramprobe");
  EXPECT_NE(preload.out.find("lan_ipaddr=(none)"), std::string::npos) << preload.out;
  const auto bare = test::RunShell(run + "/usr/sbin/nvramprobe");
  EXPECT_NE(bare.out.find("lan_ipaddr=(none)"), std::string::npos) << bare.out << bare.err;
}

}  // namespace
}  // namespace iotcop
