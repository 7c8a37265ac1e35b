// The nvram of a device without the device (emulate/nvram.h): a service that reads its port with
// nvram_get() from the vendor's library gets the value of the image's own nvram defaults table
// under `assess --emulate`, what it sets reads back, the keys it missed are reported, and the
// vendor library's other functions still answer. A second test runs the stand-in shim alone (no
// LD_PRELOAD, as on a uClibc built without it) in a chroot of the same tree.
// The fixture programs are the host's (x86-64, built here with clang against a copy of glibc).
#include <gtest/gtest.h>
#include <sys/utsname.h>
#include <unistd.h>

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

constexpr const char* kNvramFixtureVendor = R"C(
/* The vendor's library: its nvram_get talks to a driver the emulation has not got. */
char *nvram_get(const char *name) { (void)name; return 0; }
int nvram_set(const char *name, const char *value) { (void)name; (void)value; return -1; }
int vendor_only(void) { return 42; }
)C";

constexpr const char* kNvramFixtureHttpd = R"C(
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
char *nvram_get(const char *name);
int nvram_set(const char *name, const char *value);
int vendor_only(void);
int main(int argc, char **argv) {
  const char *port = nvram_get("http_lanport");
  printf("port=%s\n", port ? port : "(none)");
  printf("vendor=%d\n", vendor_only());
  nvram_set("iotcop_fixture_set", "v1");
  const char *back = nvram_get("iotcop_fixture_set");
  printf("%s\n", back && strcmp(back, "v1") == 0 ? "set-ok" : "set-lost");
  nvram_get("iotcop_fixture_missing");
  fflush(stdout);
  if (!port) return 1;
  if (argc > 1 && strcmp(argv[1], "probe") == 0) return 0;
  int s = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)atoi(port));
  if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 8) != 0) return 2;
  for (;;) {
    int c = accept(s, 0, 0);
    if (c < 0) continue;
    char buf[512];
    (void)read(c, buf, sizeof buf);
    const char reply[] = "HTTP/1.0 200 OK\r\nServer: nvram-fixture\r\nContent-Length: 2\r\n\r\nok";
    (void)write(c, reply, sizeof reply - 1);
    close(c);
  }
}
)C";

// Why the fixture cannot be built or run here ("" when it can).
std::string NvramFixtureCannotRun() {
  utsname u{};
  uname(&u);
  if (std::string(u.machine) != "x86_64") return "the fixture programs are x86-64";
  if (geteuid() != 0) return "the emulation tests run as root (the CI does)";
  if (test::RunShell("command -v clang >/dev/null").exit_code != 0) return "clang is not installed";
  if (!fs::exists("/bin/busybox")) return "busybox-static is not installed";
  if (emulate::NvramShim("x86-64", false).empty() || emulate::NvramShim("x86-64", true).empty())
    return "this build has no nvram shim (clang and ld.lld build it)";
  return "";
}

constexpr const char* kNvramFixtureLib = "lib/x86_64-linux-gnu/libnvram.so";

// A root at `root`: busybox, the host's glibc, the vendor's libnvram.so, /usr/sbin/httpd
// started by rcS, and /etc/nvram.default with the port.
void NvramFixtureRoot(const fs::path& dir, const fs::path& root) {
  for (const char* d : {"bin", "lib", "lib64", "lib/x86_64-linux-gnu", "usr/sbin", "etc/init.d",
                        "tmp", "var", "proc", "dev"})
    fs::create_directories(root / d);
  fs::copy_file("/bin/busybox", root / "bin/busybox");
  fs::create_symlink("busybox", root / "bin/sh");
  for (const char* lib : {"/lib/x86_64-linux-gnu/libc.so.6"})
    fs::copy_file(lib, root / fs::path(lib).relative_path());
  fs::copy_file("/lib64/ld-linux-x86-64.so.2", root / "lib64/ld-linux-x86-64.so.2");
  test::WriteFile(dir / "vendor.c", kNvramFixtureVendor);
  test::WriteFile(dir / "httpd.c", kNvramFixtureHttpd);
  // In the loader's own search path (Debian's glibc searches the multiarch folders, not /lib).
  const auto lib = test::RunShell("clang -O1 -fPIC -shared -Wl,-soname,libnvram.so -o " +
                                  Q(root / kNvramFixtureLib) + " " + Q(dir / "vendor.c"));
  ASSERT_EQ(lib.exit_code, 0) << lib.err;
  const auto prog = test::RunShell("clang -O1 -o " + Q(root / "usr/sbin/httpd") + " " +
                                   Q(dir / "httpd.c") + " " + Q(root / kNvramFixtureLib));
  ASSERT_EQ(prog.exit_code, 0) << prog.err;
  test::WriteFile(root / "etc/nvram.default",
                  "# factory defaults\nhttp_lanport=8181\nhttp_passwd=fixture-admin\n");
  test::WriteFile(root / "etc/inittab", "::sysinit:/etc/init.d/rcS\n");
  test::WriteFile(root / "etc/init.d/rcS", "#!/bin/sh\nmount -t proc proc /proc\nhttpd &\n");
  fs::permissions(root / "etc/init.d/rcS", fs::perms::owner_all, fs::perm_options::add);
}

