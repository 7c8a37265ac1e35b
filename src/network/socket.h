// File: network/socket.h
// Bounded TCP and UDP exchanges with a live device: every connect has a timeout, every read a
// deadline and a byte cap, and every new connection takes a token from the one rate limiter, so a
// device is never flooded and a hostile peer (tarpit, endless banner) never holds us.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include <sys/socket.h>

#include "core/result.h"
#include "network/endpoint.h"

namespace iotcop::network {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

// Token bucket shared by every probe of one assessment: at most `rate` new connections per
// second (bursts of up to `rate`/10, at least 1). rate <= 0: unlimited. Thread-safe.
class RateLimiter {
 public:
  explicit RateLimiter(double rate);
  void Acquire();  // blocks until a token is free

 private:
  std::mutex mu_;
  double rate_, burst_, tokens_;
  Clock::time_point last_;
};

// A byte stream to a device: plain TCP or TLS (network/tls.h).
class Channel {
 public:
  virtual ~Channel() = default;
  virtual Status Send(std::string_view data, Deadline deadline) = 0;
  // Up to `max` bytes; 0 = the peer closed; kTimeout at the deadline.
  virtual Result<std::size_t> Recv(char* buf, std::size_t max, Deadline deadline) = 0;
};

class TcpChannel : public Channel {
 public:
  TcpChannel() = default;
  explicit TcpChannel(int fd, std::string where) : fd_(fd), where_(std::move(where)) {}
  TcpChannel(TcpChannel&& o) noexcept : fd_(o.fd_), where_(std::move(o.where_)) { o.fd_ = -1; }
  TcpChannel& operator=(TcpChannel&& o) noexcept;
  ~TcpChannel() override;
  int fd() const { return fd_; }
  int Release();  // gives up the descriptor
  Status Send(std::string_view data, Deadline deadline) override;
  Result<std::size_t> Recv(char* buf, std::size_t max, Deadline deadline) override;

 private:
  int fd_ = -1;
  std::string where_;
};

// A numeric IPv4 or IPv6 address (no brackets) with a port, as a socket address.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t size = 0;
  int family() const { return storage.ss_family; }
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};
// False when `text` is neither a dotted quad nor an IPv6 address (protocols::ParseAddress reads
// it; protocols/address.h also writes addresses: UrlHost, HostPort).
bool ParseAddress(std::string_view text, std::uint16_t port, SocketAddress& out);
// The numeric text of an IPv4 or IPv6 socket address ("192.0.2.1", "2001:db8::1"; no port), ""
// for another family.
std::string AddressText(const sockaddr_storage& sa);

// Connects within limits.connect_timeout (after a token from `rate`).
Result<TcpChannel> ConnectTcp(const std::string& address, std::uint16_t port, const Limits& limits,
                              RateLimiter& rate);

// Reads until `done(text so far)` is true, the peer closes, `max_bytes`, or the deadline; once
// some data arrived, also stops after `quiet` without more. Never fails: what arrived is returned
// (timeouts and resets end the read).
std::string ReadResponse(Channel& ch, Deadline deadline, std::size_t max_bytes,
                         const std::function<bool(std::string_view)>& done = {},
                         std::chrono::milliseconds quiet = std::chrono::milliseconds(300));

// One UDP request and the first answer (empty if none before the timeout or the port is closed).
// `any_port`: accept the answer from any port of `address` (TFTP answers from a new port, its
// transfer ID), at the price of not seeing a closed port's ICMP error (it then times out).
std::string UdpExchange(const std::string& address, std::uint16_t port, std::string_view payload,
                        std::chrono::milliseconds timeout, std::size_t max_bytes, RateLimiter& rate,
                        bool any_port = false);

// Bytes shown to people: printable ASCII kept, the rest as \xNN; cut to `max` bytes of input.
std::string Printable(std::string_view bytes, std::size_t max = 160);

}  // namespace iotcop::network
