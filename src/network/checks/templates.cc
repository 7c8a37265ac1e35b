// File: network/checks/templates.cc
// net.templates: what the probe templates (rules/templates/, --templates; network/templates.h)
// found reachable on a live device without authentication. Each match is a finding that decides
// the provisions its template `decides` (an open configuration backup, an accepted UPnP
// AddPortMapping: 5.5-5) and informs those it `informs` (a version in a banner: 5.6-2). When no
// template matched, 5.5-5 stays INCONCLUSIVE with what was tried: the templates cover known
// paths, not every interface of the device.
#include <set>

#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"
#include "core/severity.h"
#include "network/checks/net_check.h"

namespace iotcop {
namespace {

using checkutil::Str;

std::vector<std::string> TplStrings(const Fact& f, const char* field) {
  std::vector<std::string> out;
  for (const auto& x : f.value.value(field, nlohmann::json::array()))
    if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

Status CheckNetTemplates(CheckContext& ctx) {
  std::set<std::string> decided;
  std::vector<FactId> basis;
  for (const Fact* f : ctx.facts().OfKind(facts::kTemplateMatch)) {
    basis.push_back(f->id);
    const std::string where = network::AddressPort(*f);
    Finding finding = checkutil::FindingOn(
        {f},
        fmt::format("{} on {} ({}): {}", Str(*f, "name"), where, Str(*f, "service"),
                    Str(*f, "request")),
        fmt::format("{} Template {} ({}:{}); answer: {}", Str(*f, "description"),
                    Str(*f, "template"), Str(*f, "file"), f->value.value("line", 0),
                    Str(*f, "excerpt")),
        ParseSeverity(Str(*f, "severity")).value_or(Severity::kMedium), TplStrings(*f, "decides"));
    finding.informs = TplStrings(*f, "informs");
    for (const auto& p : finding.provisions) decided.insert(p);
    ctx.Report(std::move(finding), "template:" + Str(*f, "template") + ":" + where);
  }
  std::size_t templates = 0, requests = 0, matched = basis.size();
  for (const Fact* s : ctx.facts().OfKind(facts::kTemplateScan)) {
    templates = std::max<std::size_t>(templates, s->value.value("templates", std::size_t{0}));
    requests += s->value.value("requests", std::size_t{0});
    basis.push_back(s->id);
  }
  if (basis.empty()) return Ok();  // no template ran: the engine says what is missing
  // Not matching a template is no proof that every interface asks for authentication.
  const std::string reason = fmt::format(
      "{} match(es) of {} probe templates ({} unauthenticated requests), none showing this "
      "provision unmet; the templates cover known vendor paths and actions, not every "
      "interface of the device",
      matched, templates, requests);
  for (const char* p : {"5.5-5", "5.6-2"})
    if (!decided.contains(p)) ctx.Inconclusive(p, reason, basis);
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeNetTemplatesCheck() {
  return checkutil::MakeFunctionCheck(
      {"net.templates",
       "Configuration and actions reachable without authentication (probe templates)",
       {"5.5-5", "5.6-2"},
       {InputKind::kNetwork},
       {facts::kTemplateMatch, facts::kTemplateScan},
       "5.5-5 asks that security-relevant configuration changes over a network interface need "
       "authentication; 5.6-2 that an interface discloses as little as possible without it. The "
       "probe templates (rules/templates/, docs/templates.md) send unauthenticated requests a "
       "lab would try: configuration backup downloads, admin pages and CGI actions, JSON APIs, "
       "ONVIF GetDeviceInformation/GetUsers, UPnP IGD AddPortMapping (deleted again at once), "
       "RTSP DESCRIBE, MQTT subscription to # after an anonymous CONNECT, versions in Telnet and "
       "SSH banners. A template decides a provision only when its match shows it unmet (content "
       "only an authenticated page shows, an action accepted); the others inform.",
       "Require authentication on every interface that reads or changes configuration or "
       "triggers actions; disable UPnP IGD or restrict it; require credentials for RTSP, ONVIF "
       "and MQTT; drop versions from banners.",
       Severity::kHigh,
       false,
       {"5.5-5", "5.6-2"}},
      CheckNetTemplates);
}

}  // namespace iotcop
