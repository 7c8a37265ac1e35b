// traffic.cleartext.download: an archive, a firmware image or an executable fetched over plain
// HTTP that is not the product's update (traffic.updates.plain-download has those): what the
// body is comes from its magic bytes (gzip, xz, zip, tar, cpio, squashfs, uImage, TRX, ELF, PE,
// a script...), never from the file name, so a "photo.jpg" that is an ELF counts and an
// "archive.tar.gz" that is an HTML error page does not. Code or data the device runs or unpacks
// can be replaced by anyone on the path.
#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "traffic/checks/traffic_check.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckTrafficCleartextDownload(CheckContext& ctx) {
  bool found = false;
  for (const Fact* d : ctx.facts().OfKind(facts::kPlainDownload)) {
    const std::string kind = Str(*d, "payload_kind");
    std::vector<const Fact*> sources;
    bool exact = false;
    if (kind.empty() || trafficcheck::IsUpdateDownload(ctx.facts(), *d, sources, exact)) continue;
    const std::string url = Str(*d, "url");
    ctx.Report(checkutil::FindingOn(
                   {d},
                   fmt::format("{} ({}) downloaded over cleartext HTTP: {}", kind,
                               Str(*d, "payload"), url),
                   fmt::format("{} fetched {} without TLS and its body is {} ({}, by its magic "
                               "bytes): anyone on the path can replace what the device unpacks "
                               "or runs.",
                               Str(*d, "device"), url, kind, Str(*d, "payload")),
                   kind == "executable" ? Severity::kHigh : Severity::kMedium),
               "download:" + url);
    found = true;
  }
  if (!found)
    trafficcheck::JudgeCommunication(ctx, "5.5-1",
                                     "archive, image or executable downloaded in cleartext");
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeTrafficCleartextDownloadCheck() {
  return checkutil::MakeFunctionCheck(
      {"traffic.cleartext.download",
       "Archives, images and executables downloaded in cleartext",
       {"5.5-1"},
       {InputKind::kTraffic},
       {facts::kTrafficCapture, facts::kPlainDownload},
       "An archive, image or program fetched without TLS can be swapped on the way (shared "
       "Wi-Fi, the ISP, a compromised router): the device then unpacks or runs the attacker's "
       "code (5.5-1). What the body is comes from its magic bytes, not its name; downloads that "
       "are the product's update are judged by traffic.updates.plain-download (5.3-7, 5.3-10).",
       "Fetch every file the device installs, unpacks or runs over HTTPS with certificate "
       "validation, and verify its signature or hash before use.",
       Severity::kHigh},
      CheckTrafficCleartextDownload);
}

}  // namespace iotcop
