// File: network/udp.h
// UDP discovery on a live device: SNMP (v1 and v2c, communities public and private, sysDescr.0),
// SSDP/UPnP (unicast M-SEARCH, 1900), mDNS (a DNS-SD services query, 5353), CoAP
// (GET /.well-known/core, 5683) and TFTP (a read request, 69). One request each, one answer read;
// answers are parsed bounded (a hostile device gets its bytes shown, never trusted).
#pragma once

#include <string>
#include <string_view>
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

// The SNMP GetRequest for sysDescr.0 (version 0 = v1, 1 = v2c).
std::string SnmpGetSysDescr(int version, std::string_view community);
// sysDescr.0's value from a GetResponse, "" if the answer is not one (bounded BER walk).
std::string SnmpSysDescr(std::string_view answer);

}  // namespace iotcop::network
