// File: network/checks/disclosure.cc
// net.disclosure.banner: what the live device tells anyone who asks, without authentication —
// software versions in banners and Server headers, UPnP device descriptions (model, serial),
// SNMP sysDescr, CoAP resource lists (5.6-2). The SSH identification string is exempt: the
// protocol requires it.
// net.disclosure.securitytxt: /.well-known/security.txt served by the device (5.2-1): valid over
// HTTPS passes; invalid, HTTP-only or absent is INCONCLUSIVE (the policy may be published
// elsewhere) with what was fetched.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"
#include "network/socket.h"
#include "protocols/address.h"

namespace iotcop {
namespace {

using checkutil::Str;
using protocols::HostPort;

Status RunBanner(CheckContext& ctx) {
  for (const Fact* s : ctx.facts().OfKind(facts::kNetworkService)) {
    const auto& d = s->value.value("disclosure", nlohmann::json::array());
    if (!d.is_array() || d.empty()) continue;
    std::vector<std::string> what;
    for (const auto& x : d) what.push_back(x.get<std::string>());
    const std::string where =
        HostPort(Str(*s, "address"), s->value.value("port", std::uint16_t{0})) + "/" +
        Str(*s, "transport");
    ctx.Report(
        checkutil::FindingOn({s},
                             fmt::format("{} on {} discloses without authentication: {}",
                                         Str(*s, "service"), where, fmt::join(what, "; ")),
                             "Software versions and device identity given to anyone who asks "
                             "let an attacker pick matching exploits without a trace.",
                             Severity::kLow),
        "disclosure:" + where);
  }
  return Ok();
}

Status RunSecurityTxt(CheckContext& ctx) {
  std::vector<FactId> live;
  std::string valid_at, invalid;
  for (const Fact* d : ctx.facts().OfKind(facts::kDisclosure)) {
    if (d->evidence.source != InputKind::kNetwork) continue;
    live.push_back(d->id);
    if (d->value.value("valid", false)) {
      if (valid_at.empty()) valid_at = Str(*d, "url") + " (" + Str(*d, "contact") + ")";
    } else if (invalid.empty()) {
      const auto& e = d->value.value("errors", nlohmann::json::array());
      invalid =
          Str(*d, "url") + ": " + (e.empty() ? std::string("invalid") : e[0].get<std::string>());
    }
  }
  if (!valid_at.empty()) {
    ctx.Pass("5.2-1", "the device serves a valid security.txt at " + valid_at, live);
    return Ok();
  }
  if (!invalid.empty()) {
    ctx.Inconclusive("5.2-1",
                     "the device's security.txt is not valid (" + invalid +
                         "); the manufacturer's published policy or declaration would decide it",
                     live);
    return Ok();
  }
  bool web = false;
  for (const Fact* s : ctx.facts().OfKind(facts::kNetworkService))
    web = web || Str(*s, "service") == "http" || Str(*s, "service") == "https";
  ctx.Inconclusive("5.2-1",
                   web ? "the device serves no /.well-known/security.txt; the manufacturer's "
                         "published policy or declaration would decide it"
                       : "the device has no web interface to serve security.txt; the "
                         "manufacturer's published policy or declaration would decide it");
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeNetDisclosureBannerCheck() {
  return checkutil::MakeFunctionCheck(
      {"net.disclosure.banner",
       "Versions and identity disclosed without authentication",
       {"5.6-2"},
       {InputKind::kNetwork},
       {facts::kNetworkService},
       "5.6-2 asks network interfaces to disclose as little security-relevant information as "
       "possible without authentication: software versions (FTP/HTTP/RTSP banners, Server "
       "headers), UPnP model and serial numbers, SNMP sysDescr.",
       "Remove versions from banners and Server headers; answer UPnP and SNMP only where needed.",
       Severity::kLow},
      RunBanner);
}

std::unique_ptr<const Check> MakeNetSecurityTxtCheck() {
  return checkutil::MakeFunctionCheck(
      {"net.disclosure.securitytxt",
       "security.txt served by the device",
       {"5.2-1"},
       {InputKind::kNetwork},
       {facts::kDisclosure},
       "A valid /.well-known/security.txt (RFC 9116) served over HTTPS names the vulnerability "
       "disclosure contact (5.2-1). Its absence on the device does not show there is no policy.",
       "Serve /.well-known/security.txt over HTTPS with Contact, Expires and Policy.",
       Severity::kInfo},
      RunSecurityTxt);
}

}  // namespace iotcop
