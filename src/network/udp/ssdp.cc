// File: network/udp/ssdp.cc
// SSDP on a live device: a unicast M-SEARCH; the answer's SERVER and LOCATION, and when LOCATION
// is on the host being assessed, the UPnP device description's identifying fields.
#include <charconv>

#include "network/http.h"
#include "network/udp/udp.h"
#include "protocols/ssdp.h"

namespace iotcop::network {

void ProbeSsdp(const UdpTarget& t, std::vector<UdpFinding>& out) {
  const std::string req =
      "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
      "ST: ssdp:all\r\nUSER-AGENT: iotcop\r\n\r\n";
  const std::string a = UdpExchange(t.address, 1900, req, t.timeout, t.cap, t.rate);
  if (!a.starts_with("HTTP/1.")) return;
  nlohmann::json s = {{"service", "ssdp"},
                      {"cleartext", true},
                      {"banner", Printable(a)},
                      {"server", protocols::SsdpHeader(a, "server")},
                      {"location", protocols::SsdpHeader(a, "location")},
                      {"disclosure", nlohmann::json::array()}};
  if (!s["server"].get<std::string>().empty())
    s["disclosure"].push_back("Server: " + Printable(s["server"].get<std::string>()));
  // http://ADDRESS:PORT/path — only ever on the host being assessed.
  const std::string loc = s["location"];
  const std::string prefix = "http://" + t.address + ":";
  if (loc.starts_with(prefix)) {
    const auto slash = loc.find('/', prefix.size());
    unsigned port = 0;
    const std::string port_text = loc.substr(prefix.size(), slash - prefix.size());
    if (std::from_chars(port_text.data(), port_text.data() + port_text.size(), port).ec ==
            std::errc() &&
        port > 0 && port < 65536) {
      auto d = HttpGet(t.address, static_cast<std::uint16_t>(port), false,
                       slash == std::string::npos ? "/" : loc.substr(slash), t.limits, t.rate);
      if (d && d->status == 200) {
        for (const char* f :
             {"friendlyName", "manufacturer", "modelName", "modelNumber", "serialNumber", "UDN"}) {
          const std::string v = Printable(protocols::UpnpField(d->body, f), 200);
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

}  // namespace iotcop::network
