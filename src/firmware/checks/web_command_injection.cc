// fw.web.command-injection: a request value of a web handler (CGI script, haserl page, LuCI
// controller, PHP page) reaches a call that runs a shell command without a sanitizer on the way
// (firmware/taint). Deciding for 5.13-1 (input validation); a LuCI handler reachable without a
// login also cites 5.5-5 (security-relevant changes only after authentication).
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckWebCommandInjection(CheckContext& ctx) {
  const auto& facts = ctx.facts();
  std::size_t analysed = 0, skipped = 0;
  std::vector<FactId> basis;
  for (const Fact* h : facts.OfKind(facts::kWebHandler)) {
    if (h->value.value("analysed", false)) {
      ++analysed;
      basis.push_back(h->id);
    } else {
      ++skipped;
    }
  }
  bool open_found = false;
  for (const Fact* t : facts.OfKind(facts::kWebTaint)) {
    const bool open = t->value.contains("authenticated") &&
                      t->value["authenticated"].is_boolean() &&
                      !t->value["authenticated"].get<bool>();
    std::string chain;
    for (const auto& step : t->value["chain"]) {
      if (step.is_string()) chain += "\n  " + step.get<std::string>();
    }
    const std::string where = fmt::format("{}:{}", Str(*t, "path"), t->value.value("line", 0u));
    std::string message = fmt::format(
        "{} reaches {} in {} ({}) without a sanitizer: a client can run shell commands on the "
        "device. Chain (source first):{}",
        Str(*t, "source"), Str(*t, "sink"), where, Str(*t, "language"), chain);
    std::vector<std::string> provisions = {"5.13-1"};
    if (open) {
      message += fmt::format("\nThe handler is dispatcher entry '{}', reachable without a login.",
                             Str(*t, "entry"));
      provisions.push_back("5.5-5");
      open_found = true;
    }
    ctx.Report(
        checkutil::FindingOn({t},
                             fmt::format("command injection: {} reaches {} at {}",
                                         Str(*t, "source"), Str(*t, "sink"), where),
                             message, open ? Severity::kCritical : Severity::kHigh, provisions),
        fmt::format("web-taint:{}:{}:{}", Str(*t, "path"), Str(*t, "sink"), Str(*t, "source")));
  }
  if (analysed == 0 && skipped > 0)
    ctx.Inconclusive("5.13-1",
                     fmt::format("{} web handler(s) found but none could be analysed (precompiled "
                                 "Lua, templates, programs or parse errors)",
                                 skipped));
  else if (skipped > 0 && facts.OfKind(facts::kWebTaint).empty())
    ctx.Inconclusive("5.13-1",
                     fmt::format("{} web handler(s) analysed without finding, {} not analysed",
                                 analysed, skipped),
                     basis);
  // 5.5-5 is only informed: a handler reached without a login is reported with its injection,
  // but the absence of such a finding says nothing about the other changes a web interface makes.
  if (!open_found && analysed > 0)
    ctx.Inconclusive("5.5-5",
                     "only LuCI handlers with a command injection are examined for a login; the "
                     "other changes of the web interface are not",
                     basis);
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeWebCommandInjectionCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.web.command-injection",
       "Command injection in web handlers",
       {"5.13-1"},
       {InputKind::kFirmware},
       {facts::kWebHandler, facts::kWebTaint},
       "A request value (QUERY_STRING, a form field, luci.http.formvalue, $_GET...) that reaches "
       "a call running a shell (eval, sh -c, os.execute, io.popen, luci.sys.call, system, exec, "
       "backticks) lets any client of the web interface run commands on the device: the most "
       "common way consumer IoT fails to validate input (5.13-1). A LuCI handler outside the "
       "login-protected admin tree also makes the change without authentication, which informs "
       "5.5-5 (the dispatcher's routes alone cannot show every login the device asks for). The "
       "shell, Lua and PHP parsers and the taint engine follow values through assignments, "
       "concatenation, interpolation and the file's own functions (docs/web-handlers.md).",
       "Never build shell commands from request values: validate them against a whitelist "
       "(numbers with tonumber/intval, names against a fixed set), quote them "
       "(luci.util.shellquote, escapeshellarg) or call the program without a shell "
       "(nixio.exec, proc_open with an argument array); keep every handler that changes the "
       "device behind the login.",
       Severity::kHigh,
       false,
       {"5.5-5"}},
      CheckWebCommandInjection);
}

}  // namespace iotcop
