// File: network/udp/snmp.cc
// SNMP on a live device: sysDescr.0 asked with the default communities (public, private), v2c
// then v1; the first that answers is the finding (protocols/snmp.h reads the answer).
#include "protocols/snmp.h"
#include "network/udp/udp.h"

namespace iotcop::network {

void ProbeSnmp(const UdpTarget& t, std::vector<UdpFinding>& out) {
  for (const char* community : {"public", "private"}) {
    for (int version : {1, 0}) {
      const std::string a = UdpExchange(
          t.address, 161, protocols::SnmpGetSysDescr(version, community), t.timeout, t.cap, t.rate);
      if (a.empty()) continue;
      const std::string descr = protocols::SnmpSysDescr(a);
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
}

}  // namespace iotcop::network
