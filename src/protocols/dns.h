// File: protocols/dns.h
// DNS messages (RFC 1035), for the capture analysis (the A/AAAA answers naming a destination) and
// the mDNS / DNS-SD probe of a live device (network/udp/mdns.cc): the header, the questions and
// the records of every section, with (possibly compressed) names. Pointers are followed only
// backwards, at most 32 times; names are at most 255 bytes; counts are bounded; a record that does
// not fit ends the reading with what was read before it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "protocols/address.h"

namespace iotcop::protocols {

// A (possibly compressed) name at r's position in `message`, r advanced past it.
Result<std::string> ReadDnsName(ByteView message, ByteReader& r);

struct DnsRecord {
  std::string name;
  std::uint16_t type = 0;          // 1 A, 12 PTR, 16 TXT, 28 AAAA, 33 SRV ...
  int section = 1;                 // 1 answer, 2 authority, 3 additional
  std::uint64_t rdata_offset = 0;  // in the message (names in rdata point into the whole of it)
  ByteView rdata;
};

struct DnsMessage {
  std::uint16_t id = 0, flags = 0;
  std::uint16_t counts[4] = {};  // questions, answers, authority, additional (as the header says)
  std::vector<std::string> questions;
  std::vector<DnsRecord> records;  // in order, every section
  bool response() const { return (flags & 0x8000) != 0; }
};

// The message's header (nullopt when not even its id and flags are there; counts of a header cut
// short are 0), at most 8 questions, then at most `max_records` records.
std::optional<DnsMessage> ReadDnsMessage(ByteView message, std::size_t max_records = 64);

struct DnsAnswer {
  std::string name;  // the question's name (the one the device asked for)
  Address address;
};
// A/AAAA answers of one DNS response (UDP payload), named by its first question.
std::vector<DnsAnswer> ParseDnsResponse(ByteView message);

}  // namespace iotcop::protocols
