// File: network/udp/mdns.cc
// mDNS / DNS-SD over unicast (see mdns.h), and the probe: the DNS-SD service list
// (_services._dns-sd._udp.local PTR), then each service type's instances, TXT strings and host
// names (at most 8 types).
#include "network/udp/mdns.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "network/udp/udp.h"
#include "protocols/dns.h"

namespace iotcop::network {
namespace {

constexpr std::size_t kMdnsMaxRecords = 64;
constexpr std::size_t kMdnsMaxItems = 32;

void AddMdnsItem(std::vector<std::string>& v, std::string s) {
  if (s.empty() || v.size() >= kMdnsMaxItems) return;
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
  const auto m = protocols::ReadDnsMessage(msg, kMdnsMaxRecords);
  if (!m || !m->response()) return out;
  out.response = true;
  for (const auto& rec : m->records) {
    if (rec.type == 12) {  // PTR: a name, maybe compressed against the whole message
      ByteReader at(msg, "mdns");
      if (at.Seek(rec.rdata_offset))
        if (auto target = protocols::ReadDnsName(msg, at))
          AddMdnsItem(out.pointers, Printable(*target));
    } else if (rec.type == 33 && rec.rdata.size() > 6) {  // SRV: priority, weight, port, target
      ByteReader at(msg, "mdns");
      if (at.Seek(rec.rdata_offset + 6))
        if (auto target = protocols::ReadDnsName(msg, at))
          AddMdnsItem(out.hosts, Printable(*target));
    } else if (rec.type == 16) {  // TXT: length-prefixed strings
      ByteReader t(rec.rdata, "mdns txt");
      while (t.remaining() > 0) {
        auto len = t.Read<std::uint8_t>();
        auto s = len ? t.Bytes(*len) : Result<ByteView>(len.error());
        if (!s) break;
        AddMdnsItem(out.txt, Printable(AsString(*s), 120));
      }
    }
  }
  return out;
}

void ProbeMdns(const UdpTarget& t, std::vector<UdpFinding>& out) {
  const MdnsAnswer types = ParseMdnsAnswer(UdpExchange(
      t.address, 5353, MdnsQuery("_services._dns-sd._udp.local"), t.timeout, t.cap, t.rate));
  if (!types.response) return;
  nlohmann::json s = {{"service", "mdns"},
                      {"cleartext", true},
                      {"services", nlohmann::json::array()},
                      {"disclosure", nlohmann::json::array()}};
  std::vector<std::string> hosts, txt;
  for (std::size_t i = 0; i < types.pointers.size() && i < 8; ++i) {
    const std::string& type = types.pointers[i];
    const MdnsAnswer one =
        ParseMdnsAnswer(UdpExchange(t.address, 5353, MdnsQuery(type), t.timeout, t.cap, t.rate));
    s["services"].push_back({{"type", type}, {"instances", one.pointers}, {"txt", one.txt}});
    for (const auto& h : one.hosts) hosts.push_back(h);
    for (const auto& x : one.txt)
      if (x.find('=') != std::string::npos && x.back() != '=') txt.push_back(type + " " + x);
  }
  s["hosts"] = hosts;
  s["banner"] = "DNS-SD services: " + fmt::format("{}", fmt::join(types.pointers, ", "));
  for (const auto& h : hosts) s["disclosure"].push_back("host name: " + h);
  for (const auto& x : txt) s["disclosure"].push_back("TXT " + x);
  out.push_back({5353, s});
}

}  // namespace iotcop::network
