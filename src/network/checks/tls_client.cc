// File: network/checks/tls_client.cc
// net.tls-client.forged-certificate: the device's own TLS client met forged certificates
// (`assess --intercept`). One that completed the handshake and sent data accepted a server that
// was not the one it asked for: a FAIL of 5.5-1 a lab signs, and of 5.3-10 when the destination
// is the update server the firmware names. A completed handshake without data only informs. A
// destination whose every forgery was refused is what lets the provisions pass.
#include <fmt/format.h>

#include <map>
#include <set>

#include "core/fact_kinds.h"
#include "network/checks/net_check.h"

namespace iotcop {
namespace {

using checkutil::Str;

// The host of a URL ("https://upd.example.com:8443/fw" -> "upd.example.com").
std::string UrlHostOf(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (const auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  if (!url.empty() && url.front() == '[') return std::string(url.substr(1, url.find(']') - 1));
  return std::string(url.substr(0, url.find(':')));
}

// Host names of the update servers the firmware names (endpoints for updates, the URLs of the
// update mechanisms).
std::set<std::string> UpdateHosts(const FactStore& facts) {
  std::set<std::string> hosts;
  for (const Fact* e : facts.OfKind(facts::kEndpoint))
    if (Str(*e, "purpose") == "update" && !Str(*e, "host").empty()) hosts.insert(Str(*e, "host"));
  for (const Fact* u : facts.OfKind(facts::kUpdateMechanism)) {
    if (!Str(*u, "url").empty()) hosts.insert(UrlHostOf(Str(*u, "url")));
    if (u->value.contains("urls") && u->value["urls"].is_array())
      for (const auto& x : u->value["urls"])
        if (x.is_string()) hosts.insert(UrlHostOf(x.get<std::string>()));
  }
  hosts.erase("");
  return hosts;
}

Status RunForged(CheckContext& ctx) {
  // destination|name -> its tests
  std::map<std::string, std::vector<const Fact*>> by_target;
  for (const Fact* t : ctx.facts().OfKind(facts::kTlsClientTest))
    by_target[Str(*t, "destination") + ":" + std::to_string(t->value.value("port", 0)) + " " +
              Str(*t, "name")]
        .push_back(t);
  const std::set<std::string> update_hosts = UpdateHosts(ctx.facts());
  std::vector<std::string> update_refused, unsettled;
  bool any_accepted = false;
  bool update_tested = false;
  for (const auto& [target, tests] : by_target) {
    std::vector<const Fact*> accepted, handshake_only;
    std::size_t refused = 0;
    for (const Fact* t : tests) {
      const std::string outcome = Str(*t, "outcome");
      if (outcome == "accepted") accepted.push_back(t);
      if (outcome == "handshake-only") handshake_only.push_back(t);
      if (outcome == "refused") ++refused;
    }
    const Fact& first = *tests.front();
    const std::string name = Str(first, "name");
    const std::string where = fmt::format("{} ({})", name, network::AddressPort(first));
    const bool update =
        update_hosts.count(name) > 0 || update_hosts.count(Str(first, "destination"));
    update_tested = update_tested || update;
    auto kinds = [](const std::vector<const Fact*>& v) {
      std::vector<std::string> k;
      for (const Fact* f : v) k.push_back(Str(*f, "forgery"));
      return fmt::format("{}", fmt::join(k, ", "));
    };
    if (!accepted.empty()) {
      any_accepted = true;
      std::vector<std::string> provisions = {"5.5-1"};
      if (update) provisions.push_back("5.3-10");
      ctx.Report(checkutil::FindingOn(
                     accepted,
                     fmt::format("the device accepts forged certificates for {}: {}", where,
                                 kinds(accepted)),
                     fmt::format("The device completed TLS handshakes with a server presenting "
                                 "{} certificate(s) and then sent data ({}): it {}.{}",
                                 kinds(accepted), Str(*accepted.front(), "sent"),
                                 Str(*accepted.front(), "accepting_means"),
                                 update ? " This destination is the update server the firmware "
                                          "names: updates can be replaced in transit."
                                        : ""),
                     Severity::kHigh, provisions),
                 "tls-client-forged:" + name);
    } else if (!handshake_only.empty()) {
      Finding f = checkutil::FindingOn(
          handshake_only,
          fmt::format("the device completed handshakes with forged certificates for {} but sent "
                      "no data: {}",
                      where, kinds(handshake_only)),
          "The client finished the TLS handshake with a forged certificate and closed without "
          "sending data: it may check the certificate after the handshake, or had nothing to "
          "send. Repeat the interception while the device uses this connection.",
          Severity::kLow);
      f.informs = {"5.5-1"};
      ctx.Report(std::move(f), "tls-client-handshake:" + name);
      unsettled.push_back(where);
    } else if (update && refused == tests.size()) {
      update_refused.push_back(where);
    }
  }
  // A handshake finished with a forgery but no data: neither shown to accept nor to refuse.
  if (!any_accepted && !unsettled.empty())
    ctx.Inconclusive("5.5-1", fmt::format("{} completed the handshake with a forged certificate "
                                          "but sent nothing: intercept again while the device "
                                          "uses the connection",
                                          fmt::join(unsettled, ", ")));
  if (!update_refused.empty())
    ctx.Pass("5.3-10", fmt::format("the update server {} refused every forged certificate",
                                   fmt::join(update_refused, ", ")));
  else if (!update_tested)
    ctx.Inconclusive("5.3-10",
                     update_hosts.empty()
                         ? "no update server is known from the firmware, so no intercepted "
                           "connection can be told to be the update check"
                         : fmt::format("no connection to the update server ({}) was intercepted: "
                                       "intercept while the device checks for updates",
                                       fmt::join(update_hosts, ", ")));
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeNetTlsClientForgedCheck() {
  return checkutil::MakeFunctionCheck(
      {"net.tls-client.forged-certificate",
       "The device's TLS client accepts forged certificates",
       {"5.5-1", "5.3-10"},
       {InputKind::kNetwork},
       {facts::kTlsClientTest},
       "With `assess --intercept`, the device's own outbound TLS connections are answered with "
       "forged certificates (self-signed, from an untrusted CA, valid for another name, expired, "
       "1024-bit key). A client that completes the handshake and sends data does not "
       "authenticate the server: its traffic can be read and changed (5.5-1), and from the update "
       "server the firmware names, updates can be replaced (5.3-10). A destination that refused "
       "every forgery is evidence that the client checks.",
       "Verify the server's certificate chain against the CAs the device needs (pinned where "
       "possible) and the host name, and refuse expired and weak certificates.",
       Severity::kHigh,
       false,
       {"5.5-1"}},
      RunForged);
}

}  // namespace iotcop
