// File: network/udp.cc
// UDP discovery probes (see udp.h).
#include "network/udp.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>

#include "core/bytes.h"
#include "network/http.h"
#include "network/mdns.h"
#include "traffic/parsers.h"

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

  // mDNS: unicast query for the DNS-SD service list (_services._dns-sd._udp.local PTR), then each
  // service type's instances, TXT strings and host names (at most 8 types).
  {
    const MdnsAnswer types = ParseMdnsAnswer(
        UdpExchange(address, 5353, MdnsQuery("_services._dns-sd._udp.local"), timeout, cap, rate));
    if (types.response) {
      nlohmann::json s = {{"service", "mdns"},
                          {"cleartext", true},
                          {"services", nlohmann::json::array()},
                          {"disclosure", nlohmann::json::array()}};
      std::vector<std::string> hosts, txt;
      for (std::size_t i = 0; i < types.pointers.size() && i < 8; ++i) {
        const std::string& type = types.pointers[i];
        const MdnsAnswer one =
            ParseMdnsAnswer(UdpExchange(address, 5353, MdnsQuery(type), timeout, cap, rate));
        s["services"].push_back({{"type", type}, {"instances", one.pointers}, {"txt", one.txt}});
        for (const auto& h : one.hosts) hosts.push_back(h);
        for (const auto& t : one.txt)
          if (t.find('=') != std::string::npos && t.back() != '=') txt.push_back(type + " " + t);
      }
      s["hosts"] = hosts;
      s["banner"] = "DNS-SD services: " + fmt::format("{}", fmt::join(types.pointers, ", "));
      for (const auto& h : hosts) s["disclosure"].push_back("host name: " + h);
      for (const auto& t : txt) s["disclosure"].push_back("TXT " + t);
      out.push_back({5353, s});
    }
  }

  // CoAP: confirmable GET /.well-known/core; the link-format answer lists the resources.
  {
    const std::string req =
        std::string("\x40\x01\x12\x34\xbb", 5) + ".well-known" + "\x04" + "core";
    const std::string a = UdpExchange(address, 5683, req, timeout, cap, rate);
    const auto m = traffic::ParseCoap(AsBytes(a));
    if (m && a[2] == '\x12' && a[3] == '\x34') {
      nlohmann::json s = {{"service", "coap"},
                          {"cleartext", true},
                          {"banner", Printable(a, 120)},
                          {"code", fmt::format("{}.{:02}", m->code >> 5, m->code & 31)},
                          {"resources", nlohmann::json::array()}};
      // </path>;attr=...,</other>: the paths between angle brackets, at most 64.
      for (std::size_t at = m->payload.find('<');
           at != std::string::npos && s["resources"].size() < 64;
           at = m->payload.find('<', at + 1)) {
        const auto close = m->payload.find('>', at);
        if (close == std::string::npos) break;
        s["resources"].push_back(Printable(m->payload.substr(at + 1, close - at - 1), 120));
      }
      if (!m->payload.empty()) s["disclosure"] = {"resources: " + Printable(m->payload, 200)};
      out.push_back({5683, s});
    }
  }

  // TFTP: a read request for a file that should not exist. The answer comes from a new port (the
  // server's transfer ID). "File not found" means the server looked the name up for an anonymous
  // client: reads are served without authentication; DATA would be the file itself.
  {
    const std::string req = std::string("\x00\x01", 2) + "iotcop-probe-nonexistent" +
                            std::string(1, '\0') + "octet" + std::string(1, '\0');
    const std::string a = UdpExchange(address, 69, req, timeout, cap, rate, true);
    if (a.size() >= 4 && a[0] == '\0' && (a[1] == '\x03' || a[1] == '\x05')) {
      nlohmann::json s = {{"service", "tftp"},
                          {"cleartext", true},
                          {"anonymous", true},
                          {"banner", Printable(a, 120)}};
      if (a[1] == '\x05') {
        const int code = static_cast<unsigned char>(a[2]) << 8 | static_cast<unsigned char>(a[3]);
        const std::string text = Printable(std::string_view(a).substr(4, a.find('\0', 4) - 4), 80);
        s["read_answer"] = fmt::format("error {}: {}", code, text);
        // 1 file not found: it looked; 2 access violation / 0 other: it may refuse every read.
        s["reads"] = code == 1;
      } else {
        s["read_answer"] = "data";
        s["reads"] = true;
      }
      out.push_back({69, s});
    }
  }
  return out;
}

}  // namespace iotcop::network
