// `iotcop assess --firmware IMG --emulate` end to end: the sample camera's boot services run
// natively (x86-64) in namespaces of iotcop's own, its telnet shell without login is found live
// and so is the default root password that Dropbear takes; a hostile root (symlinks out of the
// tree, device nodes, setuid files, a fork bomb started at boot) is contained and the other
// services still come up.
#include <gtest/gtest.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace iotcop {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using test::Q;
using test::TempDir;

// Why emulation cannot run here ("" when it can): namespaces need root or user namespaces, and
// the native runs need an x86-64 host (the sample's binaries are the host's).
std::string EmulateCannotRun() {
  utsname u{};
  uname(&u);
  if (std::string(u.machine) != "x86_64") return "the sample's programs are x86-64";
  if (geteuid() != 0) return "the emulation tests run as root (the CI does)";
  if (!fs::exists("/proc/self/ns/user")) return "no user namespaces";
  return "";
}

json EmulateAssess(const fs::path& input, const fs::path& out, std::string& log) {
  const auto r = test::RunIotcop("assess --firmware " + Q(input) + " --emulate -o " + Q(out) +
                                 " --format json -q --no-store");
  log = r.out + r.err;
  if (!fs::exists(out / "report.json")) return json();
  return json::parse(test::ReadFile(out / "report.json"));
}

// The facts of `kind` in a JSON report.
std::vector<json> EmulateFacts(const json& report, const std::string& kind) {
  std::vector<json> out;
  for (const auto& f : report.value("facts", json::array()))
    if (f.value("kind", "") == kind) out.push_back(f);
  return out;
}

const json* EmulatedService(const json& report, const std::string& name, std::vector<json>& keep) {
  keep = EmulateFacts(report, "emulated_service");
  for (const auto& f : keep)
    if (f["value"].value("name", "") == name) return &f;
  return nullptr;
}

// Builds the sample camera into dir/sample; why the test cannot run ("" when it can).
std::string EmulateSampleIn(const fs::path& dir) {
  if (auto why = EmulateCannotRun(); !why.empty()) return why;
  const auto built = test::RunShell(Q(IOTCOP_SOURCE_DIR "/scripts/make-sample-firmware.sh") + " " +
                                    Q(dir / "sample"));
  EXPECT_NE(built.exit_code, 1) << built.err;  // 2 = a package is missing: skip, not fail
  return built.exit_code == 0 ? "" : "the sample could not be built: " + built.err;
}

TEST(EmulateSample, TelnetWithoutLoginIsFoundLive) {
  TempDir dir;
  if (auto why = EmulateSampleIn(dir.path()); !why.empty()) GTEST_SKIP() << why;
  std::string log;
  const json report = EmulateAssess(dir / "sample" / "sample-camera.uimage", dir / "out", log);
  ASSERT_TRUE(report.is_object()) << log;

  std::vector<json> keep;
  const json* telnetd = EmulatedService(report, "telnetd", keep);
  ASSERT_NE(telnetd, nullptr) << log;
  EXPECT_EQ((*telnetd)["value"]["status"], "listening") << telnetd->dump();
  EXPECT_EQ((*telnetd)["value"]["runner"], "native");
  EXPECT_EQ((*telnetd)["value"]["tcp"], json::array({23}));
  EXPECT_EQ((*telnetd)["evidence"]["emulated"], "telnetd -l /bin/sh");
  // The web server and Dropbear of the same rcS came up too.
  const json* httpd = EmulatedService(report, "httpd", keep);
  ASSERT_NE(httpd, nullptr);
  EXPECT_EQ((*httpd)["value"]["tcp"], json::array({80}));

  // The live finding: telnet served on 23, its evidence marked as emulation of the rcS line.
  bool live_telnet = false;
  for (const auto& f : report["findings"]) {
    if (f.value("check", "") != "net.services.telnet") continue;
    for (const auto& e : f["evidence"]) {
      if (e.value("emulated", "") == "telnetd -l /bin/sh" && e.value("source", "") == "network" &&
          e.value("endpoint", "").find(":23/tcp") != std::string::npos)
        live_telnet = true;
    }
  }
  EXPECT_TRUE(live_telnet) << report["findings"].dump(1);
  // Without login: the telnet login probe met BusyBox's shell prompt where a login prompt
  // belongs, proved it a shell by a command it evaluated, and reports access without credentials.
  bool shell = false;
  for (const auto& f : report["findings"]) {
    if (f.value("check", "") != "net.login.default") continue;
    const json& e = f["evidence"][0];
    if (e.value("endpoint", "") == "127.0.0.1:23/tcp" &&
        f.value("title", "").find("without asking for any credential") != std::string::npos &&
        e.value("excerpt", "").find("iotcop-42") != std::string::npos)
      shell = true;
  }
  EXPECT_TRUE(shell) << report["findings"].dump(1);
  // Dropbear of the same image takes the image's default root password, live.
  bool ssh_default = false;
  for (const auto& f : report["findings"])
    if (f.value("check", "") == "net.login.default" &&
        f["evidence"][0].value("emulated", "").find("dropbear") != std::string::npos)
      ssh_default = true;
  EXPECT_TRUE(ssh_default);
  EXPECT_NE(report["extras"]["emulation"].dump().find("not from a device"), std::string::npos);
}

