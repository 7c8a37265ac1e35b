// File: network/client.cc
// Bounded connections for the probes: non-blocking connect with poll(), reads with a deadline and
// a byte cap, optional TLS through OpenSSL memory-less BIO on the socket.
#include "network/client.h"
#include "network/socket.h"
#include "protocols/address.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include <fmt/format.h>

namespace iotcop::network {

using Clock = std::chrono::steady_clock;

struct Connection::Tls {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  ~Tls() {
    if (ssl) SSL_free(ssl);
    if (ctx) SSL_CTX_free(ctx);
  }
};

void PaceConnections(double rate) {
  if (rate <= 0) return;
  static std::mutex mu;
  static Clock::time_point next = Clock::now();
  const auto gap =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
  Clock::time_point at;
  {
    std::lock_guard<std::mutex> lock(mu);
    const auto now = Clock::now();
    if (next < now) next = now;
    at = next;
    next += gap;
  }
  std::this_thread::sleep_until(at);
}

namespace {

int Remaining(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// Waits for `events` on fd until the deadline: >0 ready, 0 timeout, <0 error.
int WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, Remaining(deadline));
    if (r < 0 && errno == EINTR) continue;
    return r;
  }
}

}  // namespace

Result<Connection> Connection::Open(const std::string& address, std::uint16_t port,
                                    const Limits& limits, bool tls, bool udp) {
  const std::string where = protocols::HostPort(address, port) + (udp ? "/udp" : "/tcp");
  SocketAddress sa;
  if (!ParseAddress(address, port, sa))
    return MakeError(Errc::kInvalidArgument, "not a numeric address", where);
  const int family = sa.family();
  PaceConnections(limits.rate);
  Connection c;
  c.locator_ = where;
  c.cap_ = limits.max_bytes;
  c.fd_ = ::socket(family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd_ < 0) return MakeError(Errc::kIo, std::string("socket: ") + std::strerror(errno), where);
  const auto deadline = Clock::now() + limits.connect_timeout;
  if (::connect(c.fd_, sa.get(), sa.size) != 0) {
    if (errno != EINPROGRESS)
      return MakeError(Errc::kIo, std::string("connect: ") + std::strerror(errno), where);
    const int r = WaitFor(c.fd_, POLLOUT, deadline);
    if (r == 0) return MakeError(Errc::kTimeout, "connect timed out", where);
    int err = 0;
    socklen_t el = sizeof(err);
    ::getsockopt(c.fd_, SOL_SOCKET, SO_ERROR, &err, &el);
    if (r < 0 || err != 0)
      return MakeError(Errc::kIo, std::string("connect: ") + std::strerror(err ? err : errno),
                       where);
  }
  if (!udp) {
    const int one = 1;
    ::setsockopt(c.fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  if (tls) {
    c.tls_ = std::make_unique<Tls>();
    c.tls_->ctx = SSL_CTX_new(TLS_client_method());
    if (!c.tls_->ctx) return MakeError(Errc::kInternal, "SSL_CTX_new failed", where);
    SSL_CTX_set_verify(c.tls_->ctx, SSL_VERIFY_NONE, nullptr);
    c.tls_->ssl = SSL_new(c.tls_->ctx);
    SSL_set_fd(c.tls_->ssl, c.fd_);
    if (address.find(':') == std::string::npos)
      SSL_set_tlsext_host_name(c.tls_->ssl, address.c_str());
    const auto hs_deadline = Clock::now() + limits.io_timeout;
    for (;;) {
      const int r = SSL_connect(c.tls_->ssl);
      if (r == 1) break;
      const int e = SSL_get_error(c.tls_->ssl, r);
      short ev = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
      if (ev == 0) {
        ERR_clear_error();
        return MakeError(Errc::kIo, "TLS handshake failed", where);
      }
      if (WaitFor(c.fd_, ev, hs_deadline) <= 0)
        return MakeError(Errc::kTimeout, "TLS handshake timed out", where);
    }
  }
  return c;
}

Connection::Connection(Connection&& o) noexcept
    : fd_(o.fd_),
      tls_(std::move(o.tls_)),
      total_(o.total_),
      cap_(o.cap_),
      locator_(std::move(o.locator_)) {
  o.fd_ = -1;
}

Connection& Connection::operator=(Connection&& o) noexcept {
  if (this != &o) {
    Close();
    fd_ = o.fd_;
    o.fd_ = -1;
    tls_ = std::move(o.tls_);
    total_ = o.total_;
    cap_ = o.cap_;
    locator_ = std::move(o.locator_);
  }
  return *this;
}

Connection::~Connection() { Close(); }

void Connection::Close() {
  tls_.reset();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status Connection::Send(std::string_view data) {
  if (fd_ < 0) return MakeError(Errc::kIo, "connection closed", locator_);
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (!data.empty()) {
    ssize_t n;
    int want = POLLOUT;
    if (tls_) {
      const int r = SSL_write(tls_->ssl, data.data(), static_cast<int>(data.size()));
      if (r > 0) {
        n = r;
      } else {
        const int e = SSL_get_error(tls_->ssl, r);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
          ERR_clear_error();
          return MakeError(Errc::kIo, "TLS write failed", locator_);
        }
        want = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
        n = -1;
        errno = EAGAIN;
      }
    } else {
      n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    }
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (WaitFor(fd_, static_cast<short>(want), deadline) <= 0)
        return MakeError(Errc::kTimeout, "send timed out", locator_);
      continue;
    }
    return MakeError(Errc::kIo, std::string("send: ") + std::strerror(errno), locator_);
  }
  return Ok();
}

Received Connection::ReadUntil(const std::function<bool(std::string_view)>& done,
                               std::chrono::milliseconds timeout) {
  Received r;
  if (fd_ < 0) {
    r.closed = true;
    return r;
  }
  const auto deadline = Clock::now() + timeout;
  char buf[4096];
  while (!done(r.data)) {
    if (total_ >= cap_) {
      r.capped = true;
      break;
    }
    const std::size_t want = std::min(sizeof(buf), cap_ - total_);
    ssize_t n;
    if (tls_) {
      const int k = SSL_read(tls_->ssl, buf, static_cast<int>(want));
      if (k > 0) {
        n = k;
      } else {
        const int e = SSL_get_error(tls_->ssl, k);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
          if (WaitFor(fd_, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline) <= 0) {
            r.timed_out = true;
            break;
          }
          continue;
        }
        ERR_clear_error();
        r.closed = true;
        break;
      }
    } else {
      n = ::recv(fd_, buf, want, 0);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        if (WaitFor(fd_, POLLIN, deadline) <= 0) {
          r.timed_out = true;
          break;
        }
        continue;
      }
      if (n <= 0) {
        r.closed = true;
        break;
      }
    }
    r.data.append(buf, static_cast<std::size_t>(n));
    total_ += static_cast<std::size_t>(n);
  }
  return r;
}

}  // namespace iotcop::network
