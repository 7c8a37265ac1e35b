// File: network/mdns.cc
// mDNS / DNS-SD over unicast (see mdns.h).
#include "network/mdns.h"

#include <algorithm>

#include "core/bytes.h"
#include "network/socket.h"
#include "traffic/parsers.h"

namespace iotcop::network {
namespace {

constexpr std::size_t kMaxRecords = 64;
constexpr std::size_t kMaxItems = 32;

void AddOnce(std::vector<std::string>& v, std::string s) {
  if (s.empty() || v.size() >= kMaxItems) return;
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

}  // namespace

std::string MdnsQuery(std::string_view name, std::uint16_t type) {
  std::string q("\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
  while (!name.empty()) {
    const auto dot = name.find('.');
    const std::string_view label = name.substr(0, std::min<std::size_t>(dot, 63));
    q += static_cast<char>(label.size());
    q += label;
    name.remove_prefix(dot == std::string_view::npos ? name.size() : dot + 1);
  }
  q += '\0';
  q += static_cast<char>(type >> 8);
  q += static_cast<char>(type & 0xff);
  q += std::string("\x00\x01", 2);
  return q;
}

MdnsAnswer ParseMdnsAnswer(std::string_view message) {
  MdnsAnswer out;
  const ByteView msg = AsBytes(message);
  ByteReader r(msg, "mdns");
  auto id = r.Read<std::uint16_t>(Endian::kBig);
  auto flags = r.Read<std::uint16_t>(Endian::kBig);
  if (!id || !flags || !(*flags & 0x8000)) return out;
  out.response = true;
  std::uint32_t counts[4] = {};
  for (auto& c : counts) {
    auto n = r.Read<std::uint16_t>(Endian::kBig);
    if (!n) return out;
    c = *n;
  }
  for (std::uint32_t i = 0; i < std::min<std::uint32_t>(counts[0], 8); ++i) {
    if (!traffic::ReadDnsName(msg, r) || !r.Skip(4)) return out;
  }
  const std::size_t records =
      std::min<std::size_t>(kMaxRecords, std::size_t{counts[1]} + counts[2] + counts[3]);
  for (std::size_t i = 0; i < records; ++i) {
    auto name = traffic::ReadDnsName(msg, r);
    auto type = name ? r.Read<std::uint16_t>(Endian::kBig) : Result<std::uint16_t>(name.error());
    if (!type || !r.Skip(6)) return out;  // class, TTL
    auto rdlen = r.Read<std::uint16_t>(Endian::kBig);
    if (!rdlen) return out;
    const std::uint64_t start = r.pos();
    auto rdata = r.Bytes(*rdlen);
    if (!rdata) return out;
    if (*type == 12) {  // PTR: a name, maybe compressed against the whole message
      ByteReader at(msg, "mdns");
      if (at.Seek(start))
        if (auto target = traffic::ReadDnsName(msg, at)) AddOnce(out.pointers, Printable(*target));
    } else if (*type == 33 && rdata->size() > 6) {  // SRV: priority, weight, port, target
      ByteReader at(msg, "mdns");
      if (at.Seek(start + 6))
        if (auto target = traffic::ReadDnsName(msg, at)) AddOnce(out.hosts, Printable(*target));
    } else if (*type == 16) {  // TXT: length-prefixed strings
      ByteReader t(*rdata, "mdns txt");
      while (t.remaining() > 0) {
        auto len = t.Read<std::uint8_t>();
        auto s = len ? t.Bytes(*len) : Result<ByteView>(len.error());
        if (!s) break;
        AddOnce(out.txt, Printable(AsString(*s), 120));
      }
    }
  }
  return out;
}

}  // namespace iotcop::network
