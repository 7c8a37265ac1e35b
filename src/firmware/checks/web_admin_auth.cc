// fw.web.admin-without-auth: administration pages and handlers that a web server of the image
// serves without authentication while it protects other paths (a lighttpd auth.require, an
// httpd.conf or .htpasswd realm that leaves /cgi-bin or /admin out), and GoAhead routes to form
// handlers with no auth=. Application-level logins (CGI sessions, LuCI) are not visible in the
// server's configuration, so this is evidence to look at, not proof that no login guards them.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckWebAdminWithoutAuth(CheckContext& ctx) {
  bool found = false;
  for (const Fact* w : ctx.facts().OfKind(facts::kWebAuth)) {
    if (Str(*w, "method") != "none" || !w->value.value("admin", false)) continue;
    found = true;
    ctx.Report(checkutil::FindingOn(
                   {w},
                   fmt::format("administration path {} served by {} without authentication ({})",
                               Str(*w, "path"), Str(*w, "server"), Str(*w, "config")),
                   fmt::format("The {} configuration protects other paths but not {}: a "
                               "security-relevant change made there needs no login unless the "
                               "application itself asks for one.",
                               Str(*w, "server"), Str(*w, "path")),
                   Severity::kMedium),
               Str(*w, "server") + ":" + Str(*w, "path"));
  }
  if (!found)
    ctx.Inconclusive("5.5-5",
                     "the web servers' own authentication covers every administration path found; "
                     "logins made by the web application itself are not visible in the firmware");
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeWebAdminWithoutAuthCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.web.admin-without-auth",
       "Web administration paths outside the web server's authentication",
       {},
       {InputKind::kFirmware},
       {facts::kWebAuth},
       "EN 303 645 5.5-5 requires that functionality allowing security-relevant configuration "
       "changes over a network interface is reachable only after authentication. When a web "
       "server's configuration protects some paths (lighttpd auth.require, httpd.conf or "
       ".htpasswd realms, GoAhead routes with auth=) but leaves an administration page or handler "
       "(/cgi-bin, /admin, /goform, *.cgi) outside them, that page answers without a login unless "
       "the application checks one itself, which the configuration cannot show: this informs "
       "5.5-5 rather than deciding it.",
       "Put every administration path under the server's authentication (or the application's "
       "session check) and keep only the login page and static assets public.",
       Severity::kMedium,
       false,
       {"5.5-5"}},
      CheckWebAdminWithoutAuth);
}

}  // namespace iotcop
