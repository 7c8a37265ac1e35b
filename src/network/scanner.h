// File: network/scanner.h
// Asynchronous TCP connect scan: non-blocking connects watched by epoll, up to `max_in_flight`
// pending at once, paced at an adaptive rate as nmap does it: start fast, measure round trips
// (RFC 6298 smoothing) and set the connect timeout from them, grow the rate while every probe is
// answered, halve it (at most once per round trip) when an address that answers others lets a
// probe go unanswered, and send that probe again later. When the retries themselves go unanswered
// the silence is a firewall's policy, not congestion: retries stop and the rate is restored. The
// user's cap (`--rate`) is never exceeded. Open ports are closed at once with a reset.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "network/endpoint.h"
#include "network/socket.h"

namespace iotcop::network {

struct ScanStats {
  std::size_t tried = 0;  // targets (address, port) probed; each ends in one of the four below
  std::size_t open = 0, refused = 0, timed_out = 0, errors = 0;
  std::size_t retries = 0;    // connects sent again after going unanswered
  std::size_t rate_cuts = 0;  // times the rate was halved for loss
  bool policy_drops = false;  // unanswered retries: a firewall drops by policy, retries stopped
  double peak_rate = 0;       // highest pacing rate used (connects per second)
  double final_rate = 0;      // pacing rate at the end
  double srtt_ms = 0;         // smoothed connect round trip (0: none measured)
  double duration_ms = 0;
};

// How the scan is paced. The rate adapts between `min_rate` and `max_rate`.
struct ScanPace {
  double max_rate = 0;         // connects per second never exceeded (the user's --rate); 0: none
  double initial_rate = 2000;  // where the adaptive rate starts (capped by max_rate)
  double min_rate = 20;        // never slower than this when adapting (unless max_rate is lower)
  int max_retries = 6;         // sends of one unanswered probe after the first (nmap -T4: 6)
  bool adaptive = true;        // false: a fixed rate max_rate (or unlimited), no retries
};

struct OpenPort {
  std::string address;
  std::uint16_t port = 0;
};

// Open ports in (address, port) order. Fails only when no socket can be made at all.
// `limits.connect_timeout` is the longest a connect waits (and the timeout before round trips are
// measured).
Result<std::vector<OpenPort>> ScanTcp(const std::vector<std::string>& addresses,
                                      const std::vector<std::uint16_t>& ports, const Limits& limits,
                                      std::size_t max_in_flight, const ScanPace& pace,
                                      ScanStats& stats);

}  // namespace iotcop::network
