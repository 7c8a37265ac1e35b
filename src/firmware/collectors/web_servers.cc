// Web-auth collector: how the image's web servers protect their paths (firmware/web_auth.h): one
// `web_auth` fact per protected path (realm, method, user file, users) and per path served
// without authentication — a GoAhead route with no auth=, or an administration page or handler
// at the top of a document root outside every realm of a server that protects some paths. A
// server whose configuration protects nothing leaves authentication to its application (CGI,
// LuCI, GoAhead forms): then no path is said to be unprotected.
#include <algorithm>
#include <set>

#include "core/evidence.h"
#include "core/fact_kinds.h"
#include "firmware/collector.h"
#include "firmware/text.h"
#include "firmware/web_auth.h"

namespace iotcop::firmware {
namespace {

bool CoveredByRealm(const std::vector<WebRealm>& realms, const std::string& url) {
  for (const WebRealm& r : realms) {
    if (r.method == "none") continue;
    std::string p = r.path;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    if (p == "/" || url == p || url.starts_with(p + "/")) return true;
  }
  return false;
}

void CollectWebAuth(const FirmwareInput& in, FactStore& facts, std::vector<Problem>&) {
  for (std::uint32_t root : ConfigRoots(in.tree)) {
    WebAuth wa = DiscoverWebAuth(in.tree, root);
    for (const WebRealm& r : wa.realms) {
      nlohmann::json v = {{"server", r.server},
                          {"config", in.tree.DisplayPath(*r.config)},
                          {"path", r.path},
                          {"realm", r.realm},
                          {"method", r.method},
                          {"users", r.users},
                          {"admin", IsAdminWebPath(r.path)}};
      if (r.line) v["line"] = r.line;
      if (!r.user_file.empty()) v["user_file"] = r.user_file;
      const std::optional<std::uint32_t> line =
          r.line ? std::optional<std::uint32_t>(r.line) : std::nullopt;
      facts.Add(
          facts::kWebAuth, v,
          FileEvidence(in, *r.config, line,
                       r.path + " (" + r.method + (r.realm.empty() ? "" : ", " + r.realm) + ")"),
          "web-auth");
    }
    const bool protects_some = std::any_of(wa.realms.begin(), wa.realms.end(),
                                           [](const WebRealm& r) { return r.method != "none"; });
    if (!protects_some) continue;
    std::set<std::string> docroots;
    for (const WebServerConfig& s : wa.servers) {
      if (!s.docroot.empty()) docroots.insert(s.docroot);
    }
    if (docroots.empty()) docroots.insert("/www");
    std::set<std::string> seen;
    for (const std::string& d : docroots) {
      const unpack::Entry* dir = in.tree.Find(root, d);
      if (!dir || dir->type != unpack::EntryType::kDir) continue;
      for (const unpack::Entry* e : in.tree.List(root, dir->path)) {
        const std::string url = "/" + std::string(Basename(e->path));
        if (!IsAdminWebPath(url) || CoveredByRealm(wa.realms, url) || !seen.insert(url).second)
          continue;
        nlohmann::json v = {{"server", wa.servers.empty() ? "httpd" : wa.servers.front().server},
                            {"config", in.tree.DisplayPath(*e)},
                            {"path", url},
                            {"realm", ""},
                            {"method", "none"},
                            {"users", nlohmann::json::array()},
                            {"admin", true},
                            {"docroot", d}};
        facts.Add(facts::kWebAuth, v,
                  FileEvidence(in, *e, std::nullopt,
                               url + " is served from " + d + " outside every realm"),
                  "web-auth");
      }
    }
  }
}

}  // namespace

std::unique_ptr<const Collector> MakeWebAuthCollector() {
  return MakeFunctionCollector(
      {"web-auth",
       "web servers' authentication: realms, methods and users per path (lighttpd, BusyBox httpd, "
       "uhttpd, boa, GoAhead, mini_httpd/thttpd), and administration paths left outside them",
       {facts::kWebAuth}},
      CollectWebAuth);
}

}  // namespace iotcop::firmware
