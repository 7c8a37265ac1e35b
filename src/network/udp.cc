// File: network/udp.cc
// UDP discovery probes (see udp.h).
#include "network/udp.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "core/bytes.h"
#include "network/http.h"

namespace iotcop::network {

namespace {

// BER TLV with a short or one/two-byte long length.
std::string Tlv(std::uint8_t tag, std::string_view v) {
  std::string out(1, static_cast<char>(tag));
  if (v.size() < 128) {
    out += static_cast<char>(v.size());
  } else if (v.size() < 256) {
    out += '\x81';
    out += static_cast<char>(v.size());
  } else {
    out += '\x82';
    out += static_cast<char>(v.size() >> 8);
    out += static_cast<char>(v.size() & 255);
  }
  out += v;
  return out;
}

constexpr std::string_view kSysDescrOid("\x2b\x06\x01\x02\x01\x01\x01\x00",
                                        8);  // 1.3.6.1.2.1.1.1.0

// Reads one BER TLV header at r; the value's length (bounded by what is left).
Result<std::uint64_t> BerHeader(ByteReader& r, std::uint8_t& tag) {
  auto t = r.Read<std::uint8_t>();
  if (!t) return t.error();
  tag = *t;
  auto l = r.Read<std::uint8_t>();
  if (!l) return l.error();
  std::uint64_t len = *l;
  if (*l & 0x80) {
    const int n = *l & 0x7f;
    if (n == 0 || n > 4) return MakeError(Errc::kCorrupt, "BER length form", "snmp", r.pos());
    len = 0;
    for (int i = 0; i < n; ++i) {
      auto b = r.Read<std::uint8_t>();
      if (!b) return b.error();
      len = (len << 8) | *b;
    }
  }
  if (len > r.remaining())
    return MakeError(Errc::kTruncated, "BER value past the end", "snmp", r.pos());
  return len;
}

std::string HeaderValue(std::string_view text, std::string_view lower_name) {
  std::string lower(text);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto at = lower.find(std::string("\n") + std::string(lower_name) + ":");
  if (at == std::string::npos) return {};
  const auto start = at + lower_name.size() + 2;
  const auto end = text.find('\n', start);
  std::string v(text.substr(start, end == std::string_view::npos ? text.npos : end - start));
  while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.pop_back();
  while (!v.empty() && v.front() == ' ') v.erase(v.begin());
  return v;
}

// <tag>value</tag> from a UPnP device description, first occurrence, bounded.
std::string XmlField(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const auto a = xml.find(open);
  if (a == std::string_view::npos) return {};
  const auto b = xml.find('<', a + open.size());
  if (b == std::string_view::npos) return {};
  return Printable(xml.substr(a + open.size(), std::min<std::size_t>(b - a - open.size(), 200)),
                   200);
}

}  // namespace

std::string SnmpGetSysDescr(int version, std::string_view community) {
  const std::string varbind = Tlv(0x30, Tlv(0x06, kSysDescrOid) + Tlv(0x05, ""));
  const std::string pdu =
      Tlv(0xa0, Tlv(0x02, "\x01") + Tlv(0x02, std::string_view("\x00", 1)) +
                    Tlv(0x02, std::string_view("\x00", 1)) + Tlv(0x30, varbind));
  return Tlv(0x30,
             Tlv(0x02, std::string(1, static_cast<char>(version))) + Tlv(0x04, community) + pdu);
}

std::string SnmpSysDescr(std::string_view answer) {
  // SEQUENCE { version, community, GetResponse(0xa2) { id, status, index, SEQUENCE { SEQUENCE {
  // OID, value } } } }
  ByteReader r(AsBytes(answer), "snmp");
  std::uint8_t tag = 0;
  auto len = BerHeader(r, tag);
  if (!len || tag != 0x30) return {};
  for (int i = 0; i < 2; ++i) {  // version, community
    auto l = BerHeader(r, tag);
    if (!l || !r.Skip(*l)) return {};
  }
  auto pdu = BerHeader(r, tag);
  if (!pdu || tag != 0xa2) return {};
  for (int i = 0; i < 3; ++i) {
    auto l = BerHeader(r, tag);
    if (!l || tag != 0x02 || !r.Skip(*l)) return {};
  }
  if (auto l = BerHeader(r, tag); !l || tag != 0x30) return {};
  if (auto l = BerHeader(r, tag); !l || tag != 0x30) return {};
  auto oid_len = BerHeader(r, tag);
  if (!oid_len || tag != 0x06) return {};
  auto oid = r.Bytes(*oid_len);
  if (!oid || AsString(*oid) != kSysDescrOid) return {};
  auto vlen = BerHeader(r, tag);
  if (!vlen || tag != 0x04) return {};
  auto v = r.Bytes(*vlen);
  if (!v) return {};
  return std::string(AsString(*v));
}

std::vector<UdpFinding> ProbeUdp(const std::string& address, const Limits& limits,
                                 RateLimiter& rate) {
  std::vector<UdpFinding> out;
  const auto timeout =
      std::min<std::chrono::milliseconds>(limits.io_timeout, std::chrono::milliseconds(1500));
  const std::size_t cap = std::min<std::size_t>(limits.max_bytes, 65507);

  // SNMP: the default communities, v2c then v1.
  for (const char* community : {"public", "private"}) {
    for (int version : {1, 0}) {
      const std::string a =
          UdpExchange(address, 161, SnmpGetSysDescr(version, community), timeout, cap, rate);
      if (a.empty()) continue;
      const std::string descr = SnmpSysDescr(a);
      out.push_back({161,
                     {{"service", "snmp"},
                      {"product", ""},
                      {"version", version == 1 ? "v2c" : "v1"},
                      {"community", community},
                      {"anonymous", true},
                      {"cleartext", true},
                      {"banner", Printable(descr.empty() ? a : descr)},
                      {"disclosure",
                       descr.empty() ? nlohmann::json::array()
                                     : nlohmann::json::array({"sysDescr: " + Printable(descr)})}}});
      break;
    }
  }

  // SSDP: unicast M-SEARCH; follow LOCATION to the device description when it is on this host.
  {
    const std::string req =
        "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
        "ST: ssdp:all\r\nUSER-AGENT: iotcop\r\n\r\n";
    const std::string a = UdpExchange(address, 1900, req, timeout, cap, rate);
    if (a.starts_with("HTTP/1.")) {
      nlohmann::json s = {{"service", "ssdp"},
                          {"cleartext", true},
                          {"banner", Printable(a)},
                          {"server", HeaderValue(a, "server")},
                          {"location", HeaderValue(a, "location")},
                          {"disclosure", nlohmann::json::array()}};
      if (!s["server"].get<std::string>().empty())
        s["disclosure"].push_back("Server: " + Printable(s["server"].get<std::string>()));
      // http://ADDRESS:PORT/path — only ever on the host being assessed.
      const std::string loc = s["location"];
      const std::string prefix = "http://" + address + ":";
      if (loc.starts_with(prefix)) {
        const auto slash = loc.find('/', prefix.size());
        unsigned port = 0;
        const std::string port_text = loc.substr(prefix.size(), slash - prefix.size());
        if (std::from_chars(port_text.data(), port_text.data() + port_text.size(), port).ec ==
                std::errc() &&
            port > 0 && port < 65536) {
          auto d = HttpGet(address, static_cast<std::uint16_t>(port), false,
                           slash == std::string::npos ? "/" : loc.substr(slash), limits, rate);
          if (d && d->status == 200) {
            for (const char* f : {"friendlyName", "manufacturer", "modelName", "modelNumber",
                                  "serialNumber", "UDN"}) {
              const std::string v = XmlField(d->body, f);
              if (!v.empty()) {
                s["description"][f] = v;
                s["disclosure"].push_back(std::string(f) + ": " + v);
              }
            }
          }
        }
      }
      out.push_back({1900, s});
    }
  }

  // mDNS: unicast query for the DNS-SD service list (_services._dns-sd._udp.local PTR).
  {
    std::string q("\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
    for (const char* label : {"_services", "_dns-sd", "_udp", "local"}) {
      q += static_cast<char>(std::strlen(label));
      q += label;
    }
    q += std::string("\x00\x00\x0c\x00\x01", 5);
    const std::string a = UdpExchange(address, 5353, q, timeout, cap, rate);
    if (a.size() >= 12 && (static_cast<unsigned char>(a[2]) & 0x80))
      out.push_back(
          {5353, {{"service", "mdns"}, {"cleartext", true}, {"banner", Printable(a, 120)}}});
  }

  // CoAP: confirmable GET /.well-known/core.
  {
    const std::string req =
        std::string("\x40\x01\x12\x34\xbb", 5) + ".well-known" + "\x04" + "core";
    const std::string a = UdpExchange(address, 5683, req, timeout, cap, rate);
    if (a.size() >= 4 && (static_cast<unsigned char>(a[0]) >> 6) == 1 && a[2] == '\x12' &&
        a[3] == '\x34') {
      const auto payload = a.find('\xff');
      nlohmann::json s = {{"service", "coap"}, {"cleartext", true}, {"banner", Printable(a, 120)}};
      if (payload != std::string::npos)
        s["disclosure"] = {"resources: " + Printable(std::string_view(a).substr(payload + 1), 200)};
      out.push_back({5683, s});
    }
  }

  // TFTP: read request for a file that should not exist; any TFTP packet back means a server.
  {
    const std::string req = std::string("\x00\x01", 2) + "iotcop-probe-nonexistent" +
                            std::string(1, '\0') + "octet" + std::string(1, '\0');
    const std::string a = UdpExchange(address, 69, req, timeout, cap, rate);
    if (a.size() >= 4 && a[0] == '\0' && (a[1] == '\x03' || a[1] == '\x05'))
      out.push_back(
          {69, {{"service", "tftp"}, {"cleartext", true}, {"banner", Printable(a, 120)}}});
  }
  return out;
}

}  // namespace iotcop::network
