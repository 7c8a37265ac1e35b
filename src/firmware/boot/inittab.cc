// File: firmware/boot/inittab.cc
// BusyBox/SysV init: /etc/inittab (or the /etc_ro copy Ralink/MediaTek SDK images keep), one
// `id:runlevels:action:process` entry a line. Entries whose action starts something (sysinit,
// wait, once, respawn, askfirst, boot, bootwait, ondemand) run their process: a script is followed
// (rcS as "rcS"), anything else is a command, a daemon when respawned or askfirst. Without an
// inittab, BusyBox init runs /etc/init.d/rcS, and an initramfs may start at /init.
#include <array>
#include <set>
#include <string_view>

#include "firmware/boot/walker.h"

namespace iotcop::firmware::boot {

void WalkInittab(Walker& w) {
  // Ralink/MediaTek SDK images keep /etc in /etc_ro and copy it at boot.
  const Entry* e = nullptr;
  for (const char* p : {"/etc/inittab", "/etc_ro/inittab"}) {
    e = w.tree.Find(w.root, p);
    if (e && e->type == EntryType::kFile) break;
    e = nullptr;
  }
  if (!e) {
    // BusyBox init without an inittab runs /etc/init.d/rcS; an initramfs may start at /init.
    for (const char* p : {"/etc/init.d/rcS", "/etc_ro/rcS", "/init"}) {
      if (const Entry* rcs = w.tree.Find(w.root, p)) w.Script(*rcs, p, "rcS", 0);
    }
    return;
  }
  auto text = ReadCapped(w.tree, *e, kMaxScript);
  if (!text) return;
  w.plan.scripts.push_back(e);
  static const std::set<std::string_view> kStartActions = {
      "sysinit", "wait", "once", "respawn", "askfirst", "boot", "bootwait", "ondemand"};
  for (const TextLine& line : SplitLines(*text)) {
    const std::string_view code = Trim(line.text);
    if (code.empty() || code.front() == '#') continue;
    std::array<std::string_view, 3> f;
    std::string_view rest = code;
    bool ok = true;
    for (auto& field : f) {
      const auto colon = rest.find(':');
      if (colon == std::string_view::npos) {
        ok = false;
        break;
      }
      field = rest.substr(0, colon);
      rest = rest.substr(colon + 1);
    }
    if (!ok || !kStartActions.count(Trim(f[2]))) continue;
    std::string process(Trim(rest));
    std::vector<std::string> argv = ShellWords(process);
    if (argv.empty()) continue;
    const std::string inittab_path = e->path;
    std::string prog = argv[0];
    if (prog.starts_with('-')) prog.erase(0, 1);  // "-/bin/sh": a login shell
    const Entry* s = w.Resolve(prog, "/");
    if (!s && prog.starts_with("/etc/"))
      s = w.Resolve("/etc_ro/" + prog.substr(5), "/");  // /etc_ro copy
    if (s && w.IsScript(*s)) {
      w.Script(*s, inittab_path, Basename(s->path) == "rcS" ? "rcS" : "inittab", 1);
      continue;
    }
    BootCommand c;
    c.file = e;
    c.line = line.number;
    c.code = std::string(code);
    c.argv = std::move(argv);
    c.init = "inittab";
    c.started_by = inittab_path;
    c.tty = std::string(Trim(f[0]));
    c.action = std::string(Trim(f[2]));
    c.daemon = c.action == "respawn" || c.action == "askfirst";
    w.Add(std::move(c));
  }
}

}  // namespace iotcop::firmware::boot
