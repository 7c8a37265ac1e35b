// File: network/scanner.cc
// The epoll connect scan (see scanner.h).
#include "network/scanner.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <unordered_map>

#include <fmt/format.h>

namespace iotcop::network {

namespace {

struct Pending {
  std::size_t target;  // index into the (address, port) list
  Clock::time_point deadline;
};

// A started connect in start order; `target` tells a reused descriptor from the original.
struct Started {
  int fd;
  std::size_t target;
};

void CloseWithReset(int fd) {
  linger l{1, 0};  // RST instead of FIN: no TIME_WAIT, the device frees the slot at once
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

}  // namespace

Result<std::vector<OpenPort>> ScanTcp(const std::vector<std::string>& addresses,
                                      const std::vector<std::uint16_t>& ports, const Limits& limits,
                                      std::size_t max_in_flight, RateLimiter& rate,
                                      ScanStats& stats) {
  std::vector<SocketAddress> addrs;
  for (const auto& a : addresses) {
    SocketAddress v;
    if (!ParseAddress(a, 0, v))
      return MakeError(Errc::kInvalidArgument, "not a numeric IPv4 or IPv6 address", a);
    addrs.push_back(v);
  }
  // Stay well under the descriptor limit.
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    max_in_flight = std::min<std::size_t>(max_in_flight, rl.rlim_cur > 128 ? rl.rlim_cur - 64 : 32);
  max_in_flight = std::max<std::size_t>(1, max_in_flight);

  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return MakeError(Errc::kIo, fmt::format("epoll: {}", std::strerror(errno)), "scan");
  const std::size_t total = addrs.size() * ports.size();
  std::vector<char> open(total, 0);
  std::unordered_map<int, Pending> pending;
  std::deque<Started> order;  // start order = deadline order (one timeout for all)
  std::size_t next = 0;
  std::vector<epoll_event> events(256);

  auto finish = [&](int fd, bool is_open, bool refused) {
    const auto it = pending.find(fd);
    if (it == pending.end()) return;
    if (is_open) {
      open[it->second.target] = 1;
      ++stats.open;
    } else if (refused) {
      ++stats.refused;
    }
    ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
    pending.erase(it);
    CloseWithReset(fd);
  };

  while (next < total || !pending.empty()) {
    // Start new connects while there is room.
    while (next < total && pending.size() < max_in_flight) {
      const std::size_t t = next++;
      SocketAddress sa = addrs[t / ports.size()];
      const std::uint16_t port = htons(ports[t % ports.size()]);
      if (sa.family() == AF_INET)
        reinterpret_cast<sockaddr_in*>(&sa.storage)->sin_port = port;
      else
        reinterpret_cast<sockaddr_in6*>(&sa.storage)->sin6_port = port;
      rate.Acquire();
      ++stats.tried;
      const int fd = ::socket(sa.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        ++stats.errors;
        if (pending.empty()) {
          ::close(ep);
          return MakeError(Errc::kIo, fmt::format("socket: {}", std::strerror(errno)), "scan");
        }
        --next;
        --stats.tried;
        break;  // wait for some to finish
      }
      const int rc = ::connect(fd, sa.get(), sa.size);
      if (rc == 0) {
        open[t] = 1;
        ++stats.open;
        CloseWithReset(fd);
        continue;
      }
      if (errno != EINPROGRESS) {
        if (errno == ECONNREFUSED)
          ++stats.refused;
        else
          ++stats.errors;
        ::close(fd);
        continue;
      }
      epoll_event ev{};
      ev.events = EPOLLOUT | EPOLLERR | EPOLLHUP;
      ev.data.fd = fd;
      ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
      pending[fd] = {t, Clock::now() + limits.connect_timeout};
      order.push_back({fd, t});
    }
    if (pending.empty()) continue;
    // Wait until the oldest pending connect's deadline at the latest.
    auto live = [&](const Started& s) {
      const auto it = pending.find(s.fd);
      return it != pending.end() && it->second.target == s.target ? &it->second : nullptr;
    };
    while (!order.empty() && !live(order.front())) order.pop_front();
    int wait_ms = 0;
    if (!order.empty()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          live(order.front())->deadline - Clock::now());
      wait_ms = static_cast<int>(std::clamp<long long>(left.count() + 1, 0, 1000));
    }
    // With room for more and targets left, do not sleep: keep the pipe full.
    if (next < total && pending.size() < max_in_flight) wait_ms = 0;
    const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), wait_ms);
    for (int i = 0; i < n; ++i) {
      const int fd = events[static_cast<std::size_t>(i)].data.fd;
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == 0 && !(events[static_cast<std::size_t>(i)].events & (EPOLLERR | EPOLLHUP)))
        finish(fd, true, false);
      else
        finish(fd, false, err == ECONNREFUSED || err == 0);
    }
    const auto now = Clock::now();
    while (!order.empty()) {
      const Started s = order.front();
      const Pending* p = live(s);
      if (!p) {
        order.pop_front();
        continue;
      }
      if (p->deadline > now) break;
      ++stats.timed_out;
      order.pop_front();
      finish(s.fd, false, false);
    }
  }
  ::close(ep);
  std::vector<OpenPort> out;
  for (std::size_t t = 0; t < total; ++t) {
    if (open[t]) out.push_back({addresses[t / ports.size()], ports[t % ports.size()]});
  }
  return out;
}

}  // namespace iotcop::network
