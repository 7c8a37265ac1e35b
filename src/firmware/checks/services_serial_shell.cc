// fw.services.serial-shell: a shell on a serial console without a login (inittab
// `ttyS0::respawn:/bin/sh`, `::askfirst:-/bin/sh`, `getty -n -l /bin/sh`). Anyone with the board
// and a UART adapter gets root: a physically accessible debug interface left enabled (5.6-4).
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"
#include "firmware/text.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckServicesSerialShell(CheckContext& ctx) {
  for (const Fact* s : ctx.facts().OfKind(facts::kService)) {
    if (Str(*s, "init") != "inittab") continue;
    const auto& argv = s->value["argv"];
    if (argv.empty() || !argv[0].is_string()) continue;
    bool shell = firmware::IsShell(argv[0].get<std::string>());
    const std::string prog = Str(*s, "name");
    if ((prog == "getty" || prog == "agetty") && !shell) {
      // getty -n -l /bin/sh: no login prompt, runs the shell directly.
      bool no_prompt = false;
      for (std::size_t i = 1; i < argv.size(); ++i) {
        if (argv[i] == "-n") no_prompt = true;
        if (argv[i] == "-l" && i + 1 < argv.size() &&
            firmware::IsShell(argv[i + 1].get<std::string>()) && no_prompt)
          shell = true;
      }
    }
    if (!shell) continue;
    const std::string tty = Str(*s, "tty").empty() ? "the console" : Str(*s, "tty");
    ctx.Report(checkutil::FindingOn(
                   {s},
                   fmt::format("root shell without login on {} ({}:{}: {})", tty, Str(*s, "file"),
                               s->value.value("line", 0u), Str(*s, "action")),
                   fmt::format("init runs {} on {} with no login: anyone with physical access to "
                               "the serial port gets a root shell.",
                               Str(*s, "command"), tty),
                   Severity::kHigh),
               "serial-shell:" + tty + "@" + Str(*s, "file"));
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeSerialShellCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.services.serial-shell",
       "Shell on a serial console without login",
       {"5.6-4"},
       {InputKind::kFirmware},
       {facts::kService},
       "A UART console that drops into a root shell without authentication is a physically "
       "accessible debug interface left enabled in software (5.6-4).",
       "Run a login (getty + /bin/login) on the console, or disable the console in production "
       "builds.",
       Severity::kHigh},
      CheckServicesSerialShell);
}

}  // namespace iotcop
