// File: tests/support/netns.h
// Tests that talk to real daemons run them on 127.0.0.N inside a private network namespace of the
// test's own, so that a port scan meets only the test's daemons and never the machine's services.
// Each ctest test is its own process (gtest_discover_tests), so entering the namespace in SetUp()
// scopes it to that one test.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace iotcop::test {

// unshare(CLONE_NEWNET) and bring `lo` up (127.0.0.0/8 then answers on every address). Returns ""
// on success, else why it could not (not root, no user namespaces): the caller GTEST_SKIPs with it.
// Calling it again in the same process is a no-op.
std::string EnterPrivateNetwork();

// True once a TCP connect to addr:port succeeds, polling until `timeout`.
bool WaitForTcp(const std::string& addr, std::uint16_t port,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A socket of `type` (SOCK_STREAM: with SO_REUSEADDR and listening; SOCK_DGRAM) bound to
// addr:port, for the small servers tests write themselves. -1 when it cannot be bound.
int BindLoopback(int type, const std::string& addr, std::uint16_t port);

// A real daemon started by a test: argv[0] is looked up on PATH; stdout/stderr go to `log_path`
// (kept for the failure message). The destructor kills its whole process group and reaps it.
class Daemon {
 public:
  Daemon() = default;
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;
  Daemon(Daemon&& o) noexcept;
  Daemon& operator=(Daemon&& o) noexcept;
  ~Daemon();

  // Starts the program; "" on success, else why not (the caller skips or fails with it).
  std::string Start(const std::vector<std::string>& argv, const std::string& log_path);
  bool running() const;
  int pid() const { return pid_; }
  std::string Log() const;  // what the daemon printed so far
  void Stop();

 private:
  int pid_ = -1;
  std::string log_path_;
};

}  // namespace iotcop::test
