// File: firmware/boot/boot.h
// What a firmware runs at boot, read from its init configuration without executing anything:
// BusyBox/SysV inittab (or Ralink's /etc_ro copy), rcS and every script it calls (including
// `for i in /etc/init.d/S??*` loops and run-parts), init.d scripts enabled by rc.d links (OpenWrt:
// enabled iff the link exists), procd `procd_set_param command`, systemd units enabled under
// *.wants, /etc/rc.local (OpenWrt's done, systemd's rc-local.service), inetd.conf and xinetd.d,
// and cron tables. Comment lines start nothing. Shared by the services, accounts and keys
// collectors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "unpack/tree.h"

namespace iotcop::firmware {

// One simple command found on a boot path.
struct BootCommand {
  const unpack::Entry* file = nullptr;  // the file the command is written in
  std::uint32_t line = 0;               // 1-based line in `file`
  std::string code;                     // the line's code (comments stripped)
  std::vector<std::string> argv;        // launcher words removed (service_start, exec, ...)
  bool background = false;
  bool daemon = false;  // a long-running program: known daemon, backgrounded, or launched
  // inittab | rcS | initd | procd | systemd | rc.local | inetd | xinetd | cron
  std::string init;
  std::string started_by;  // the path that makes it run at boot (rc.d link, inittab, unit link)
  std::string user;        // when the configuration says it (inetd user, User=, --chuid)
  std::string tty;         // inittab: the terminal (BusyBox id field)
  std::string action;      // inittab: respawn, askfirst, sysinit...
  std::string schedule;    // cron: the five time fields or @reboot, @hourly...
  std::string note;        // why the command may never run ("crond is not started at boot...")
};

struct BootPlan {
  std::vector<BootCommand> commands;
  std::vector<const unpack::Entry*> scripts;  // every script found on a boot path
};

// Boot commands of one root. Bounded: scripts up to 1 MiB, depth 12, 50000 commands.
BootPlan DiscoverBoot(const unpack::Tree& tree, std::uint32_t root);

// True for names of programs that are servers/daemons (telnetd, dropbear, httpd, tddp...).
bool IsKnownDaemon(std::string_view name);

}  // namespace iotcop::firmware
