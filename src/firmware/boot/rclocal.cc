// File: firmware/boot/rclocal.cc
// /etc/rc.local, the administrator's "last thing at boot" script, as the init systems that run it
// decide: OpenWrt's /etc/init.d/done (enabled by its /etc/rc.d/S??done link) runs `sh
// /etc/rc.local` in its boot(); systemd's rc-local.service runs it when the unit is enabled by a
// *.wants link or, as systemd-rc-local-generator does, when /etc/rc.local is executable; SysV runs
// it from an rc folder's S99rc.local link (rcd.cc follows that one). OpenWrt's rc.local has no
// `#!` line: it is read as a script because `sh` runs it. Commands found there have init
// "rc.local" (shell.cc names them so whoever follows the file first).
#include <string_view>

#include "firmware/boot/walker.h"

namespace iotcop::firmware::boot {

void WalkRcLocal(Walker& w) {
  const Entry* rc_local = w.tree.Find(w.root, "/etc/rc.local");
  if (!rc_local || rc_local->type != EntryType::kFile) return;
  // OpenWrt: /etc/init.d/done, enabled iff linked from /etc/rc.d.
  for (const Entry* link : w.Glob("/etc/rc.d/S??done")) {
    const Entry* done = w.tree.Find(w.root, link->path);
    if (done && done->type == EntryType::kFile)
      w.Script(*rc_local, link->path, "rc.local", 1, /*run_by_shell=*/true);
  }
  // systemd: rc-local.service enabled, or pulled in by the generator when rc.local is executable.
  bool unit = false, enabled = false;
  for (const char* dir :
       {"/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"}) {
    const std::string d(dir);
    if (w.tree.Find(w.root, d + "/rc-local.service")) unit = true;
    for (const Entry* wants : w.Glob(d + "/*.wants")) {
      if (w.tree.Find(w.root, wants->path + "/rc-local.service")) enabled = true;
    }
  }
  if (!unit) return;
  if (enabled) {
    w.Script(*rc_local, "rc-local.service (enabled)", "rc.local", 1, true);
  } else if ((rc_local->mode & 0111) != 0) {
    w.Script(*rc_local,
             "rc-local.service (systemd-rc-local-generator: /etc/rc.local is executable)",
             "rc.local", 1, true);
  }
}

}  // namespace iotcop::firmware::boot