// Without root: the namespaces are rootless and the probes' child joins the emulation's user
// namespace before its network. iotcop and its data are copied where user nobody may read them.
TEST(EmulateSample, ProbesRunWithoutRoot) {
  TempDir dir;
  if (auto why = EmulateSampleIn(dir.path()); !why.empty()) GTEST_SKIP() << why;
  if (test::RunShell("command -v setpriv >/dev/null").exit_code != 0)
    GTEST_SKIP() << "setpriv (util-linux) is not installed";
  const std::string as_nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  if (test::RunShell(as_nobody + "unshare -Ur true").exit_code != 0)
    GTEST_SKIP() << "unprivileged user namespaces are disabled on this kernel";
  // Under /tmp: the build tree's folders may be closed to other users.
  const fs::path bin = fs::path(IOTCOP_BINARY);
  const fs::path own = fs::temp_directory_path() / ("iotcop-nobody-" + std::to_string(getpid()));
  fs::remove_all(own);
  fs::create_directories(own / "bin");
  fs::copy_file(bin, own / "bin" / "iotcop");
  fs::copy_file(dir.path() / "sample" / "sample-camera.uimage", own / "sample-camera.uimage");
  const auto copied =
      test::RunShell("cp -rL " + Q(bin.parent_path().parent_path() / "share") + " " +
                     Q(own / "share") + " && chmod -R a+rX " + Q(own) + " && chmod 1777 " + Q(own));
  ASSERT_EQ(copied.exit_code, 0) << copied.err;
  const auto r = test::RunShell("cd " + Q(own) + " && env -u CI HOME=" + Q(own) +
                                " XDG_DATA_HOME=" + Q(own / "xdg") + " " + as_nobody +
                                Q(own / "bin" / "iotcop") + " assess --firmware " +
                                Q(own / "sample-camera.uimage") + " --emulate -o " +
                                Q(own / "out") + " --format json -q --no-store");
  const std::string report_text =
      fs::exists(own / "out" / "report.json") ? test::ReadFile(own / "out" / "report.json") : "";
  fs::remove_all(own);
  ASSERT_FALSE(report_text.empty()) << r.out << r.err;
  const json report = json::parse(report_text);
  for (const auto& p : report["problems"])
    EXPECT_EQ(p.dump().find("joining the emulation"), std::string::npos) << p.dump();
  bool live_telnet = false;
  for (const auto& f : report["facts"])
    if (f.value("kind", "") == "network_service" &&
        f["evidence"].value("endpoint", "").find(":23/tcp") != std::string::npos &&
        !f["evidence"].value("emulated", "").empty())
      live_telnet = true;
  EXPECT_TRUE(live_telnet) << report["extras"]["emulation"].dump(1);
}

