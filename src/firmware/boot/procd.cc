// File: firmware/boot/procd.cc
// OpenWrt's init scripts: an enabled script whose first line is `#!/bin/sh /etc/rc.common` runs
// through rc.common, which calls its boot() (or else start()) at boot, and start() calls a procd
// script's start_service(). Launchers: `procd_set_param command PROG ARGS` (procd) and the older
// service.sh `service_start PROG ARGS` name the program that runs as the service. Which scripts
// are enabled (the /etc/rc.d links) is rcd.cc's.
#include <string_view>

#include "firmware/boot/walker.h"

namespace iotcop::firmware::boot {

bool OpenWrtLauncher(Walker& w, const std::vector<std::string>& argv, BootCommand& c) {
  const std::string_view prog = Basename(argv[0]);
  if (prog != "service_start" && prog != "procd_set_param") return false;
  std::size_t from = 1;
  if (prog == "procd_set_param") {
    if (argv.size() < 3 || argv[1] != "command") return true;
    from = 2;
    c.init = "procd";
  }
  c.argv.assign(argv.begin() + static_cast<std::ptrdiff_t>(from), argv.end());
  c.daemon = true;
  w.Add(std::move(c));
  return true;
}

void RunRcCommon(Walker& w, Frame& f, std::string_view text) {
  if (!text.starts_with("#!/bin/sh /etc/rc.common")) return;
  for (const char* entry : {"boot", "start", "start_service"}) {
    auto it = f.parsed->functions.find(entry);
    if (it == f.parsed->functions.end() || f.calling.count(entry)) continue;
    f.calling.insert(entry);
    w.RunLines(f, it->second);
    if (std::string_view(entry) == "boot") break;  // boot() calls start() itself when it wants to
  }
}

}  // namespace iotcop::firmware::boot
