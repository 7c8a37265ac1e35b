// File: network/client.h
// A bounded client connection to a live service, for the login and robustness probes: connect
// with a timeout, paced by Limits::rate, reads that stop at a deadline or Limits::max_bytes, and
// optional TLS (no verification: we probe the device, we do not trust it).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "network/endpoint.h"

namespace iotcop::network {

// What one read brought: the bytes, and why it stopped.
struct Received {
  std::string data;
  bool closed = false;     // the peer closed (or reset) the connection
  bool timed_out = false;  // the deadline passed before `done` said enough
  bool capped = false;     // Limits::max_bytes reached
};

class Connection {
 public:
  // TCP (or UDP, `udp`) to address:port within limits.connect_timeout; TLS on top when `tls`.
  // Errors name "address:port/proto".
  static Result<Connection> Open(const std::string& address, std::uint16_t port,
                                 const Limits& limits, bool tls = false, bool udp = false);
  static Result<Connection> Open(const Endpoint& e, const Limits& limits) {
    return Open(e.address, e.port, limits, e.tls, e.transport == "udp");
  }

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  Status Send(std::string_view data);
  // Reads until done(all bytes so far) is true, the peer closes, `timeout` passes or the byte cap.
  Received ReadUntil(const std::function<bool(std::string_view)>& done,
                     std::chrono::milliseconds timeout);
  // Reads whatever arrives within `timeout` (until close or cap).
  Received ReadFor(std::chrono::milliseconds timeout) {
    return ReadUntil([](std::string_view) { return false; }, timeout);
  }
  const std::string& locator() const { return locator_; }
  void Close();

 private:
  Connection() = default;
  struct Tls;
  int fd_ = -1;
  std::unique_ptr<Tls> tls_;
  std::size_t total_ = 0;
  std::size_t cap_ = 0;
  std::string locator_;
};

// Waits as needed so that connections opened through here (all probes of the process together)
// stay within `rate` per second.
void PaceConnections(double rate);

}  // namespace iotcop::network