TEST(EmulateNvram, ServiceReadsTheImageDefaultsThroughTheVendorLibrary) {
  if (auto why = NvramFixtureCannotRun(); !why.empty()) GTEST_SKIP() << why;
  test::TempDir dir;
  ASSERT_NO_FATAL_FAILURE(NvramFixtureRoot(dir.path(), dir.path() / "root"));
  const auto r = test::RunIotcop("assess --firmware " + Q(dir.path() / "root") + " --emulate -o " +
                                 Q(dir.path() / "out") + " --format json -q --no-store");
  ASSERT_TRUE(fs::exists(dir.path() / "out" / "report.json")) << r.out << r.err;
  const json report = json::parse(test::ReadFile(dir.path() / "out" / "report.json"));
  ASSERT_TRUE(report["extras"].contains("emulation")) << r.err;
  const json& emu = report["extras"]["emulation"].begin().value();
  json httpd;
  for (const auto& f : report["facts"])
    if (f["kind"] == "emulated_service" && f["value"]["name"] == "httpd") httpd = f["value"];
  ASSERT_TRUE(httpd.is_object()) << emu.dump(1);
  // The port came from /etc/nvram.default: nothing else in the image names 8181.
  EXPECT_EQ(httpd["status"], "listening") << httpd.dump(1);
  EXPECT_EQ(httpd["tcp"], json::array({8181})) << httpd.dump(1);
  const json& nv = emu["nvram"];
  EXPECT_GE(nv["defaults"].get<int>(), 2) << nv.dump(1);
  EXPECT_EQ(nv["sources"], json::array({"/etc/nvram.default"})) << nv.dump(1);
  EXPECT_EQ(nv["interposed"], json::array({"/" + std::string(kNvramFixtureLib)})) << nv.dump(1);
  EXPECT_EQ(nv["shims"], json::array({"x86-64"}));
  EXPECT_EQ(nv["missed_keys"], json::array({"iotcop_fixture_missing"})) << nv.dump(1);
  // The live probe saw the fixture's server, marked as emulation.
  bool served = false;
  for (const auto& f : report["facts"]) {
    if (f["kind"] != "network_service" ||
        f["evidence"].value("endpoint", "").find("8181") == std::string::npos)
      continue;
    served = true;
    EXPECT_FALSE(f["evidence"].value("emulated", "").empty()) << f.dump();
  }
  EXPECT_TRUE(served) << report["facts"].dump().substr(0, 2000);
}

// The stand-in alone: the tree's /.iotcop holds what PlanNvram put there, the program runs in a
// chroot with LD_LIBRARY_PATH only. It gets the defaults from the shim and vendor_only() from the
// vendor's file loaded behind it.
TEST(EmulateNvram, StandInShimWorksWithoutPreload) {
  if (auto why = NvramFixtureCannotRun(); !why.empty()) GTEST_SKIP() << why;
  test::TempDir dir;
  const fs::path root = dir.path() / "root";
  ASSERT_NO_FATAL_FAILURE(NvramFixtureRoot(dir.path(), root));
  auto tree = unpack::Tree::FromDirectory(root);
  ASSERT_TRUE(tree) << tree.error().Describe();
  std::uint32_t r0 = 0;
  for (const auto& e : tree->entries())
    if (e.path == "/usr/sbin/httpd") r0 = e.root;
  const emulate::NvramSetup setup = emulate::PlanNvram(*tree, r0, {"x86-64"});
  ASSERT_EQ(setup.interposed, std::vector<std::string>({"/" + std::string(kNvramFixtureLib)}));
  test::WriteOwnFiles(root, setup.files);
  std::string lib_path;
  for (const auto& e : emulate::NvramEnvironment(setup, "x86-64"))
    if (e.starts_with("LD_LIBRARY_PATH=")) lib_path = e;
  ASSERT_FALSE(lib_path.empty());
  const auto run = test::RunShell("env -i " + Q(lib_path) + " /usr/sbin/chroot " + Q(root) +
                                  " /usr/sbin/httpd probe");
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("port=8181"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("vendor=42"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("set-ok"), std::string::npos) << run.out;
  EXPECT_EQ(test::ReadFile(root / ".iotcop/nvram/misses"), "iotcop_fixture_missing\n");
  // Without the shim the vendor's library answers nothing: the fixture is a real test.
  const auto bare = test::RunShell("env -i /usr/sbin/chroot " + Q(root) + " /usr/sbin/httpd probe");
  EXPECT_EQ(bare.exit_code, 1) << bare.out;
  EXPECT_NE(bare.out.find("port=(none)"), std::string::npos) << bare.out;
}

}  // namespace
}  // namespace iotcop
