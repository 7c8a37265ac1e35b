// File: traffic/packet.h
// One captured frame decoded down to its transport payload: link layers (Ethernet with VLAN tags,
// Linux cooked SLL and SLL2, raw IP, BSD loopback/NULL), IPv4 and IPv6 (with extension headers),
// TCP and UDP. Every read is bounded by the captured bytes; lengths in headers are checked against
// them, never trusted. Non-IP frames (ARP, LLDP...) decode to a Packet with `ip == false`.
#pragma once

#include <cstdint>
#include <string>

#include "core/bytes.h"
#include "protocols/address.h"

namespace iotcop::traffic {

// Addresses are protocols/address.h's (ToString, ParseAddress and IsPrivate come with them).
using protocols::Address;

enum : std::uint8_t { kTcp = 6, kUdp = 17 };
enum : std::uint8_t { kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10 };

struct Packet {
  bool ip = false;
  Address src, dst;
  std::uint8_t protocol = 0;  // IP protocol (6 TCP, 17 UDP, others carried without ports)
  std::uint16_t sport = 0, dport = 0;
  std::uint8_t tcp_flags = 0;
  std::uint32_t seq = 0;
  bool fragment = false;  // a non-first IPv4/IPv6 fragment: no transport header
  ByteView l3;            // from the IP header to the end of the IP packet (for nDPI)
  ByteView payload;       // the transport payload
};

// True when this build decodes the pcap link type (DLT_* value).
bool SupportedLinkType(int dlt);
std::string LinkTypeName(int dlt);

// Decodes one frame. An Error (kCorrupt/kTruncated) names the layer and the offset in the frame.
Result<Packet> DecodeFrame(int dlt, ByteView frame);

}  // namespace iotcop::traffic
