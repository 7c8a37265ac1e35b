// File: firmware/boot/systemd.cc
// systemd: a .service unit is enabled when a link to it stands in a *.wants folder of
// /etc/systemd/system, /lib/systemd/system or /usr/lib/systemd/system; each ExecStart= line
// (prefixes - @ + ! : dropped) is a daemon run as its User= (root when none is set); an ExecStart=
// that runs a script is followed into the script.
#include <string_view>

#include "firmware/boot/walker.h"

namespace iotcop::firmware::boot {

void WalkSystemd(Walker& w) {
  for (const char* dir :
       {"/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"}) {
    for (const Entry* wants : w.Glob(std::string(dir) + "/*.wants")) {
      for (const Entry* link : w.tree.List(w.root, wants->path)) {
        const Entry* unit = w.tree.Find(w.root, link->path);
        if (!unit || unit->type != EntryType::kFile || !Basename(unit->path).ends_with(".service"))
          continue;
        auto text = ReadCapped(w.tree, *unit, kMaxScript);
        if (!text) continue;
        std::string user = "root";
        std::vector<BootCommand> execs;
        for (const TextLine& line : SplitLines(*text)) {
          std::string_view t = Trim(line.text);
          if (t.starts_with("User=")) user = std::string(Trim(t.substr(5)));
          if (!t.starts_with("ExecStart=")) continue;
          std::string_view cmd = Trim(t.substr(10));
          while (!cmd.empty() &&
                 std::string_view("-@+!:").find(cmd.front()) != std::string_view::npos)
            cmd.remove_prefix(1);
          BootCommand c;
          c.file = unit;
          c.line = line.number;
          c.code = std::string(t);
          c.argv = ShellWords(cmd);
          c.init = "systemd";
          c.started_by = link->path;
          c.daemon = true;
          execs.push_back(std::move(c));
        }
        for (auto& c : execs) {
          c.user = user;
          // A script (rc-local.service's /etc/rc.local, a vendor's start script) is followed.
          const Entry* s = c.argv.empty() ? nullptr : w.Resolve(c.argv.front(), "/");
          if (s && w.IsScript(*s)) {
            w.Script(*s, c.started_by, "systemd", 1);
            continue;
          }
          w.Add(std::move(c));
        }
      }
    }
  }
}

}  // namespace iotcop::firmware::boot
