#include "emulate/sandbox.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace iotcop::emulate {
namespace fs = std::filesystem;

namespace {

// Owners inside the namespace (0..65535) map to a range of host ids of its own when iotcop runs as
// root, so that the namespace's root is an ordinary user of the host (RLIMIT_NPROC holds, no
// capability there); one range per iotcop process, so that parallel runs count apart.
constexpr unsigned kSandboxIdCount = 65536;
const unsigned kSandboxIdBase = kSandboxIdCount * (16 + static_cast<unsigned>(getpid()) % 32000);
constexpr const char* kSandboxOwnDir = ".iotcop";  // logs and emulators, inside the copy

void SandboxWriteAll(int fd, std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

[[noreturn]] void SandboxDie(int events, std::string_view what) {
  SandboxWriteAll(events, fmt::format("error {}: {}\n", what, std::strerror(errno)));
  _exit(1);
}

// The folder holding `rel` (a path inside the root without its leading '/'), resolved as the
// image's programs would resolve it: symlinks are followed inside the root and never out of it.
int SandboxOpenParent(int rootfd, const std::string& rel, std::string& base) {
  const auto slash = rel.rfind('/');
  base = slash == std::string::npos ? rel : rel.substr(slash + 1);
  const std::string parent = slash == std::string::npos ? "." : rel.substr(0, slash);
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  return static_cast<int>(syscall(SYS_openat2, rootfd, parent.c_str(), &how, sizeof how));
}

bool SandboxCopyFile(const fs::path& from, int dirfd, const std::string& base, mode_t mode,
                     std::uint64_t& bytes) {
  const int out = openat(dirfd, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                         mode & 0777);
  if (out < 0) return false;
  bool ok = true;
  if (!from.empty()) {
    const int in = open(from.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (in >= 0) {
      for (;;) {
        const ssize_t n = sendfile(out, in, nullptr, 1 << 20);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) ok = false;
        if (n <= 0) break;
        bytes += static_cast<std::uint64_t>(n);
      }
      close(in);
    }
  }
  fchmod(out, mode & 0777);  // after writing: a read-only file is still written
  close(out);
  return ok;
}

// Copies the entries of one root into the tmpfs at `rootfd`. Device nodes, FIFOs and sockets are
// left out (iotcop provides /dev), setuid/setgid bits are dropped, and every entry is created
// through a parent resolved inside the copy, so a symlink such as /etc -> /../../host can never
// make a later entry land outside it.
RootCopy SandboxPopulate(int rootfd, const std::vector<const unpack::Entry*>& entries,
                         bool chown_ids) {
  RootCopy c;
  for (const unpack::Entry* e : entries) {
    std::string rel = e->path;
    while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
    if (rel.empty() || rel == kSandboxOwnDir || rel.starts_with(std::string(kSandboxOwnDir) + "/"))
      continue;
    if (e->type == unpack::EntryType::kCharDev || e->type == unpack::EntryType::kBlockDev ||
        e->type == unpack::EntryType::kFifo || e->type == unpack::EntryType::kSocket) {
      ++c.device_nodes_skipped;
      continue;
    }
    std::string base;
    const int dir = SandboxOpenParent(rootfd, rel, base);
    if (dir < 0) {
      ++c.outside_skipped;
      continue;
    }
    mode_t mode = e->mode & 07777;
    if (mode & (S_ISUID | S_ISGID)) {
      ++c.setuid_cleared;
      mode &= ~static_cast<mode_t>(S_ISUID | S_ISGID);
    }
    bool made = false;
    switch (e->type) {
      case unpack::EntryType::kDir:
        made = mkdirat(dir, base.c_str(), (mode & 0777) | 0700) == 0 || errno == EEXIST;
        if (made) fchmodat(dir, base.c_str(), (mode & 0777) | 0700, 0);
        c.dirs += made;
        break;
      case unpack::EntryType::kFile:
        made = SandboxCopyFile(e->disk, dir, base, mode, c.bytes);
        c.files += made;
        break;
      case unpack::EntryType::kSymlink:
        made = symlinkat(e->link_target.c_str(), dir, base.c_str()) == 0;
        c.symlinks += made;
        break;
      default:
        break;
    }
    if (made && chown_ids) {
      const unsigned uid = kSandboxIdBase + std::min<unsigned>(e->uid, kSandboxIdCount - 1);
      const unsigned gid = kSandboxIdBase + std::min<unsigned>(e->gid, kSandboxIdCount - 1);
      fchownat(dir, base.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
    }
    close(dir);
  }
  return c;
}

void SandboxMkdirs(const std::string& path, mode_t mode) {
  std::string cur;
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    cur += "/" + part;
    mkdir(cur.c_str(), mode);
  }
}

// Listening TCP ports ("0A") or bound UDP ports ("07") of /proc/net/<file> in this namespace.
std::set<std::uint16_t> SandboxPorts(const char* file, const char* state) {
  std::set<std::uint16_t> out;
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string sl, local, remote, st;
    if (!(ls >> sl >> local >> remote >> st)) continue;
    if (st != state) continue;
    const auto colon = local.rfind(':');
    if (colon == std::string::npos) continue;
    out.insert(static_cast<std::uint16_t>(std::stoul(local.substr(colon + 1), nullptr, 16)));
  }
  return out;
}

double SandboxSecondsSince(const struct timespec& t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec - t0.tv_sec) +
         static_cast<double>(t.tv_nsec - t0.tv_nsec) / 1e9;
}

