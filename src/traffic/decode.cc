// File: traffic/decode.cc
// Frame decoding for traffic/packet.h: link layer -> IP -> TCP/UDP, each step bounded by the
// captured bytes (ByteReader/Slice); a header that claims more than was captured is an error that
// names the layer and the offset.
#include <pcap/pcap.h>

#include <algorithm>
#include <cstring>

#include "traffic/packet.h"

namespace iotcop::traffic {
namespace {

Error Bad(std::string what, std::uint64_t offset) {
  return MakeError(Errc::kCorrupt, std::move(what), {}, offset);
}

// Transport header at `off` of `ip` (the IP packet, already cut to its real length).
Status DecodeTransport(ByteView ip, std::uint64_t off, std::uint64_t base, Packet& p) {
  auto rest = Slice(ip, off, ip.size() - off);
  if (!rest) return Bad("IP header longer than the packet", base + off);
  if (p.fragment) {
    p.payload = *rest;
    return Ok();
  }
  if (p.protocol == kTcp) {
    if (rest->size() < 20) return Bad("TCP header cut short", base + off);
    const std::uint8_t* h = rest->data();
    p.sport = LoadBe<std::uint16_t>(h);
    p.dport = LoadBe<std::uint16_t>(h + 2);
    p.seq = LoadBe<std::uint32_t>(h + 4);
    const std::size_t hl = static_cast<std::size_t>(h[12] >> 4) * 4;
    p.tcp_flags = h[13];
    if (hl < 20 || hl > rest->size())
      return Bad("TCP data offset " + std::to_string(hl) + " outside the segment", base + off + 12);
    p.payload = rest->subspan(hl);
  } else if (p.protocol == kUdp) {
    if (rest->size() < 8) return Bad("UDP header cut short", base + off);
    const std::uint8_t* h = rest->data();
    p.sport = LoadBe<std::uint16_t>(h);
    p.dport = LoadBe<std::uint16_t>(h + 2);
    const std::uint16_t len = LoadBe<std::uint16_t>(h + 4);
    // len 0 is legal for IPv6 jumbograms; otherwise the UDP length bounds the payload.
    if (len != 0 && (len < 8 || len > rest->size()))
      return Bad("UDP length " + std::to_string(len) + " outside the datagram", base + off + 4);
    p.payload = rest->subspan(8, (len ? len : rest->size()) - 8);
  } else {
    p.payload = *rest;
  }
  return Ok();
}

Status DecodeIPv4(ByteView data, std::uint64_t base, Packet& p) {
  if (data.size() < 20) return Bad("IPv4 header cut short", base);
  const std::uint8_t* h = data.data();
  const std::size_t ihl = static_cast<std::size_t>(h[0] & 0x0f) * 4;
  const std::uint16_t total = LoadBe<std::uint16_t>(h + 2);
  if (ihl < 20 || ihl > data.size()) return Bad("IPv4 header length " + std::to_string(ihl), base);
  if (total < ihl) return Bad("IPv4 total length " + std::to_string(total), base + 2);
  // A total length beyond the captured bytes: snap length cut the packet; keep what is there.
  const std::size_t len = std::min<std::size_t>(total, data.size());
  p.ip = true;
  p.l3 = data.first(len);
  p.src.version = p.dst.version = 4;
  std::memcpy(p.src.bytes.data(), h + 12, 4);
  std::memcpy(p.dst.bytes.data(), h + 16, 4);
  p.protocol = h[9];
  const std::uint16_t frag = LoadBe<std::uint16_t>(h + 6);
  p.fragment = (frag & 0x1fff) != 0;
  return DecodeTransport(p.l3, ihl, base, p);
}

Status DecodeIPv6(ByteView data, std::uint64_t base, Packet& p) {
  if (data.size() < 40) return Bad("IPv6 header cut short", base);
  const std::uint8_t* h = data.data();
  const std::size_t len = std::min<std::size_t>(40u + LoadBe<std::uint16_t>(h + 4), data.size());
  p.ip = true;
  p.l3 = data.first(len);
  p.src.version = p.dst.version = 6;
  std::memcpy(p.src.bytes.data(), h + 8, 16);
  std::memcpy(p.dst.bytes.data(), h + 24, 16);
  std::uint8_t next = h[6];
  std::uint64_t off = 40;
  // Hop-by-hop, routing, destination options and fragment headers, at most 8 of them.
  for (int i = 0; i < 8 && (next == 0 || next == 43 || next == 60 || next == 44); ++i) {
    auto ext = Slice(p.l3, off, 8);
    if (!ext) return Bad("IPv6 extension header cut short", base + off);
    const std::uint8_t this_header = next;
    next = (*ext)[0];
    if (this_header == 44) {
      p.fragment = (LoadBe<std::uint16_t>(ext->data() + 2) & 0xfff8) != 0;
      off += 8;
    } else {
      off += (static_cast<std::uint64_t>((*ext)[1]) + 1) * 8;
    }
  }
  p.protocol = next;
  return DecodeTransport(p.l3, off, base, p);
}

Status DecodeIp(std::uint16_t ethertype, ByteView data, std::uint64_t base, Packet& p) {
  if (ethertype == 0x0800) return DecodeIPv4(data, base, p);
  if (ethertype == 0x86dd) return DecodeIPv6(data, base, p);
  return Ok();  // not IP: nothing more to decode
}

// Raw IP: the version nibble says which.
Status DecodeRaw(ByteView data, std::uint64_t base, Packet& p) {
  if (data.empty()) return Bad("empty IP packet", base);
  const int v = data[0] >> 4;
  if (v == 4) return DecodeIPv4(data, base, p);
  if (v == 6) return DecodeIPv6(data, base, p);
  return Bad("IP version " + std::to_string(v), base);
}

}  // namespace

bool SupportedLinkType(int dlt) {
  switch (dlt) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
    case DLT_NULL:
    case DLT_LOOP:
      return true;
    default:
      return false;
  }
}

