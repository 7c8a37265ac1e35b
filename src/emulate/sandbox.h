// File: emulate/sandbox.h
// The namespace a firmware's services run in (docs/emulation.md): a process of iotcop's own in
// new user, mount, PID, network, UTS and IPC namespaces, whose root is a tmpfs holding a copy of
// the image's root file system (never the extracted tree itself) and, for a foreign architecture,
// the static QEMU user-mode emulator. After pivot_root the image's files are the only ones its
// programs see. The namespace's PID 1 starts the services one after the other, notes which
// listening sockets each one opened and reaps every process; killing it (Stop(), the destructor,
// or iotcop's own death through PR_SET_PDEATHSIG) kills every process of the namespace and frees
// its mounts.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "unpack/tree.h"

namespace iotcop::emulate {

// One program to start inside the namespace.
struct Launch {
  std::vector<std::string> argv;  // as the boot configuration writes it (argv[0] may be a name)
  std::string path;               // the program's absolute path inside the image
  std::string emulator;           // host path of qemu-<arch>-static; empty: run natively
  // binfmt_misc "magic:mask" of the emulator's ELF files (BinfmtMagicMask); with it, the programs a
  // service starts run under QEMU too (registered in the namespace's own binfmt_misc instance).
  std::string binfmt;
  // Set-up commands run to their end first (same runner; e.g. a host key the init script makes),
  // each {argv..., path inside the image as the last word}.
  std::vector<std::vector<std::string>> before;
  // "NAME=value" added to the service's environment (the nvram shim's LD_PRELOAD and
  // LD_LIBRARY_PATH, emulate/nvram.h); the set-up commands get them too.
  std::vector<std::string> env;
};

// A file iotcop puts into the copy's own folder (/.iotcop) for the services to use.
struct OwnFile {
  std::string path;      // relative to /.iotcop, folders made as needed ("nvram/defaults")
  std::string content;   // of a regular file
  std::string link;      // non-empty: a symbolic link to this path instead
  unsigned mode = 0644;  // of a regular file
};

struct SandboxLimits {
  std::chrono::milliseconds listen_wait{4000};   // per service: time to open its sockets
  std::chrono::milliseconds before_wait{30000};  // per set-up command (Launch::before)
  std::chrono::seconds deadline{60};             // the whole start-up, wall clock
  std::uint64_t memory_bytes = 512ull << 20;     // RLIMIT_DATA of each process
  std::uint64_t max_processes = 256;             // RLIMIT_NPROC of the namespace's user
  std::uint64_t cpu_seconds = 120;               // RLIMIT_CPU of each process
  std::uint64_t output_bytes = 4096;             // of each service's output, kept as evidence
  std::uint64_t tmpfs_extra = 64ull << 20;       // room beyond the image's files
};

// What became of one launched service.
struct LaunchResult {
  bool started = false;            // fork/exec reached (exec failures show as exit 127)
  bool exited = false;             // the process it started has ended (a daemon's fork may live)
  int exit_code = -1;              // when exited normally
  int signal = 0;                  // when killed by a signal
  std::vector<std::uint16_t> tcp;  // listening TCP ports opened after it started
  std::vector<std::uint16_t> udp;  // bound UDP ports opened after it started
  std::string output;              // the end of its stdout+stderr (bounded)
  double started_after_s = 0;      // since the namespace came up
};

// What populating the copy of the root skipped, as counts (hostile content is contained by
// leaving it out, not by trusting it).
struct RootCopy {
  std::uint64_t files = 0, dirs = 0, symlinks = 0, bytes = 0;
  std::uint64_t device_nodes_skipped = 0;  // the image's own nodes: /dev is iotcop's
  std::uint64_t setuid_cleared = 0;        // setuid/setgid bits dropped
  std::uint64_t outside_skipped = 0;       // entries whose parent resolves nowhere in the root
};

class Sandbox {
 public:
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // Copies root `root` of `tree` into the namespace's tmpfs and starts `launches` in order.
  // `work` is an empty folder of the caller's used as the mount point (inside the namespace
  // only). Returns once every service had its chance to listen, or at the deadline.
  // `files` go into /.iotcop of the copy before any service starts.
  static Result<std::unique_ptr<Sandbox>> Start(const unpack::Tree& tree, std::uint32_t root,
                                                const std::vector<Launch>& launches,
                                                const std::filesystem::path& work,
                                                const SandboxLimits& limits,
                                                const std::vector<OwnFile>& files = {});

  int init_pid() const { return init_pid_; }  // the namespace's PID 1, as the host sees it
  const RootCopy& copy() const { return copy_; }
  double startup_seconds() const { return startup_s_; }
  bool timed_out() const { return timed_out_; }
  // Why the namespace's PID 1 gave up setting up ("" when it did not).
  const std::string& error() const { return error_; }
  // Per emulator file name: "" when the namespace's binfmt_misc runs its programs' children
  // under it, else why not (then only the service's own program is emulated).
  const std::map<std::string, std::string>& binfmt() const { return binfmt_; }
  // The results so far; Refresh() first reads exits reported since.
  const std::vector<LaunchResult>& results() const { return results_; }
  void Refresh();
  // Up to `max` bytes of the copy's /.iotcop/<path> as the services left it ("" when absent or
  // the namespace is gone).
  std::string ReadOwnFile(const std::string& path, std::size_t max) const;
  // The network namespace's file, for setns(2) (opened on demand; -1 when gone).
  int OpenNetns() const;
  // Kills the namespace (every process in it) and waits for it. Idempotent.
  void Stop();

 private:
  Sandbox() = default;
  void ReadEvents(std::chrono::steady_clock::time_point until, bool until_ready);
  void ReadOutputs();

  int helper_pid_ = -1;  // the process that made the namespaces (PID 1's parent)
  int init_pid_ = -1;
  int events_fd_ = -1;
  bool timed_out_ = false;
  double startup_s_ = 0;
  std::uint64_t output_bytes_ = 4096;
  RootCopy copy_;
  std::vector<LaunchResult> results_;
  std::string pending_;  // a partial event line
  std::string error_;
  std::map<std::string, std::string> binfmt_;
};

}  // namespace iotcop::emulate
