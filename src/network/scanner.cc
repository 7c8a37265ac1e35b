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
#include <cmath>
#include <cstring>
#include <deque>
#include <functional>
#include <optional>
#include <queue>
#include <unordered_map>

#include <fmt/format.h>

namespace iotcop::network {

namespace {

using std::chrono::duration;
using std::chrono::microseconds;

struct Pending {
  std::size_t target;  // index into the (address, port) list
  Clock::time_point sent, deadline;
};

// A started connect by deadline; `target` tells a reused descriptor from the original.
struct Started {
  Clock::time_point deadline;
  int fd;
  std::size_t target;
  bool operator>(const Started& o) const { return deadline > o.deadline; }
};

void CloseWithReset(int fd) {
  linger l{1, 0};  // RST instead of FIN: no TIME_WAIT, the device frees the slot at once
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

// The scan's pace: when the next connect may start, how long one may wait for an answer, and how
// both follow what the network does (see scanner.h).
class ScanPacer {
 public:
  ScanPacer(const ScanPace& p, std::chrono::milliseconds max_timeout)
      : pace_(p), max_timeout_(max_timeout) {
    ceiling_ = p.max_rate > 0 ? p.max_rate : (p.adaptive ? kUncapped : 0);
    rate_ = p.adaptive ? std::min(p.initial_rate, ceiling_) : ceiling_;
    floor_ = std::min(p.min_rate, ceiling_);
    next_send_ = Clock::now();
  }

  // A connect may start when this is no later than now (with a millisecond of slack so that fast
  // rates send a few per turn of the loop instead of spinning).
  bool MaySend(Clock::time_point now) const {
    return rate_ <= 0 || next_send_ <= now + std::chrono::milliseconds(1);
  }
  Clock::time_point next_send() const { return next_send_; }

  void Sent(Clock::time_point now) {
    if (rate_ <= 0) return;
    next_send_ = std::max(now - std::chrono::milliseconds(1), next_send_) +
                 std::chrono::duration_cast<Clock::duration>(duration<double>(1.0 / rate_));
    peak_ = std::max(peak_, rate_);
  }

  // An answer (accept or reset). `rtt` only from probes sent once (Karn's rule).
  void Answered(std::optional<Clock::duration> rtt) {
    if (rtt) {
      const double r = duration<double, std::milli>(*rtt).count();
      if (samples_++ == 0) {
        srtt_ = r;
        rttvar_ = r / 2;
      } else {
        rttvar_ = 0.75 * rttvar_ + 0.25 * std::abs(srtt_ - r);
        srtt_ = 0.875 * srtt_ + 0.125 * r;
      }
    }
    if (!pace_.adaptive) return;
    // Grow: multiplicatively until the first loss ("slow start"), then gently (congestion
    // avoidance: one connect per second more for every 20 answers).
    rate_ = std::min(ceiling_, cuts_ == 0 ? rate_ * 1.02 : rate_ + 0.05);
  }

  // A probe sent at `sent` to an address that answers others went unanswered: congestion or a
  // rate limit. Halve the rate, at most once for the probes of one round (sent before the cut).
  void Lost(Clock::time_point sent, Clock::time_point now) {
    if (!pace_.adaptive || sent < last_cut_) return;
    if (cuts_ == 0) before_cuts_ = rate_;
    rate_ = std::max(floor_, rate_ / 2);
    last_cut_ = now;
    ++cuts_;
  }

  // The silence was a firewall's policy, not loss: back to the rate before the first cut.
  void Restore() { rate_ = std::max(rate_, before_cuts_); }

  // How long a connect waits: the configured timeout until 8 round trips are measured, then
  // srtt + 4 rttvar (at least twice the srtt and 100 ms, at most the configured timeout).
  Clock::duration Timeout() const {
    if (samples_ < 8) return max_timeout_;
    const double ms = std::max({srtt_ + 4 * rttvar_, 2 * srtt_, 100.0});
    return std::min<Clock::duration>(
        std::chrono::duration_cast<Clock::duration>(duration<double, std::milli>(ms)),
        max_timeout_);
  }

  void Report(ScanStats& s) const {
    s.rate_cuts = cuts_;
    s.peak_rate = peak_;
    s.final_rate = rate_;
    s.srtt_ms = samples_ ? srtt_ : 0;
  }

 private:
  static constexpr double kUncapped = 100000;  // adaptive without a user cap: a sane ceiling
  ScanPace pace_;
  std::chrono::milliseconds max_timeout_;
  double ceiling_ = 0, rate_ = 0, floor_ = 0, peak_ = 0, before_cuts_ = 0;
  double srtt_ = 0, rttvar_ = 0;
  std::size_t samples_ = 0, cuts_ = 0;
  Clock::time_point next_send_, last_cut_{};
};

}  // namespace

Result<std::vector<OpenPort>> ScanTcp(const std::vector<std::string>& addresses,
                                      const std::vector<std::uint16_t>& ports, const Limits& limits,
                                      std::size_t max_in_flight, const ScanPace& pace,
                                      ScanStats& stats) {
  const auto t_start = Clock::now();
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
  std::vector<std::uint8_t> attempts(total, 0);
  std::vector<char> answering(addrs.size(), 0);  // the address answered some probe
  std::size_t retry_answered = 0, retry_silent = 0;
  std::unordered_map<int, Pending> pending;
  std::priority_queue<Started, std::vector<Started>, std::greater<>> by_deadline;
  std::deque<std::size_t> retry;  // unanswered targets to send again
  std::size_t next = 0;
  std::vector<epoll_event> events(256);
  ScanPacer pacer(pace, limits.connect_timeout);

  // One answer (or a definite error) for target t: its outcome is final.
  auto answered = [&](std::size_t t, Clock::time_point sent, bool is_open, bool refused) {
    const bool resent = attempts[t] > 1;
    if (is_open || refused) answering[t / ports.size()] = 1;
    if (resent) ++retry_answered;
    pacer.Answered(resent ? std::nullopt : std::optional(Clock::now() - sent));
    if (is_open) {
      open[t] = 1;
      ++stats.open;
    } else if (refused) {
      ++stats.refused;
    } else {
      ++stats.errors;
    }
  };
  auto finish = [&](int fd, bool is_open, bool refused) {
    const auto it = pending.find(fd);
    if (it == pending.end()) return;
    answered(it->second.target, it->second.sent, is_open, refused);
    ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
    pending.erase(it);
    CloseWithReset(fd);
  };
  // No answer before the deadline: loss (send again, slower) or a port that drops by policy.
  auto unanswered = [&](std::size_t t, Clock::time_point sent, Clock::time_point now) {
    if (attempts[t] > 1) ++retry_silent;
    if (!stats.policy_drops && retry_silent >= 16 && retry_silent > 4 * retry_answered) {
      stats.policy_drops = true;  // retries meet silence: the firewall's policy, not congestion
      pacer.Restore();
      stats.timed_out += retry.size();
      retry.clear();
    }
    const bool lossy = pace.adaptive && !stats.policy_drops && answering[t / ports.size()];
    if (lossy && attempts[t] <= pace.max_retries) {
      pacer.Lost(sent, now);
      retry.push_back(t);
      return;
    }
    ++stats.timed_out;
  };

  while (next < total || !retry.empty() || !pending.empty()) {
    // Start new connects while there is room and the pace allows.
    while ((next < total || !retry.empty()) && pending.size() < max_in_flight) {
      const auto now = Clock::now();
      if (!pacer.MaySend(now)) break;
      std::size_t t;
      if (!retry.empty()) {
        t = retry.front();
        retry.pop_front();
        ++stats.retries;
      } else {
        t = next++;
        ++stats.tried;
      }
      SocketAddress sa = addrs[t / ports.size()];
      const std::uint16_t port = htons(ports[t % ports.size()]);
      if (sa.family() == AF_INET)
        reinterpret_cast<sockaddr_in*>(&sa.storage)->sin_port = port;
      else
        reinterpret_cast<sockaddr_in6*>(&sa.storage)->sin6_port = port;
      const int fd = ::socket(sa.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        if (pending.empty()) {
          ::close(ep);
          return MakeError(Errc::kIo, fmt::format("socket: {}", std::strerror(errno)), "scan");
        }
        if (attempts[t] == 0) {  // wait for some to finish, then take it again
          --stats.tried;
          --next;
        } else {
          --stats.retries;
          retry.push_front(t);
        }
        break;
      }
      ++attempts[t];
      pacer.Sent(now);
      const int rc = ::connect(fd, sa.get(), sa.size);
      if (rc == 0 || errno != EINPROGRESS) {
        const bool ok = rc == 0;
        const bool refused = !ok && errno == ECONNREFUSED;
        answered(t, now, ok, refused);
        if (ok)
          CloseWithReset(fd);
        else
          ::close(fd);
        continue;
      }
      epoll_event ev{};
      ev.events = EPOLLOUT | EPOLLERR | EPOLLHUP;
      ev.data.fd = fd;
      ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
      const auto deadline = now + pacer.Timeout();
      pending[fd] = {t, now, deadline};
      by_deadline.push({deadline, fd, t});
    }
    if (pending.empty() && retry.empty() && next >= total) break;
    // Sleep until the earliest deadline or the next send, whichever comes first.
    auto live = [&](const Started& s) {
      const auto it = pending.find(s.fd);
      return it != pending.end() && it->second.target == s.target;
    };
    while (!by_deadline.empty() && !live(by_deadline.top())) by_deadline.pop();
    auto wake = Clock::now() + std::chrono::seconds(1);
    if (!by_deadline.empty()) wake = std::min(wake, by_deadline.top().deadline);
    if ((next < total || !retry.empty()) && pending.size() < max_in_flight)
      wake = std::min(wake, pacer.next_send());
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now());
    const int wait_ms = static_cast<int>(std::clamp<long long>(left.count(), 0, 1000));
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
    while (!by_deadline.empty()) {
      const Started s = by_deadline.top();
      if (!live(s)) {
        by_deadline.pop();
        continue;
      }
      if (s.deadline > now) break;
      by_deadline.pop();
      const Pending p = pending.at(s.fd);
      ::epoll_ctl(ep, EPOLL_CTL_DEL, s.fd, nullptr);
      pending.erase(s.fd);
      CloseWithReset(s.fd);
      unanswered(p.target, p.sent, now);
    }
  }
  ::close(ep);
  pacer.Report(stats);
  stats.duration_ms = duration<double, std::milli>(Clock::now() - t_start).count();
  std::vector<OpenPort> out;
  for (std::size_t t = 0; t < total; ++t) {
    if (open[t]) out.push_back({addresses[t / ports.size()], ports[t % ports.size()]});
  }
  return out;
}

}  // namespace iotcop::network
