// File: network/udp/udp.cc
// The UDP discovery driver (see udp.h): each protocol's probe in turn, so the facts keep their
// order (SNMP, SSDP, mDNS, CoAP, TFTP).
#include "network/udp/udp.h"

#include <algorithm>

namespace iotcop::network {

std::vector<UdpFinding> ProbeUdp(const std::string& address, const Limits& limits,
                                 RateLimiter& rate) {
  std::vector<UdpFinding> out;
  const UdpTarget t{
      address, limits, rate,
      std::min<std::chrono::milliseconds>(limits.io_timeout, std::chrono::milliseconds(1500)),
      std::min<std::size_t>(limits.max_bytes, 65507)};
  for (auto* probe : {ProbeSnmp, ProbeSsdp, ProbeMdns, ProbeCoap, ProbeTftp}) probe(t, out);
  return out;
}

}  // namespace iotcop::network
