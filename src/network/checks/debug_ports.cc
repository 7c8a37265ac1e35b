// File: network/checks/debug_ports.cc
// net.debug.ports: debug interfaces answering on the network — Android Debug Bridge (5555),
// gdbserver — factory and developer access left enabled in a shipped device.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"
#include "network/socket.h"
#include "protocols/address.h"

namespace iotcop {
namespace {

using checkutil::Str;
using protocols::HostPort;

Status CheckNetDebugPorts(CheckContext& ctx) {
  for (const Fact* s : ctx.facts().OfKind(facts::kNetworkService)) {
    const std::string svc = Str(*s, "service");
    if (svc != "adb" && svc != "gdbserver") continue;
    const std::string where =
        HostPort(Str(*s, "address"), s->value.value("port", std::uint16_t{0}));
    const bool open_adb = svc == "adb" && !s->value.value("authenticated", true);
    std::string title = svc == "adb" ? fmt::format("Android Debug Bridge answers on {}{}", where,
                                                   open_adb ? " without authentication" : "")
                                     : fmt::format("gdbserver answers on {}", where);
    ctx.Report(checkutil::FindingOn(
                   {s}, title,
                   svc == "adb" ? "adb over TCP gives a shell and file access to whoever "
                                  "connects (or whoever holds an accepted key)."
                                : "A remote debugger attached to a process lets anyone who "
                                  "connects read and change its memory and run code.",
                   open_adb || svc == "gdbserver" ? Severity::kCritical : Severity::kHigh),
               svc + ":" + where);
  }
  // 5.6-4 is about physically accessible debug interfaces: the network cannot show they are off.
  if (ctx.findings().empty())
    ctx.Inconclusive("5.6-4",
                     "no debug service (adb, gdbserver) answers on the network; physical debug "
                     "interfaces (UART, JTAG, SWD) need inspection of the device or the "
                     "manufacturer's declaration");
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeNetDebugPortsCheck() {
  return checkutil::MakeFunctionCheck(
      {"net.debug.ports",
       "Debug interfaces answering on the network",
       {"5.6-4", "5.6-1"},
       {InputKind::kNetwork},
       {facts::kNetworkService},
       "Debug interfaces (adb over TCP, gdbserver) are developer access the product does not need "
       "in use and must be disabled in software (5.6-4, 5.6-1).",
       "Disable adbd's TCP listener (service.adb.tcp.port) and remove gdbserver from production "
       "builds.",
       Severity::kCritical},
      CheckNetDebugPorts);
}

}  // namespace iotcop
