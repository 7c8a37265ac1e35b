// File: network/endpoint.h
// A service found answering on a live device, and the bounds every connection to it obeys. The
// scanner and service identification (network/assess.cc and its probes) fill these; the login and
// robustness probes (network/login.h, network/robustness.h) take them as their targets.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace iotcop::network {

struct Endpoint {
  std::string input;    // the target as the user named it (--host value)
  std::string address;  // numeric address connected to, "127.0.0.5"
  std::uint16_t port = 0;
  std::string transport = "tcp";  // tcp | udp
  std::string service;            // identified: telnet, ssh, http, https, ftp, mqtt, rtsp, ...
  bool tls = false;               // the service speaks TLS (https, mqtts, ...)
  std::string banner;             // first bytes the service sent, bounded, printable

  // "127.0.0.5:23/tcp" ("[::1]:23/tcp" for IPv6), as Evidence::endpoint.
  std::string Locator() const {
    const bool v6 = address.find(':') != std::string::npos;
    return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port) + "/" + transport;
  }
};

// Bounds for every connection: a device must never be flooded, a hostile peer never hangs us.
struct Limits {
  std::chrono::milliseconds connect_timeout{1500};
  std::chrono::milliseconds io_timeout{3000};  // whole exchange of one probe
  std::size_t max_bytes = 64 * 1024;           // read at most this much per connection
  double rate = 200;                           // new connections per second, all probes together
};

}  // namespace iotcop::network
