// File: network/socket.cc
// Bounded TCP/UDP I/O for the live probes (see socket.h).
#include "network/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "protocols/address.h"

namespace iotcop::network {

RateLimiter::RateLimiter(double rate)
    : rate_(rate), burst_(std::max(1.0, rate / 10)), tokens_(burst_), last_(Clock::now()) {}

void RateLimiter::Acquire() {
  if (rate_ <= 0) return;
  std::unique_lock lock(mu_);
  for (;;) {
    const auto now = Clock::now();
    tokens_ =
        std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * rate_);
    last_ = now;
    if (tokens_ >= 1) {
      tokens_ -= 1;
      return;
    }
    const auto wait = std::chrono::duration<double>((1 - tokens_) / rate_);
    lock.unlock();
    std::this_thread::sleep_for(wait);
    lock.lock();
  }
}

TcpChannel& TcpChannel::operator=(TcpChannel&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    where_ = std::move(o.where_);
    o.fd_ = -1;
  }
  return *this;
}

TcpChannel::~TcpChannel() {
  if (fd_ >= 0) ::close(fd_);
}

int TcpChannel::Release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

namespace {

int MillisLeft(Deadline d) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(d - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

// Waits for `events` on fd until the deadline: true when ready.
bool WaitFd(int fd, short events, Deadline d) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, MillisLeft(d));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return true;  // let the read or write report the error
  }
}

}  // namespace

Status TcpChannel::Send(std::string_view data, Deadline deadline) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!WaitFd(fd_, POLLOUT, deadline))
        return MakeError(Errc::kTimeout, "send timed out", where_);
      continue;
    }
    return MakeError(Errc::kIo, fmt::format("send: {}", std::strerror(errno)), where_);
  }
  return Ok();
}

Result<std::size_t> TcpChannel::Recv(char* buf, std::size_t max, Deadline deadline) {
  for (;;) {
    const ssize_t n = ::recv(fd_, buf, max, MSG_DONTWAIT);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EAGAIN || errno == EINTR) {
      if (!WaitFd(fd_, POLLIN, deadline))
        return MakeError(Errc::kTimeout, "no answer before the timeout", where_);
      continue;
    }
    return MakeError(Errc::kIo, fmt::format("recv: {}", std::strerror(errno)), where_);
  }
}

bool ParseAddress(std::string_view text, std::uint16_t port, SocketAddress& out) {
  out = SocketAddress{};
  protocols::Address a;
  if (!protocols::ParseAddress(text, a)) return false;
  if (a.version == 4) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    std::memcpy(&v4->sin_addr, a.bytes.data(), 4);
    out.size = sizeof(sockaddr_in);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    std::memcpy(&v6->sin6_addr, a.bytes.data(), 16);
    out.size = sizeof(sockaddr_in6);
  }
  return true;
}

std::string AddressText(const sockaddr_storage& sa) {
  char text[INET6_ADDRSTRLEN] = "";
  if (sa.ss_family == AF_INET)
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&sa)->sin_addr, text, sizeof text);
  else if (sa.ss_family == AF_INET6)
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&sa)->sin6_addr, text,
                sizeof text);
  return text;
}

Result<TcpChannel> ConnectTcp(const std::string& address, std::uint16_t port, const Limits& limits,
                              RateLimiter& rate) {
  const std::string where = protocols::HostPort(address, port) + "/tcp";
  SocketAddress sa;
  if (!ParseAddress(address, port, sa))
    return MakeError(Errc::kInvalidArgument, "not a numeric IPv4 or IPv6 address", where);
  rate.Acquire();
  const int fd = ::socket(sa.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return MakeError(Errc::kIo, fmt::format("socket: {}", std::strerror(errno)), where);
  TcpChannel ch(fd, where);
  if (::connect(fd, sa.get(), sa.size) != 0) {
    if (errno != EINPROGRESS)
      return MakeError(Errc::kIo, fmt::format("connect: {}", std::strerror(errno)), where);
    if (!WaitFd(fd, POLLOUT, Clock::now() + limits.connect_timeout))
      return MakeError(Errc::kTimeout, "connect timed out", where);
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0)
      return MakeError(Errc::kIo, fmt::format("connect: {}", std::strerror(err)), where);
  }
  return ch;
}

std::string ReadResponse(Channel& ch, Deadline deadline, std::size_t max_bytes,
                         const std::function<bool(std::string_view)>& done,
                         std::chrono::milliseconds quiet) {
  std::string out;
  char buf[4096];
  while (out.size() < max_bytes) {
    Deadline d = deadline;
    if (!out.empty()) d = std::min(deadline, Clock::now() + quiet);
    auto n = ch.Recv(buf, std::min(sizeof buf, max_bytes - out.size()), d);
    if (!n || *n == 0) break;
    out.append(buf, *n);
    if (done && done(out)) break;
  }
  return out;
}

namespace {

bool SameHost(const SocketAddress& a, const SocketAddress& b) {
  if (a.family() != b.family()) return false;
  if (a.family() == AF_INET)
    return reinterpret_cast<const sockaddr_in*>(&a.storage)->sin_addr.s_addr ==
           reinterpret_cast<const sockaddr_in*>(&b.storage)->sin_addr.s_addr;
  return std::memcmp(&reinterpret_cast<const sockaddr_in6*>(&a.storage)->sin6_addr,
                     &reinterpret_cast<const sockaddr_in6*>(&b.storage)->sin6_addr,
                     sizeof(in6_addr)) == 0;
}

}  // namespace

std::string UdpExchange(const std::string& address, std::uint16_t port, std::string_view payload,
                        std::chrono::milliseconds timeout, std::size_t max_bytes, RateLimiter& rate,
                        bool any_port) {
  SocketAddress sa;
  if (!ParseAddress(address, port, sa)) return {};
  rate.Acquire();
  const int fd = ::socket(sa.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  TcpChannel guard(fd, "");  // closes fd
  const auto deadline = Clock::now() + timeout;
  std::string out(std::min<std::size_t>(max_bytes, 65536), '\0');
  if (!any_port) {
    if (::connect(fd, sa.get(), sa.size) != 0) return {};
    if (::send(fd, payload.data(), payload.size(), MSG_NOSIGNAL) < 0) return {};
    if (!WaitFd(fd, POLLIN, deadline)) return {};
    const ssize_t n = ::recv(fd, out.data(), out.size(), MSG_DONTWAIT);
    if (n <= 0) return {};  // ECONNREFUSED: ICMP port unreachable
    out.resize(static_cast<std::size_t>(n));
    return out;
  }
  if (::sendto(fd, payload.data(), payload.size(), MSG_NOSIGNAL, sa.get(), sa.size) < 0) return {};
  // Datagrams from other hosts are dropped; at most 16 of them before giving up.
  for (int i = 0; i < 16 && WaitFd(fd, POLLIN, deadline); ++i) {
    SocketAddress from;
    from.size = sizeof from.storage;
    const ssize_t n = ::recvfrom(fd, out.data(), out.size(), MSG_DONTWAIT, from.get(), &from.size);
    if (n <= 0 || !SameHost(from, sa)) continue;
    out.resize(static_cast<std::size_t>(n));
    return out;
  }
  return {};
}

std::string Printable(std::string_view bytes, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < max; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c == '\r')
      out += "\\r";
    else if (c == '\n')
      out += "\\n";
    else if (c >= 0x20 && c < 0x7f)
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  if (bytes.size() > max) out += "…";
  return out;
}

}  // namespace iotcop::network
