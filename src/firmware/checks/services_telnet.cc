// fw.services.telnet: telnet started at boot. Worst case a shell without login (`telnetd -l
// /bin/sh`); next, a login while an account has no password or a default one (the two findings
// combine into one critical finding: corpus 03 starts telnetd from /etc/rc.d/S50telnet while root
// has no password); otherwise a cleartext remote login that should not be enabled.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"
#include "firmware/text.h"

namespace iotcop {
namespace {

using checkutil::Str;

bool Telnet(const Fact& s) {
  const std::string n = Str(s, "name");
  if (n == "telnetd" || n == "utelnetd" || n == "in.telnetd" || n == "telnet") return true;
  // busybox telnetd, tcpsvd ... telnetd
  if (n == "busybox" || n == "tcpsvd" || n == "udpsvd") {
    for (const auto& a : s.value["argv"]) {
      if (a.is_string() &&
          (a.get<std::string>() == "telnetd" || a.get<std::string>().ends_with("/telnetd")))
        return true;
    }
  }
  return false;
}

// The program telnetd runs instead of /bin/login (-l PROG).
std::string LoginProgram(const Fact& s) {
  const auto& argv = s.value["argv"];
  for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == "-l") return argv[i + 1].get<std::string>();
  }
  return "/bin/login";
}

Status CheckServicesTelnet(CheckContext& ctx) {
  const auto& facts = ctx.facts();
  // Accounts anyone can log in as: no password, or a cracked default.
  std::vector<const Fact*> open;
  for (const Fact* a : facts.OfKind(facts::kAccount)) {
    const std::string st = a->value["password"].value("state", "");
    if (a->value.value("login", false) && (st == "empty" || st == "none")) open.push_back(a);
  }
  for (const Fact* c : facts.OfKind(facts::kCredential)) {
    if (Str(*c, "kind") == "account" && c->value.value("cracked", false) &&
        c->value.value("login", false))
      open.push_back(c);
  }
  for (const Fact* s : facts.OfKind(facts::kService)) {
    if (!Telnet(*s)) continue;
    const std::string login = LoginProgram(*s);
    const std::string key = "telnet:" + Str(*s, "name") + "@" + Str(*s, "started_by");
    const std::string started =
        fmt::format("{} (started by {}, {}:{})", Str(*s, "command"), Str(*s, "started_by"),
                    Str(*s, "file"), s->value.value("line", 0u));
    if (firmware::IsShell(login)) {
      ctx.Report(checkutil::FindingOn(
                     {s}, fmt::format("telnet gives a shell without login: {}", started),
                     fmt::format("telnetd runs {} instead of a login program: anyone on the "
                                 "network gets a root shell without a password.",
                                 login),
                     Severity::kCritical, {"5.6-1", "5.6-5", "5.1-1"}),
                 key);
      continue;
    }
    if (!open.empty()) {
      std::vector<const Fact*> basis = {s};
      basis.insert(basis.end(), open.begin(), open.end());
      const Fact& o = *open.front();
      const std::string who = o.kind == facts::kAccount ? Str(o, "name") : Str(o, "user");
      const std::string why =
          o.kind == facts::kAccount
              ? (o.value["password"].value("state", "") == "empty" ? "an empty password"
                                                                   : "no password set")
              : "a default password (" + Str(o, "source") + ")";
      ctx.Report(
          checkutil::FindingOn(
              basis,
              fmt::format("telnet is started at boot while '{}' has {}: {}", who, why, started),
              fmt::format("Telnet ({} via {}) accepts remote logins in cleartext and '{}' "
                          "can log in with {}: a remote shell for anyone on the network.",
                          Str(*s, "name"), login, who, why),
              Severity::kCritical, {"5.6-1", "5.6-5", "5.1-1"}),
          key);
      continue;
    }
    ctx.Report(checkutil::FindingOn(
                   {s}, fmt::format("telnet is started at boot: {}", started),
                   "Telnet is a cleartext remote login; a consumer device should not enable it.",
                   Severity::kHigh),
               key);
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeTelnetCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.services.telnet",
       "Telnet started at boot",
       {"5.6-1", "5.6-5"},
       {InputKind::kFirmware},
       {facts::kService},
       "Telnet sends credentials in cleartext and, on many devices, opens a root shell with a "
       "default or no password: the entry point of the Mirai botnets. It is an interface a "
       "consumer "
       "product does not need (5.6-1, 5.6-5).",
       "Do not start telnetd; if remote maintenance is needed use SSH with per-unit keys or "
       "user-set passwords, disabled by default.",
       Severity::kHigh},
      CheckServicesTelnet);
}

}  // namespace iotcop
