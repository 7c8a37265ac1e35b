// fw.services.upnp: UPnP IGD daemons started at boot (miniupnpd, upnpd). UPnP lets any program on
// the LAN open ports in the router's firewall without authentication.
#include "core/check_util.h"
#include "core/fact_kinds.h"
#include "firmware/checks/services_named.h"

namespace iotcop {
namespace {

Status CheckServicesUpnp(CheckContext& ctx) {
  checkutil::ReportServicesNamed(
      ctx, {{"miniupnpd", "upnpd", "linuxigd"},
            "a UPnP daemon",
            "UPnP IGD lets any LAN program open inbound ports without authentication "
            "and has a long record of remotely exploitable bugs.",
            Severity::kMedium});
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeUpnpCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.services.upnp",
       "UPnP enabled at boot",
       {},
       {InputKind::kFirmware},
       {facts::kService},
       "UPnP port mapping is an unauthenticated interface that "
       "widens the attack surface; it should "
       "be off unless the user needs it (5.6-1, 5.6-5). Whether the user "
       "needs it is the manufacturer's to declare, so this only "
       "informs those provisions.",
       "Ship UPnP disabled and let the user enable it.",
       Severity::kMedium,
       false,
       {"5.6-1", "5.6-5"}},
      CheckServicesUpnp);
}

}  // namespace iotcop
