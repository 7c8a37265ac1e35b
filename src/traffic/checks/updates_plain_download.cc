// traffic.updates.plain-download: firmware or an update fetched over plain HTTP or FTP: the path
// or host names firmware or an update, the body is a firmware image, or the firmware image of the
// same product (an update script's update_mechanism fact or an update endpoint) or the
// declaration (updates.*) names the server. The finding cites both: the image says where updates
// come from, the capture shows them arriving in cleartext. Other archives and executables fetched
// in cleartext are traffic.cleartext.download's (5.5-1).
#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "traffic/checks/traffic_check.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckTrafficUpdatesPlainDownload(CheckContext& ctx) {
  bool found = false;
  for (const Fact* d : ctx.facts().OfKind(facts::kPlainDownload)) {
    bool exact = false;
    const std::string url = Str(*d, "url");
    std::vector<const Fact*> sources;
    if (!trafficcheck::IsUpdateDownload(ctx.facts(), *d, sources, exact)) continue;
    std::vector<const Fact*> basis = {d};
    basis.insert(basis.end(), sources.begin(), sources.end());
    std::string also;
    if (!sources.empty()) {
      const Fact& s = *sources.front();
      also = fmt::format(
          " The firmware image names {} as an update source ({} in {}), so this is the "
          "product's own update channel.",
          exact ? "this URL" : "this server",
          s.kind == facts::kClaim
              ? "the declaration's " + Str(s, "field")
              : (Str(s, "mechanism").empty() ? "endpoint" : Str(s, "mechanism")),
          s.evidence.Locator());
    }
    ctx.Report(checkutil::FindingOn(
                   basis,
                   fmt::format("{} fetched over cleartext {}{}", url,
                               Str(*d, "protocol") == "ftp" ? "FTP" : "HTTP",
                               sources.empty() ? "" : " (the firmware's update URL)"),
                   fmt::format("{} downloaded {} without TLS ({}): anyone on the path can read "
                               "the image and replace it with their own.{}",
                               Str(*d, "device"), url, Str(*d, "why"), also),
                   Severity::kHigh, {"5.3-7", "5.3-10"}),
               "download:" + url);
    found = true;
  }
  if (!found) {
    for (const char* p : {"5.3-7", "5.3-10"}) {
      ctx.Inconclusive(p,
                       "no firmware or update download over HTTP or FTP in the capture; a capture "
                       "taken while the device checks for and installs an update would decide it");
    }
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeTrafficUpdatesPlainDownloadCheck() {
  return checkutil::MakeFunctionCheck(
      {"traffic.updates.plain-download",
       "Firmware or updates downloaded over plain HTTP or FTP",
       {"5.3-7", "5.3-10"},
       {InputKind::kTraffic},
       {facts::kPlainDownload},
       "An update fetched without TLS can be read and, unless the device verifies a signature, "
       "replaced on the way: every device on that network installs the attacker's firmware "
       "(5.3-7, 5.3-10).",
       "Fetch updates over HTTPS with certificate validation and verify a signature on the "
       "image before installing it.",
       Severity::kHigh},
      CheckTrafficUpdatesPlainDownload);
}

}  // namespace iotcop
