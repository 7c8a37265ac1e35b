// File: firmware/boot/rcd.cc
// SysV-style init scripts: a script in /etc/init.d runs at boot when a link to it named S<NN>name
// stands in an rc folder (/etc/rc.d, /etc/rcS.d, /etc/rc{2,3,5}.d, /etc/rc.d/rc{S,3}.d), folder by
// folder in the order of the links' names; OpenWrt's /etc/rc.d works so (enabled iff linked).
// A script called with stop, status, enabled... starts nothing. Debian-style scripts start their
// daemon with start-stop-daemon --start --exec PROG [--chuid USER] [-- ARGS].
#include <set>
#include <string_view>

#include "firmware/boot/walker.h"

namespace iotcop::firmware::boot {

bool StartsNothing(std::string_view verb) {
  static const std::set<std::string_view> kNotStarting = {"stop",   "disable", "enabled",
                                                          "status", "K",       "shutdown"};
  return kNotStarting.count(verb) > 0;
}

bool StartStopDaemon(Walker& w, const std::vector<std::string>& argv, BootCommand& c) {
  if (Basename(argv[0]) != "start-stop-daemon") return false;
  bool start = false;
  std::vector<std::string> out;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "-S" || a == "--start") start = true;
    if ((a == "-x" || a == "--exec" || a == "-a" || a == "--startas") && i + 1 < argv.size()) {
      if (out.empty()) out.push_back(argv[i + 1]);
      ++i;
    } else if ((a == "-c" || a == "--chuid") && i + 1 < argv.size()) {
      c.user = argv[++i];
      if (auto colon = c.user.find(':'); colon != std::string::npos) c.user.resize(colon);
    } else if (a == "--") {
      out.insert(out.end(), argv.begin() + static_cast<std::ptrdiff_t>(i) + 1, argv.end());
      break;
    }
  }
  if (!start || out.empty()) return true;
  c.argv = std::move(out);
  c.daemon = true;
  w.Add(std::move(c));
  return true;
}

void WalkRcDirs(Walker& w) {
  for (const char* dir : {"/etc/rc.d", "/etc/rcS.d", "/etc/rc2.d", "/etc/rc3.d", "/etc/rc5.d",
                          "/etc/rc.d/rcS.d", "/etc/rc.d/rc3.d"}) {
    for (const Entry* m : w.Glob(std::string(dir) + "/S*")) w.Script(*m, m->path, "initd", 1);
  }
}

}  // namespace iotcop::firmware::boot
