// File: network/udp/mdns.h
// mDNS / DNS-SD asked by unicast (RFC 6762 section 6.7 "legacy unicast", RFC 6763): the PTR
// query the UDP probe sends to port 5353, and what it keeps of the answer: service types or
// instances (PTR), TXT strings (model, firmware, MAC often), SRV target host names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace iotcop::network {

// A standard query (id 0, one question, class IN) for `name` ("_services._dns-sd._udp.local").
std::string MdnsQuery(std::string_view name, std::uint16_t type = 12 /* PTR */);

struct MdnsAnswer {
  bool response = false;              // a DNS response at all (QR set)
  std::vector<std::string> pointers;  // PTR targets, in order, deduplicated
  std::vector<std::string> txt;       // TXT strings, printable, deduplicated
  std::vector<std::string> hosts;     // SRV targets, deduplicated
};
// Every record of every section (at most 64), read by protocols::ReadDnsMessage; a record that
// does not fit ends the reading with what was read so far.
MdnsAnswer ParseMdnsAnswer(std::string_view message);

}  // namespace iotcop::network
