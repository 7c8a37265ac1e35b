// File: network/security_txt.cc
// security.txt fetched from the device (see security_txt.h).
#include "network/security_txt.h"

#include <strings.h>

#include <fmt/format.h>

#include "network/http.h"
#include "protocols/address.h"
#include "protocols/securitytxt.h"

namespace iotcop::network {

SecurityTxtResult FetchSecurityTxt(const std::vector<Endpoint>& web, const Limits& limits,
                                   RateLimiter& rate) {
  SecurityTxtResult out;
  std::vector<const Endpoint*> order;
  for (const auto& e : web)
    if (e.tls) order.push_back(&e);
  for (const auto& e : web)
    if (!e.tls) order.push_back(&e);
  for (const Endpoint* e : order) {
    const std::string url =
        fmt::format("{}://{}/.well-known/security.txt", e->tls ? "https" : "http",
                    protocols::HostPort(e->address, e->port));
    auto r = HttpGet(e->address, e->port, e->tls, "/.well-known/security.txt", limits, rate);
    if (!r) {
      out.tried.push_back(url + " -> " + r.error().what);
      continue;
    }
    out.tried.push_back(fmt::format("{} -> {}", url, r->status));
    if (r->status != 200 || r->body.empty()) continue;
    securitytxt::Options o;
    o.fetched_from = url;
    const securitytxt::Report report = securitytxt::Validate(r->body, o);
    std::string policy;
    std::uint32_t first_line = 0;
    for (const auto& f : report.fields) {
      if (strcasecmp(f.name.c_str(), "Policy") == 0) policy = f.value;
      if (strcasecmp(f.name.c_str(), "Contact") == 0 && first_line == 0) first_line = f.line;
    }
    nlohmann::json issues = nlohmann::json::array();
    for (const auto& i : report.issues)
      if (i.level == securitytxt::Level::kError)
        issues.push_back(fmt::format("line {}: {}", i.line, i.message));
    if (!e->tls) issues.push_back("served over plain HTTP only: RFC 9116 requires HTTPS");
    out.disclosure =
        nlohmann::json{{"kind", "security.txt"},
                       {"path", url},
                       {"url", url},
                       {"transport", e->tls ? "https" : "http"},
                       {"status", r->status},
                       {"contact", report.contacts.empty() ? "" : report.contacts.front()},
                       {"contacts", report.contacts},
                       {"policy", policy},
                       {"well_known", true},
                       {"valid", report.valid() && e->tls},
                       {"errors", issues}};
    out.evidence.source = InputKind::kNetwork;
    out.evidence.input = e->input;
    out.evidence.endpoint = e->Locator();
    out.evidence.path = "/.well-known/security.txt";
    if (first_line) out.evidence.line = first_line;
    out.evidence.excerpt = BoundExcerpt(
        report.contacts.empty() ? "(no Contact: field)" : "Contact: " + report.contacts.front());
    return out;
  }
  return out;
}

}  // namespace iotcop::network
