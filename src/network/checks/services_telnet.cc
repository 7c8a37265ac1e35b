// File: network/checks/services_telnet.cc
// net.services.telnet: a telnet server answers on the live device — a cleartext remote login, the
// interface the Mirai botnets came in through. Joins fw.services.telnet on 5.6-1 when the firmware
// starts telnetd at boot.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"
#include "network/socket.h"
#include "protocols/address.h"

namespace iotcop {
namespace {

using checkutil::Str;
using protocols::HostPort;

Status CheckNetServicesTelnet(CheckContext& ctx) {
  for (const Fact* s : ctx.facts().OfKind(facts::kNetworkService)) {
    if (Str(*s, "service") != "telnet") continue;
    const std::string where =
        HostPort(Str(*s, "address"), s->value.value("port", std::uint16_t{0}));
    ctx.Report(
        checkutil::FindingOn({s}, fmt::format("telnet answers on {}", where),
                             "A telnet server accepts connections: logins and everything typed "
                             "cross the network in cleartext, and telnet is an interface a "
                             "consumer device does not need.",
                             Severity::kHigh),
        "telnet:" + where);
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeNetTelnetCheck() {
  return checkutil::MakeFunctionCheck(
      {"net.services.telnet",
       "Telnet answering on the live device",
       {"5.6-1", "5.6-5", "5.5-1"},
       {InputKind::kNetwork},
       {facts::kNetworkService},
       "Telnet sends credentials in cleartext and is the usual way into IoT devices (Mirai). "
       "An enabled telnet server is an unneeded interface (5.6-1, 5.6-5) without best-practice "
       "cryptography (5.5-1).",
       "Disable telnetd; offer SSH with per-unit keys or user-set passwords if remote "
       "maintenance is needed.",
       Severity::kHigh},
      CheckNetServicesTelnet);
}

}  // namespace iotcop