std::string SandboxJoin(const std::set<std::uint16_t>& s) {
  std::string out;
  for (auto p : s) out += (out.empty() ? "" : ",") + std::to_string(p);
  return out.empty() ? "-" : out;
}

// The service process: limits, output to its log, then exec (through QEMU for a foreign
// architecture; QEMU gets no -L, so the image's root is all it can load from). `via_binfmt`: the
// namespace's binfmt_misc runs the emulator for the program, so it is executed as it is.
[[noreturn]] void SandboxExecService(const Launch& l, const std::string& path, std::size_t index,
                                     const SandboxLimits& lim, bool via_binfmt) {
  setsid();
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  const rlimit nproc{lim.max_processes, lim.max_processes};
  const rlimit cpu{lim.cpu_seconds, lim.cpu_seconds};
  const rlimit data{lim.memory_bytes, lim.memory_bytes};
  const rlimit core{0, 0};
  const rlimit fsize{64ull << 20, 64ull << 20};
  setrlimit(RLIMIT_NPROC, &nproc);
  setrlimit(RLIMIT_CPU, &cpu);
  setrlimit(RLIMIT_DATA, &data);
  setrlimit(RLIMIT_CORE, &core);
  setrlimit(RLIMIT_FSIZE, &fsize);
  const std::string log = fmt::format("/{}/log/{}", kSandboxOwnDir, index);
  const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  const int in = open("/dev/null", O_RDONLY);
  if (in >= 0) dup2(in, 0);
  if (out >= 0) {
    dup2(out, 1);
    dup2(out, 2);
  }
  syscall(SYS_close_range, 3u, ~0u, 0u);
  if (chdir("/") != 0) _exit(126);
  // Natively or through binfmt_misc: the program's path resolved against the image, argv[0] as the
  // boot script wrote it (BusyBox picks the applet by it; binfmt's P flag keeps it). Otherwise:
  // QEMU -0 NAME PATH args, NAME the guest's argv[0].
  std::vector<std::string> args;
  std::string exe = path;
  if (!l.emulator.empty() && !via_binfmt) {
    exe = fmt::format("/{}/{}", kSandboxOwnDir, fs::path(l.emulator).filename().string());
    args = {exe, "-0", l.argv.front(), path};
    args.insert(args.end(), l.argv.begin() + 1, l.argv.end());
  } else {
    args = l.argv;
  }
  std::vector<char*> argv;
  for (auto& x : args) argv.push_back(x.data());
  argv.push_back(nullptr);
  std::vector<const char*> env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", "TERM=vt100",
                                  "TZ=UTC0", "USER=root"};
  for (const auto& e : l.env) env.push_back(e.c_str());
  env.push_back(nullptr);
  execve(exe.c_str(), argv.data(), const_cast<char**>(env.data()));
  const std::string msg = fmt::format("iotcop: exec {}: {}\n", exe, std::strerror(errno));
  SandboxWriteAll(2, msg);
  _exit(127);
}

struct SandboxChildArgs {
  const std::vector<const unpack::Entry*>* entries;
  const std::vector<Launch>* launches;
  const std::vector<OwnFile>* files;
  fs::path work;
  SandboxLimits limits;
  std::uint64_t tmpfs_bytes = 0;
  std::string hostname;
  int events = -1, ack = -1;
  bool root = false;
  pid_t parent = -1;  // iotcop
};

