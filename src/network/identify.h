// File: network/identify.h
// Service identification of one open TCP port: listen for a banner, else send the probes of
// rules/probes.yaml (those hinted for the port first), plain and inside TLS; then the deeper probe
// the service calls for (TLS assessment, SSH algorithms and authentication methods). Bounded: a
// silent, endless or garbage-speaking peer ends as "unknown" within a few I/O timeouts.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "network/endpoint.h"
#include "network/probes.h"
#include "network/socket.h"

namespace iotcop::network {

struct PortReport {
  Endpoint endpoint;
  nlohmann::json service;  // network_service fact value
  nlohmann::json tls;      // tls_endpoint fact value, or null
  nlohmann::json ssh;      // ssh_endpoint fact value, or null
  std::string raw;         // the answer that identified it (bounded), for excerpts
  std::vector<std::string> problems;
};

PortReport ProbePort(const std::string& input, const std::string& address, std::uint16_t port,
                     const std::vector<Probe>& probes, const Limits& limits, RateLimiter& rate);

}  // namespace iotcop::network