std::string LinkTypeName(int dlt) {
  const char* name = pcap_datalink_val_to_name(dlt);
  return std::to_string(dlt) + (name ? std::string(" (") + name + ")" : "");
}

Result<Packet> DecodeFrame(int dlt, ByteView frame) {
  Packet p;
  Status st = Ok();
  switch (dlt) {
    case DLT_EN10MB: {
      if (frame.size() < 14) return Bad("Ethernet header cut short", 0);
      std::uint64_t off = 12;
      std::uint16_t type = LoadBe<std::uint16_t>(frame.data() + off);
      // 802.1Q / 802.1ad tags, at most two.
      for (int i = 0; i < 2 && (type == 0x8100 || type == 0x88a8); ++i) {
        off += 4;
        if (!Fits(frame.size(), off, 2)) return Bad("VLAN tag cut short", off);
        type = LoadBe<std::uint16_t>(frame.data() + off);
      }
      off += 2;
      st = DecodeIp(type, frame.subspan(off), off, p);
      break;
    }
    case DLT_LINUX_SLL: {
      if (frame.size() < 16) return Bad("Linux cooked (SLL) header cut short", 0);
      st = DecodeIp(LoadBe<std::uint16_t>(frame.data() + 14), frame.subspan(16), 16, p);
      break;
    }
    case DLT_LINUX_SLL2: {
      if (frame.size() < 20) return Bad("Linux cooked (SLL2) header cut short", 0);
      st = DecodeIp(LoadBe<std::uint16_t>(frame.data()), frame.subspan(20), 20, p);
      break;
    }
    case DLT_RAW:
      st = DecodeRaw(frame, 0, p);
      break;
    case DLT_IPV4:
      st = DecodeIPv4(frame, 0, p);
      break;
    case DLT_IPV6:
      st = DecodeIPv6(frame, 0, p);
      break;
    case DLT_NULL:
    case DLT_LOOP: {
      // A 4-byte address family, host order for NULL (either order seen), network order for LOOP.
      if (frame.size() < 4) return Bad("loopback header cut short", 0);
      std::uint32_t af = dlt == DLT_LOOP ? LoadBe<std::uint32_t>(frame.data())
                                         : LoadLe<std::uint32_t>(frame.data());
      if (af > 0xffff) af = LoadBe<std::uint32_t>(frame.data());
      if (af == 2) {
        st = DecodeIPv4(frame.subspan(4), 4, p);
      } else if (af == 24 || af == 28 || af == 30 || af == 10) {
        st = DecodeIPv6(frame.subspan(4), 4, p);
      }
      break;
    }
    default:
      return MakeError(Errc::kUnsupported, "unsupported link type " + LinkTypeName(dlt));
  }
  if (!st) return st.error();
  return p;
}

}  // namespace iotcop::traffic
