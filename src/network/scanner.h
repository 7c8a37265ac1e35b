// File: network/scanner.h
// Asynchronous TCP connect scan: non-blocking connects watched by epoll, up to `max_in_flight`
// pending at once, new ones paced by the rate limiter, each given up after the connect timeout.
// Open ports are closed at once with a reset (no data exchanged).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "network/endpoint.h"
#include "network/socket.h"

namespace iotcop::network {

struct ScanStats {
  std::size_t tried = 0, open = 0, refused = 0, timed_out = 0, errors = 0;
};

struct OpenPort {
  std::string address;
  std::uint16_t port = 0;
};

// Open ports in (address, port) order. Fails only when no socket can be made at all.
Result<std::vector<OpenPort>> ScanTcp(const std::vector<std::string>& addresses,
                                      const std::vector<std::uint16_t>& ports, const Limits& limits,
                                      std::size_t max_in_flight, RateLimiter& rate,
                                      ScanStats& stats);

}  // namespace iotcop::network
