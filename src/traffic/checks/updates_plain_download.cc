// traffic.updates.plain-download: firmware or an update fetched over plain HTTP or FTP. When the
// firmware image of the same product names the URL (an update script's update_mechanism fact or
// an update endpoint), the finding cites both: the image says where updates come from, the
// capture shows them arriving in cleartext.
#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "traffic/checks/traffic_check.h"

namespace iotcop {
namespace {

using checkutil::Str;

struct Url {
  std::string host, path;
};

Url Split(std::string_view url) {
  Url u;
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return u;
  std::string_view rest = url.substr(scheme + 3);
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  if (const auto colon = authority.rfind(':');
      colon != std::string_view::npos && authority.front() != '[')
    authority = authority.substr(0, colon);
  for (char c : authority)
    u.host.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  u.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  return u;
}

// Firmware facts naming the downloaded URL's server; `exact` when one names the URL itself.
std::vector<const Fact*> FirmwareSources(const FactStore& facts, const Url& got, bool& exact) {
  std::vector<const Fact*> out;
  auto consider = [&](const Fact* f, const std::string& url) {
    const Url u = Split(url);
    if (u.host.empty() || u.host != got.host) return;
    if (u.path == got.path.substr(0, got.path.find('?'))) exact = true;
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  };
  for (const Fact* m : facts.OfKind(facts::kUpdateMechanism)) {
    consider(m, Str(*m, "url"));
    for (const auto& u : m->value.value("urls", nlohmann::json::array()))
      if (u.is_string()) consider(m, u.get<std::string>());
  }
  for (const Fact* e : facts.OfKind(facts::kEndpoint)) {
    if (Str(*e, "purpose") == "update") consider(e, Str(*e, "url"));
  }
  return out;
}

Status CheckTrafficUpdatesPlainDownload(CheckContext& ctx) {
  bool found = false;
  for (const Fact* d : ctx.facts().OfKind(facts::kPlainDownload)) {
    bool exact = false;
    const std::string url = Str(*d, "url");
    const auto sources = FirmwareSources(ctx.facts(), Split(url), exact);
    if (!d->value.value("firmware_like", false) && sources.empty()) continue;
    std::vector<const Fact*> basis = {d};
    basis.insert(basis.end(), sources.begin(), sources.end());
    std::string also;
    if (!sources.empty()) {
      const Fact& s = *sources.front();
      also = fmt::format(
          " The firmware image names {} as an update source ({} in {}), so this is the "
          "product's own update channel.",
          exact ? "this URL" : "this server",
          Str(s, "mechanism").empty() ? "endpoint" : Str(s, "mechanism"), s.evidence.Locator());
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
