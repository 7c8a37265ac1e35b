// File: firmware/boot/inetd.cc
// Super-servers: each /etc/inetd.conf line `service type proto wait user[:group] server args`
// is a daemon run as that user (an `internal` service is named by its service); each
// `service NAME { ... }` block of /etc/xinetd.d/* and /etc/xinetd.conf not marked `disable = yes`
// runs its server= with server_args= as user=.
#include <string_view>

#include "firmware/boot/walker.h"

namespace iotcop::firmware::boot {

void WalkInetd(Walker& w) {
  if (const Entry* e = w.tree.Find(w.root, "/etc/inetd.conf"); e && e->type == EntryType::kFile) {
    if (auto text = ReadCapped(w.tree, *e, kMaxScript)) {
      for (const TextLine& line : SplitLines(*text)) {
        const std::string_view code = ShellCode(line.text);
        std::vector<std::string> words = ShellWords(code);
        if (words.size() < 6) continue;
        BootCommand c;
        c.file = e;
        c.line = line.number;
        c.code = std::string(code);
        c.user = words[4].substr(0, words[4].find_first_of(":."));
        if (words.size() > 6) {
          c.argv.assign(words.begin() + 6, words.end());
          c.argv[0] = words[5];  // the server path; argv[0] as given is only its name
        } else {
          c.argv = {words[5]};
        }
        if (words[5] == "internal") c.argv = {words[0]};
        c.init = "inetd";
        c.started_by = e->path;
        c.daemon = true;
        w.Add(std::move(c));
      }
    }
  }
  std::vector<const Entry*> xinetd = w.Glob("/etc/xinetd.d/*");
  if (const Entry* x = w.tree.Find(w.root, "/etc/xinetd.conf")) xinetd.push_back(x);
  for (const Entry* link : xinetd) {
    const Entry* e = w.tree.Find(w.root, link->path);
    if (!e || e->type != EntryType::kFile) continue;
    auto text = ReadCapped(w.tree, *e, kMaxScript);
    if (!text) continue;
    BootCommand c;
    bool in_service = false, disabled = false;
    std::string args;
    for (const TextLine& line : SplitLines(*text)) {
      const std::string_view t = ShellCode(line.text);
      if (t.starts_with("service ")) {
        in_service = true;
        disabled = false;
        args.clear();
        c = {};
        c.file = e;
        c.line = line.number;
        c.code = std::string(t);
        c.init = "xinetd";
        c.started_by = e->path;
        c.daemon = true;
        c.argv = {std::string(Trim(t.substr(8)))};
        continue;
      }
      if (!in_service) continue;
      const auto eq = t.find('=');
      if (eq != std::string_view::npos) {
        std::string_view key = Trim(t.substr(0, eq));
        std::string_view val = Trim(t.substr(eq + 1));
        if (key == "disable") disabled = val == "yes";
        if (key == "server") c.argv[0] = std::string(val);
        if (key == "server_args") args = std::string(val);
        if (key == "user") c.user = std::string(val);
      }
      if (t == "}") {
        in_service = false;
        if (disabled) continue;
        for (auto& word : ShellWords(args)) c.argv.push_back(std::move(word));
        w.Add(c);
      }
    }
  }
}

}  // namespace iotcop::firmware::boot
