// File: network/udp/udp.h
// UDP discovery on a live device: SNMP (v1 and v2c, communities public and private, sysDescr.0),
// SSDP/UPnP (unicast M-SEARCH, 1900), mDNS (a DNS-SD services query, 5353), CoAP
// (GET /.well-known/core, 5683) and TFTP (a read request, 69). One file per protocol in
// network/udp/, run in that order by ProbeUdp (udp.cc). One request each, one answer read;
// answers are parsed bounded by protocols/ (a hostile device gets its bytes shown, never trusted).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "network/endpoint.h"
#include "network/socket.h"

namespace iotcop::network {

struct UdpFinding {
  std::uint16_t port = 0;
  nlohmann::json service;  // network_service fields (service, product, banner, community, ...)
};

std::vector<UdpFinding> ProbeUdp(const std::string& address, const Limits& limits,
                                 RateLimiter& rate);

// What each protocol's probe is given: the host, its limits, and the bounds of one exchange.
struct UdpTarget {
  const std::string& address;
  const Limits& limits;
  RateLimiter& rate;
  std::chrono::milliseconds timeout;  // for one answer
  std::size_t cap;                    // bytes of one answer
};

// One per file of network/udp/; each adds what it found to `out`.
void ProbeSnmp(const UdpTarget& t, std::vector<UdpFinding>& out);
void ProbeSsdp(const UdpTarget& t, std::vector<UdpFinding>& out);
void ProbeMdns(const UdpTarget& t, std::vector<UdpFinding>& out);
void ProbeCoap(const UdpTarget& t, std::vector<UdpFinding>& out);
void ProbeTftp(const UdpTarget& t, std::vector<UdpFinding>& out);

}  // namespace iotcop::network
