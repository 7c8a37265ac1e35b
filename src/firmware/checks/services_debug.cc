// fw.services.debug-daemon: vendor debug and remote-debugging daemons started at boot (TP-Link
// tddp and kin, Android adbd, gdbserver, generic debugd): network-reachable interfaces meant for
// the factory or the developer, often without authentication.
#include "core/check_util.h"
#include "core/fact_kinds.h"
#include "firmware/checks/services_named.h"

namespace iotcop {
namespace {

Status CheckServicesDebug(CheckContext& ctx) {
  checkutil::ReportServicesNamed(ctx, {{"tddp", "debugd", "adbd", "gdbserver"},
                                       "a debug daemon",
                                       "Debug daemons such as TP-Link's tddp (CVE-2020-28347, "
                                       "CVE-2019-6971) accept commands from the "
                                       "network, often without authentication.",
                                       Severity::kHigh});
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeDebugDaemonCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.services.debug-daemon",
       "Debug daemons started at boot",
       {"5.6-1", "5.6-5"},
       {InputKind::kFirmware},
       {facts::kService},
       "Factory and developer debug services are interfaces the product does not need in use "
       "(5.6-1, 5.6-5) and have a record of unauthenticated remote command execution.",
       "Remove debug daemons from production images or start them only on an authenticated, "
       "user-initiated request.",
       Severity::kHigh},
      CheckServicesDebug);
}

}  // namespace iotcop