// `iotcop emulate` keeps the services up until it ends; when it is killed outright (as a crash
// would end it), the namespace's PID 1 and every service go with it.
TEST(EmulateSample, EveryProcessEndsWithIotcop) {
  TempDir dir;
  if (auto why = EmulateSampleIn(dir.path()); !why.empty()) GTEST_SKIP() << why;
  const std::string script =
      std::string(IOTCOP_BINARY) + " emulate " + Q(dir / "sample" / "sample-camera.uimage") +
      " -o " + Q(dir / "w") + " > " + Q(dir / "log") +
      " 2>&1 & p=$!\n"
      "for i in $(seq 150); do grep -q Ctrl-C " +
      Q(dir / "log") +
      " && break; sleep 0.2; done\n"
      "init=$(grep -o 'nsenter -t [0-9]*' " +
      Q(dir / "log") +
      " | head -1 | cut -d' ' -f3)\n"
      "echo \"init=$init\"\n"
      "[ -n \"$init\" ] && nsenter -t \"$init\" -n cat /proc/net/tcp /proc/net/tcp6 | "
      "awk '$4 == \"0A\" { n = split($2, a, \":\"); print a[n] }' | sort -u | wc -l | "
      "sed 's/^ */listening=/'\n"
      "kill -KILL $p\n"
      "for i in $(seq 50); do [ -e /proc/$init ] || break; sleep 0.1; done\n"
      "[ -e /proc/$init ] && echo still-there || echo gone\n";
  test::WriteFile(dir / "run.sh", script);
  const auto r = test::RunShell("sh " + Q(dir / "run.sh"));
  const std::string log = test::ReadFile(dir / "log");
  EXPECT_NE(log.find("listening    telnetd -l /bin/sh"), std::string::npos) << log;
  EXPECT_NE(r.out.find("listening=3"), std::string::npos) << r.out << log;
  EXPECT_NE(r.out.find("gone"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("init=\n"), std::string::npos) << r.out;
}

TEST(EmulateSample, HostileRootIsContained) {
  if (auto why = EmulateCannotRun(); !why.empty()) GTEST_SKIP() << why;
  if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "busybox-static is not installed";
  TempDir dir;
  const std::string marker = "iotcop-escape-" + std::to_string(getpid());
  const fs::path host_target = fs::temp_directory_path() / marker;
  // A tar whose entries, unpacked naively, would write to the host: /host -> /../../.. then
  // /host<tmp>/<marker>; a device node, a setuid shell, and a fork bomb started at boot after
  // telnetd.
  const std::string py = R"PY(
import io, sys, tarfile
out, bb, marker, tmp = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
t = tarfile.open(out, "w")
def add(name, kind=tarfile.REGTYPE, data=b"", mode=0o755, link="", major=0, minor=0):
    i = tarfile.TarInfo(name); i.type = kind; i.mode = mode; i.size = len(data)
    i.linkname = link; i.devmajor = major; i.devminor = minor
    t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
for d in ["bin", "sbin", "usr", "usr/sbin", "etc", "etc/init.d", "tmp", "www"]:
    add(d, tarfile.DIRTYPE)
add("bin/busybox", data=open(bb, "rb").read())
for a in ["sh", "ls", "cat", "id"]:
    add("bin/" + a, tarfile.SYMTYPE, link="busybox")
add("usr/sbin/telnetd", tarfile.SYMTYPE, link="../../bin/busybox")
add("usr/sbin/httpd", tarfile.SYMTYPE, link="../../bin/busybox")
add("usr/sbin/ftpd", data=b"#!/bin/sh\n# iotcop fork bomb\nb() { b | b & }\nb\n")
add("bin/su", data=b"#!/bin/sh\nexec /bin/sh\n", mode=0o4755)
add("dev", tarfile.DIRTYPE)
add("dev/sda", tarfile.CHRTYPE, mode=0o666, major=8, minor=0)
add("host", tarfile.SYMTYPE, link="/../../../../..")
add("host" + tmp + "/" + marker, data=b"escaped\n", mode=0o644)
add("etc/passwd", data=b"root:x:0:0:root:/:/bin/sh\n", mode=0o644)
add("www/index.html", data=b"<html>hostile</html>\n", mode=0o644)
add("etc/inittab", data=b"::sysinit:/etc/init.d/rcS\n", mode=0o644)
add("etc/init.d/rcS", data=b"#!/bin/sh\nmount -t proc proc /proc\ninsmod evil.ko\n"
    b"telnetd -l /bin/sh\nhttpd -p 8080 -h /www\nftpd -S &\n", mode=0o755)
t.close()
)PY";
  test::WriteFile(dir / "mk.py", py);
  const auto made =
      test::RunShell("python3 " + Q(dir / "mk.py") + " " + Q(dir / "hostile.tar") +
                     " /bin/busybox " + marker + " " + Q(fs::temp_directory_path().string()));
  ASSERT_EQ(made.exit_code, 0) << made.err;

  const auto t0 = std::chrono::steady_clock::now();
  std::string log;
  const json report = EmulateAssess(dir / "hostile.tar", dir / "out", log);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(report.is_object()) << log;
  EXPECT_FALSE(fs::exists(host_target)) << "an entry of the image reached the host";
  std::error_code ec;
  fs::remove(host_target, ec);

  const json& emu = report["extras"]["emulation"].begin().value();
  EXPECT_GE(emu["root_copy"]["device_nodes_skipped"].get<int>(), 1) << emu.dump(1);
  EXPECT_GE(emu["root_copy"]["setuid_cleared"].get<int>(), 1);
  std::vector<json> keep;
  const json* telnetd = EmulatedService(report, "telnetd", keep);
  ASSERT_NE(telnetd, nullptr) << log;
  EXPECT_EQ((*telnetd)["value"]["status"], "listening") << telnetd->dump();
  const json* httpd = EmulatedService(report, "httpd", keep);
  ASSERT_NE(httpd, nullptr);
  EXPECT_EQ((*httpd)["value"]["tcp"], json::array({8080}));
  // The fork bomb ran (and was held by RLIMIT_NPROC); the run still ended, and nothing of the
  // namespace outlived it.
  const json* bomb = EmulatedService(report, "ftpd", keep);
  ASSERT_NE(bomb, nullptr) << log;
  EXPECT_NE((*bomb)["value"]["status"], "skipped") << bomb->dump();
  EXPECT_NE((*bomb)["value"]["status"], "not-started") << bomb->dump();
  EXPECT_LT(took, 120.0);
  const auto left = test::RunShell("ps -eo args | grep -c '^/bin/sh /usr/sbin/ftpd' || true");
  EXPECT_EQ(left.out.substr(0, 1), "0") << left.out;
  // The live-device facts are there, each marked as emulation.
  for (const auto& f : EmulateFacts(report, "network_service"))
    EXPECT_FALSE(f["evidence"].value("emulated", "").empty()) << f.dump();
}

}  // namespace
}  // namespace iotcop