// Registers the emulator of each foreign architecture of `launches` in a binfmt_misc instance of
// the namespace's own (Linux 6.7 and later give each user namespace its own), mounted in iotcop's
// folder of the copy and made read-only once written: the programs a service executes (telnetd's
// /bin/login, a web server's CGI, inetd's children) then run under QEMU too, and nothing of the
// host's binfmt_misc changes. Flags: P keeps argv[0], O hands QEMU the opened program, C takes
// credentials from the program, F opens the emulator now (the copy's). Reports each as
// "binfmt NAME ok" or "binfmt NAME why"; returns the emulators' file names registered.
std::set<std::string> SandboxRegisterBinfmt(const std::vector<Launch>& launches, int ev) {
  std::map<std::string, std::string> rules;  // emulator file name -> magic:mask
  for (const auto& l : launches)
    if (!l.emulator.empty() && !l.binfmt.empty())
      rules.emplace(fs::path(l.emulator).filename().string(), l.binfmt);
  std::set<std::string> registered;
  if (rules.empty()) return registered;
  const std::string dir = fmt::format("/{}/binfmt", kSandboxOwnDir);
  mkdir(dir.c_str(), 0700);
  std::string why;
  if (mount("binfmt_misc", dir.c_str(), "binfmt_misc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) !=
      0)
    why = fmt::format("mounting binfmt_misc in the namespace: {}", std::strerror(errno));
  for (const auto& [name, rule] : rules) {
    std::string err = why;
    if (err.empty()) {
      const std::string line =
          fmt::format(":iotcop-{}:M::{}:/{}/{}:POCF", name, rule, kSandboxOwnDir, name);
      const int fd = open((dir + "/register").c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0 || write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        err = fmt::format("registering it in binfmt_misc: {}", std::strerror(errno));
      if (fd >= 0) close(fd);
    }
    if (err.empty()) registered.insert(name);
    SandboxWriteAll(ev, fmt::format("binfmt {} {}\n", name, err.empty() ? "ok" : err));
  }
  if (why.empty())
    mount(nullptr, dir.c_str(), nullptr,
          MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
  return registered;
}

// PID 1 of the namespace: finish the root, pivot into it, start the services, reap.
[[noreturn]] void SandboxInit(const SandboxChildArgs& a, const fs::path& root_dir) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  const int ev = a.events;
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  // Host device nodes, cloned as detached bind mounts before the host's tree goes away.
  const char* nodes[] = {"null", "zero", "urandom", "random", "tty", "full"};
  int node_fds[6];
  for (int i = 0; i < 6; ++i)
    node_fds[i] = open_tree(AT_FDCWD, (std::string("/dev/") + nodes[i]).c_str(),
                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (chdir(root_dir.c_str()) != 0) SandboxDie(ev, "chdir to the copy");
  // The new /proc is mounted while the host's is still in this mount namespace (the kernel lets a
  // user namespace mount procfs only where one is already visible), on a real folder of the copy:
  // an image whose /proc is a symlink gets it replaced.
  struct stat pst {};
  if (lstat("proc", &pst) != 0 || !S_ISDIR(pst.st_mode)) {
    unlink("proc");
    mkdir("proc", 0555);
  }
  if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    SandboxDie(ev, "mount /proc");
  if (syscall(SYS_pivot_root, ".", ".") != 0) SandboxDie(ev, "pivot_root");
  if (umount2(".", MNT_DETACH) != 0) SandboxDie(ev, "detach the host's root");
  if (chdir("/") != 0) SandboxDie(ev, "chdir /");
  SandboxMkdirs("/dev", 0755);
  if (mount("dev", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=1m") != 0)
    SandboxDie(ev, "mount /dev");
  for (int i = 0; i < 6; ++i) {
    const std::string p = std::string("/dev/") + nodes[i];
    close(open(p.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0666));
    if (node_fds[i] >= 0) move_mount(node_fds[i], "", AT_FDCWD, p.c_str(), MOVE_MOUNT_F_EMPTY_PATH);
  }
  // The console is /dev/null: nothing reaches the host's console.
  close(open("/dev/console", O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
  if (node_fds[0] >= 0) {
    const int again = open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (again >= 0) move_mount(again, "", AT_FDCWD, "/dev/console", MOVE_MOUNT_F_EMPTY_PATH);
  }
  SandboxMkdirs("/dev/pts", 0755);
  SandboxMkdirs("/dev/shm", 01777);
  if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
            "newinstance,ptmxmode=0666,mode=0620") == 0)
    symlink("pts/ptmx", "/dev/ptmx");
  symlink("/proc/self/fd", "/dev/fd");
  symlink("/proc/self/fd/0", "/dev/stdin");
  symlink("/proc/self/fd/1", "/dev/stdout");
  symlink("/proc/self/fd/2", "/dev/stderr");
  for (const char* d : {"/tmp", "/var/run", "/var/lock", "/var/log", "/var/state", "/var/etc"})
    SandboxMkdirs(d, 0755);
  chmod("/tmp", 01777);
  if (access("/etc/TZ", F_OK) != 0) {
    const int tz = open("/etc/TZ", O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (tz >= 0) {
      SandboxWriteAll(tz, "UTC0\n");
      close(tz);
    }
  }
  // Loopback up (127.0.0.0/8 answers on it).
  const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s >= 0) {
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
      ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
      ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    close(s);
  }
  if (!a.hostname.empty()) sethostname(a.hostname.data(), a.hostname.size());
  const std::set<std::string> binfmt = SandboxRegisterBinfmt(*a.launches, ev);
  auto via_binfmt = [&binfmt](const Launch& l) {
    return !l.emulator.empty() && binfmt.contains(fs::path(l.emulator).filename().string());
  };
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);

  std::map<pid_t, std::size_t> tracked;
  auto reap = [&](int flags) {
    int st = 0;
    pid_t p;
    while ((p = waitpid(-1, &st, flags)) > 0) {
      auto it = tracked.find(p);
      if (it != tracked.end()) {
        SandboxWriteAll(
            ev, fmt::format("exit {} {} {}\n", it->second, WIFEXITED(st) ? WEXITSTATUS(st) : -1,
                            WIFSIGNALED(st) ? WTERMSIG(st) : 0));
        tracked.erase(it);
      }
      if (flags == 0) break;
    }
    return p;
  };
  std::set<std::uint16_t> tcp_before = SandboxPorts("/proc/net/tcp", "0A");
  for (auto p : SandboxPorts("/proc/net/tcp6", "0A")) tcp_before.insert(p);
  std::set<std::uint16_t> udp_before = SandboxPorts("/proc/net/udp", "07");
  for (auto p : SandboxPorts("/proc/net/udp6", "07")) udp_before.insert(p);
  const auto& launches = *a.launches;
  for (std::size_t i = 0; i < launches.size(); ++i) {
    if (SandboxSecondsSince(t0) > static_cast<double>(a.limits.deadline.count())) break;
    // Set-up commands first, each to its end (killed at before_wait).
    for (const auto& b : launches[i].before) {
      Launch setup;
      setup.argv.assign(b.begin(), b.end() - 1);
      setup.emulator = launches[i].emulator;
      setup.env = launches[i].env;
      const pid_t bp = fork();
      if (bp == 0) SandboxExecService(setup, b.back(), i, a.limits, via_binfmt(launches[i]));
      const double b0 = SandboxSecondsSince(t0);
      int st = 0;
      while (bp > 0 && waitpid(bp, &st, WNOHANG) == 0) {
        if (SandboxSecondsSince(t0) - b0 >
            static_cast<double>(a.limits.before_wait.count()) / 1000) {
          kill(bp, SIGKILL);
          waitpid(bp, &st, 0);
          break;
        }
        usleep(50 * 1000);
      }
    }
    const pid_t pid = fork();
    if (pid == 0)
      SandboxExecService(launches[i], launches[i].path, i, a.limits, via_binfmt(launches[i]));
    if (pid < 0) {
      SandboxWriteAll(ev, fmt::format("exit {} -1 0\n", i));
      continue;
    }
    tracked[pid] = i;
    SandboxWriteAll(ev, fmt::format("start {} {:.3f}\n", i, SandboxSecondsSince(t0)));
    // Wait until the service's sockets appear (then a short settle for its other ones), its
    // process fails, or the wait ends. New sockets are the ones this service opened.
    const double limit_s = static_cast<double>(a.limits.listen_wait.count()) / 1000.0;
    const double begin = SandboxSecondsSince(t0);
    double first_new = -1;
    bool failed = false;
    std::set<std::uint16_t> tcp_now, udp_now;
    while (SandboxSecondsSince(t0) - begin < limit_s) {
      usleep(50 * 1000);
      int st = 0;
      const pid_t r = waitpid(pid, &st, WNOHANG);
      if (r == pid) {
        SandboxWriteAll(ev, fmt::format("exit {} {} {}\n", i, WIFEXITED(st) ? WEXITSTATUS(st) : -1,
                                        WIFSIGNALED(st) ? WTERMSIG(st) : 0));
        tracked.erase(pid);
        failed = !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
      }
      reap(WNOHANG);
      tcp_now = SandboxPorts("/proc/net/tcp", "0A");
      for (auto p : SandboxPorts("/proc/net/tcp6", "0A")) tcp_now.insert(p);
      udp_now = SandboxPorts("/proc/net/udp", "07");
      for (auto p : SandboxPorts("/proc/net/udp6", "07")) udp_now.insert(p);
      const bool any_new = tcp_now != tcp_before || udp_now != udp_before;
      if (any_new && first_new < 0) first_new = SandboxSecondsSince(t0);
      if (first_new >= 0 && SandboxSecondsSince(t0) - first_new > 0.4) break;
      if (failed && !any_new) break;
    }
    std::set<std::uint16_t> tcp_new, udp_new;
    for (auto p : tcp_now)
      if (!tcp_before.contains(p)) tcp_new.insert(p);
    for (auto p : udp_now)
      if (!udp_before.contains(p)) udp_new.insert(p);
    SandboxWriteAll(
        ev, fmt::format("listen {} {} {}\n", i, SandboxJoin(tcp_new), SandboxJoin(udp_new)));
    for (auto p : tcp_new) tcp_before.insert(p);
    for (auto p : udp_new) udp_before.insert(p);
  }
  SandboxWriteAll(ev, fmt::format("ready {:.3f}\n", SandboxSecondsSince(t0)));
  for (;;) {
    if (reap(0) < 0 && errno == ECHILD) pause();
  }
}

// Writes `files` under /.iotcop of the copy (folders 0755, owned by the namespace's root as root).
void SandboxWriteOwnFiles(int rootfd, const std::vector<OwnFile>& files, bool root, int ev) {
  const int own = openat(rootfd, kSandboxOwnDir, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (own < 0) SandboxDie(ev, "open the copy's own folder");
  for (const OwnFile& f : files) {
    if (f.path.empty() || f.path.front() == '/' || f.path.find("..") != std::string::npos) continue;
    std::string dir;
    for (std::size_t slash = f.path.find('/'); slash != std::string::npos;
         slash = f.path.find('/', slash + 1)) {
      dir = f.path.substr(0, slash);
      mkdirat(own, dir.c_str(), 0755);
      if (root) fchownat(own, dir.c_str(), kSandboxIdBase, kSandboxIdBase, AT_SYMLINK_NOFOLLOW);
    }
    bool ok;
    if (!f.link.empty()) {
      ok = symlinkat(f.link.c_str(), own, f.path.c_str()) == 0;
    } else {
      const int fd = openat(own, f.path.c_str(),
                            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, f.mode & 0777);
      ok = fd >= 0 &&
           write(fd, f.content.data(), f.content.size()) == static_cast<ssize_t>(f.content.size());
      if (fd >= 0) {
        fchmod(fd, f.mode & 0777);  // not narrowed by the umask
        close(fd);
      }
    }
    if (!ok) SandboxDie(ev, "write /" + std::string(kSandboxOwnDir) + "/" + f.path);
    if (root) fchownat(own, f.path.c_str(), kSandboxIdBase, kSandboxIdBase, AT_SYMLINK_NOFOLLOW);
  }
  close(own);
}

// The helper: makes the namespaces, fills the copy of the root, forks PID 1 and waits for it.
[[noreturn]] void SandboxHelper(const SandboxChildArgs& a) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != a.parent) _exit(1);
  const int ev = a.events;
  auto wait_for_map = [&] {
    SandboxWriteAll(ev, "map\n");
    char c = 0;
    if (read(a.ack, &c, 1) != 1 || c != '1') SandboxDie(ev, "user namespace maps");
    if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) SandboxDie(ev, "become root inside");
    if (a.root) setgroups(0, nullptr);
    // A change of credentials clears the parent-death signal: set it again, and give up if
    // iotcop is already gone.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != a.parent) _exit(1);
  };
  if (!a.root) {
    if (unshare(CLONE_NEWUSER) != 0) SandboxDie(ev, "unshare user namespace");
    wait_for_map();
  }
  if (unshare(CLONE_NEWNS) != 0) SandboxDie(ev, "unshare mount namespace");
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    SandboxDie(ev, "make mounts private");
  const std::string opts = fmt::format("size={},mode=0755", a.tmpfs_bytes);
  if (mount("iotcop-emulate", a.work.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0)
    SandboxDie(ev, "mount the tmpfs");
  const int rootfd = open(a.work.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) SandboxDie(ev, "open the copy");
  // Traversable by every user of the image (a service that drops root still loads the nvram shim);
  // the logs in it stay the namespace root's alone.
  mkdirat(rootfd, kSandboxOwnDir, 0711);
  mkdirat(rootfd, (std::string(kSandboxOwnDir) + "/log").c_str(), 0700);
  const RootCopy c = SandboxPopulate(rootfd, *a.entries, a.root);
  std::set<std::string> emulators;
  for (const auto& l : *a.launches)
    if (!l.emulator.empty()) emulators.insert(l.emulator);
  std::uint64_t ignored = 0;
  for (const auto& e : emulators) {
    const int own = openat(rootfd, kSandboxOwnDir, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (own < 0 || !SandboxCopyFile(e, own, fs::path(e).filename().string(), 0755, ignored))
      SandboxDie(ev, "copy the emulator " + e);
    close(own);
  }
  SandboxWriteOwnFiles(rootfd, *a.files, a.root, ev);
  if (a.root) {
    const std::string own = (a.work / kSandboxOwnDir).string();
    for (const std::string& p : {own, own + "/log"})
      chown(p.c_str(), kSandboxIdBase, kSandboxIdBase);
    chown(a.work.c_str(), kSandboxIdBase, kSandboxIdBase);
  }
  close(rootfd);
  SandboxWriteAll(ev,
                  fmt::format("copy {} {} {} {} {} {} {}\n", c.files, c.dirs, c.symlinks, c.bytes,
                              c.device_nodes_skipped, c.setuid_cleared, c.outside_skipped));
  // As root, the copy moves to /tmp of this mount namespace (the host's /tmp is hidden here only):
  // the caller's folders may be closed to the namespace's ids, /tmp's path is not.
  fs::path root_dir = a.work;
  if (a.root) {
    if (mount(a.work.c_str(), "/tmp", nullptr, MS_MOVE, nullptr) != 0)
      SandboxDie(ev, "move the copy to /tmp");
    root_dir = "/tmp";
  }
  int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC;
  if (a.root) flags |= CLONE_NEWUSER;
  if (unshare(flags) != 0) SandboxDie(ev, "unshare namespaces");
  if (a.root) {
    wait_for_map();
    // A mount copied into a less privileged namespace is locked; a bind of it onto itself is
    // not, and pivot_root needs that.
    if (mount(root_dir.c_str(), root_dir.c_str(), nullptr, MS_BIND, nullptr) != 0)
      SandboxDie(ev, "bind the copy");
  }
  const pid_t init = fork();
  if (init < 0) SandboxDie(ev, "fork the namespace's init");
  if (init == 0) SandboxInit(a, root_dir);
  SandboxWriteAll(ev, fmt::format("init {}\n", init));
  int st = 0;
  while (waitpid(init, &st, 0) < 0 && errno == EINTR) {
  }
  _exit(0);
}

bool SandboxWriteFile(const std::string& path, const std::string& text) {
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

}  // namespace

Result<std::unique_ptr<Sandbox>> Sandbox::Start(const unpack::Tree& tree, std::uint32_t root,
                                                const std::vector<Launch>& launches,
                                                const fs::path& work, const SandboxLimits& limits,
                                                const std::vector<OwnFile>& files) {
  std::unique_ptr<Sandbox> sb(new Sandbox());
  sb->output_bytes_ = limits.output_bytes;
  sb->results_.resize(launches.size());
  std::vector<const unpack::Entry*> entries;
  std::uint64_t bytes = 0;
  for (const auto& e : tree.entries()) {
    if (e.root != root) continue;
    entries.push_back(&e);
    if (e.type == unpack::EntryType::kFile) bytes += e.size;
  }
  // Parents before children.
  std::sort(entries.begin(), entries.end(), [](const unpack::Entry* x, const unpack::Entry* y) {
    const auto dx = std::count(x->path.begin(), x->path.end(), '/');
    const auto dy = std::count(y->path.begin(), y->path.end(), '/');
    return dx != dy ? dx < dy : x->path < y->path;
  });
  for (const auto& l : launches) {
    if (!l.emulator.empty()) bytes += fs::file_size(l.emulator);
  }
  for (const auto& f : files) bytes += f.content.size() + 4096;
  std::string hostname = "iotcop-emulated";
  for (const char* p : {"/etc/hostname", "/proc/sys/kernel/hostname"}) {
    if (const unpack::Entry* h = tree.Find(root, p)) {
      if (auto text = tree.Read(*h, 256); text && !text->empty()) {
        std::string name = text->substr(0, text->find_first_of("\r\n \t"));
        if (!name.empty() && name.size() < 64) hostname = name;
        break;
      }
    }
  }
  int evp[2], ackp[2];
  if (pipe2(evp, O_CLOEXEC) != 0 || pipe2(ackp, O_CLOEXEC) != 0)
    return MakeError(Errc::kIo, fmt::format("emulate: pipe: {}", std::strerror(errno)));
  std::error_code ec;
  fs::create_directories(work, ec);
  SandboxChildArgs args{&entries,           &launches, &files,
                        fs::absolute(work), limits,    bytes + bytes / 4 + limits.tmpfs_extra,
                        hostname,           evp[1],    ackp[0],
                        geteuid() == 0,     getpid()};
  const pid_t helper = fork();
  if (helper < 0)
    return MakeError(Errc::kIo, fmt::format("emulate: fork: {}", std::strerror(errno)));
  if (helper == 0) {
    close(evp[0]);
    close(ackp[1]);
    SandboxHelper(args);
  }
  close(evp[1]);
  close(ackp[0]);
  sb->helper_pid_ = helper;
  sb->events_fd_ = evp[0];
  const int ack = ackp[1];
  const auto start = std::chrono::steady_clock::now();
  const auto until = start + limits.deadline;
  // The first events: the request for the id maps, the copy's counts, PID 1's pid.
  std::string error;
  while (sb->init_pid_ < 0 && error.empty()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      error = "the namespace did not come up before the deadline";
      break;
    }
    pollfd p{sb->events_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    const ssize_t n = read(sb->events_fd_, buf, sizeof buf);
    if (n <= 0) {
      error = "the namespace's helper ended before it came up";
      break;
    }
    sb->pending_.append(buf, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = sb->pending_.find('\n')) != std::string::npos && sb->init_pid_ < 0) {
      const std::string line = sb->pending_.substr(0, nl);
      sb->pending_.erase(0, nl + 1);
      std::istringstream ls(line);
      std::string word;
      ls >> word;
      if (word == "map") {
        const std::string proc = fmt::format("/proc/{}/", helper);
        bool ok;
        if (args.root) {
          const std::string map = fmt::format("0 {} {}\n", kSandboxIdBase, kSandboxIdCount);
          ok = SandboxWriteFile(proc + "uid_map", map) && SandboxWriteFile(proc + "gid_map", map);
        } else {
          ok = SandboxWriteFile(proc + "setgroups", "deny") &&
               SandboxWriteFile(proc + "uid_map", fmt::format("0 {} 1\n", geteuid())) &&
               SandboxWriteFile(proc + "gid_map", fmt::format("0 {} 1\n", getegid()));
        }
        const char c = ok ? '1' : '0';
        if (write(ack, &c, 1) != 1) ok = false;
        if (!ok)
          error = fmt::format("writing the user namespace's id maps: {}", std::strerror(errno));
      } else if (word == "copy") {
        RootCopy& c = sb->copy_;
        ls >> c.files >> c.dirs >> c.symlinks >> c.bytes >> c.device_nodes_skipped >>
            c.setuid_cleared >> c.outside_skipped;
      } else if (word == "init") {
        ls >> sb->init_pid_;
      } else if (word == "error") {
        error = line.substr(6);
      }
    }
  }
  close(ack);
  if (!error.empty()) {
    sb->Stop();
    return MakeError(Errc::kIo, "emulate: " + error);
  }
  sb->ReadEvents(until, true);
  sb->startup_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sb->ReadOutputs();
  return sb;
}

void Sandbox::ReadEvents(std::chrono::steady_clock::time_point until, bool until_ready) {
  bool ready = false;
  while (events_fd_ >= 0 && !ready) {
    // Lines already read first.
    std::size_t nl;
    while ((nl = pending_.find('\n')) != std::string::npos) {
      const std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      std::istringstream ls(line);
      std::string word;
      std::size_t i = 0;
      ls >> word;
      if (word == "ready") {
        ready = true;
        continue;
      }
      if (word == "error") {
        error_ = line.substr(6);
        continue;
      }
      if (word == "binfmt") {
        std::string name, why;
        ls >> name;
        std::getline(ls >> std::ws, why);
        binfmt_[name] = why == "ok" ? "" : why;
        continue;
      }
      if (!(ls >> i) || i >= results_.size()) continue;
      LaunchResult& r = results_[i];
      if (word == "start") {
        r.started = true;
        ls >> r.started_after_s;
      } else if (word == "exit") {
        r.exited = true;
        ls >> r.exit_code >> r.signal;
      } else if (word == "listen") {
        std::string tcp, udp;
        ls >> tcp >> udp;
        for (auto [text, out] : {std::pair{tcp, &r.tcp}, std::pair{udp, &r.udp}}) {
          std::stringstream ps(text);
          std::string p;
          while (std::getline(ps, p, ','))
            if (!p.empty() && p != "-") out->push_back(static_cast<std::uint16_t>(std::stoul(p)));
        }
      }
    }
    if (ready) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out_ = until_ready;
      return;
    }
    pollfd p{events_fd_, POLLIN, 0};
    const int pr = poll(&p, 1, until_ready ? static_cast<int>(left.count()) : 0);
    if (pr <= 0) {
      if (!until_ready) return;
      continue;
    }
    char buf[4096];
    const ssize_t n = read(events_fd_, buf, sizeof buf);
    if (n <= 0) {
      close(events_fd_);
      events_fd_ = -1;
      return;
    }
    pending_.append(buf, static_cast<std::size_t>(n));
  }
}

void Sandbox::ReadOutputs() {
  if (init_pid_ < 0) return;
  for (std::size_t i = 0; i < results_.size(); ++i) {
    const std::string path = fmt::format("/proc/{}/root/{}/log/{}", init_pid_, kSandboxOwnDir, i);
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;
    struct stat st {};
    fstat(fd, &st);
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const std::uint64_t from = size > output_bytes_ ? size - output_bytes_ : 0;
    std::string text(static_cast<std::size_t>(size - from), '\0');
    const ssize_t n = pread(fd, text.data(), text.size(), static_cast<off_t>(from));
    text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    close(fd);
    results_[i].output = std::move(text);
  }
}

std::string Sandbox::ReadOwnFile(const std::string& path, std::size_t max) const {
  if (init_pid_ < 0 || path.find("..") != std::string::npos) return "";
  const std::string full = fmt::format("/proc/{}/root/{}/{}", init_pid_, kSandboxOwnDir, path);
  const int fd = open(full.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return "";
  std::string text(max, '\0');
  std::size_t got = 0;
  while (got < max) {
    const ssize_t n = read(fd, text.data() + got, max - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  close(fd);
  text.resize(got);
  return text;
}

void Sandbox::Refresh() {
  ReadEvents(std::chrono::steady_clock::now(), false);
  ReadOutputs();
}

int Sandbox::OpenNetns() const {
  if (init_pid_ < 0) return -1;
  return open(fmt::format("/proc/{}/ns/net", init_pid_).c_str(), O_RDONLY | O_CLOEXEC);
}

void Sandbox::Stop() {
  if (init_pid_ > 0) kill(init_pid_, SIGKILL);
  if (helper_pid_ > 0) {
    kill(helper_pid_, SIGKILL);
    int st = 0;
    while (waitpid(helper_pid_, &st, 0) < 0 && errno == EINTR) {
    }
  }
  init_pid_ = helper_pid_ = -1;
  if (events_fd_ >= 0) close(events_fd_);
  events_fd_ = -1;
}

Sandbox::~Sandbox() { Stop(); }

}  // namespace iotcop::emulate
