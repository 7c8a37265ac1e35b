// File: network/udp/coap.cc
// CoAP on a live device: a confirmable GET /.well-known/core; the link-format answer (read by
// protocols/coap.h) lists the resources.
#include <fmt/format.h>

#include "network/udp/udp.h"
#include "protocols/coap.h"

namespace iotcop::network {

void ProbeCoap(const UdpTarget& t, std::vector<UdpFinding>& out) {
  const std::string req = std::string("\x40\x01\x12\x34\xbb", 5) + ".well-known" + "\x04" + "core";
  const std::string a = UdpExchange(t.address, 5683, req, t.timeout, t.cap, t.rate);
  const auto m = protocols::ParseCoap(AsBytes(a));
  if (!m || a[2] != '\x12' || a[3] != '\x34') return;
  nlohmann::json s = {{"service", "coap"},
                      {"cleartext", true},
                      {"banner", Printable(a, 120)},
                      {"code", fmt::format("{}.{:02}", m->code >> 5, m->code & 31)},
                      {"resources", nlohmann::json::array()}};
  // </path>;attr=...,</other>: the paths between angle brackets, at most 64.
  for (std::size_t at = m->payload.find('<'); at != std::string::npos && s["resources"].size() < 64;
       at = m->payload.find('<', at + 1)) {
    const auto close = m->payload.find('>', at);
    if (close == std::string::npos) break;
    s["resources"].push_back(Printable(m->payload.substr(at + 1, close - at - 1), 120));
  }
  if (!m->payload.empty()) s["disclosure"] = {"resources: " + Printable(m->payload, 200)};
  out.push_back({5683, s});
}

}  // namespace iotcop::network
