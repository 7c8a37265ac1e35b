#include "firmware/boot/boot.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string_view>

#include "firmware/text.h"

namespace iotcop::firmware {
namespace {

using unpack::Entry;
using unpack::EntryType;
using unpack::Tree;

constexpr std::size_t kMaxScript = 1u << 20;
constexpr int kMaxDepth = 12;
constexpr std::size_t kMaxCommands = 50000;

constexpr std::string_view kDaemons[] = {
    "telnetd",  "utelnetd",       "in.telnetd", "dropbear",    "sshd",      "httpd",
    "lighttpd", "uhttpd",         "boa",        "mini_httpd",  "thttpd",    "goahead",
    "alphapd",  "nginx",          "ftpd",       "vsftpd",      "proftpd",   "pure-ftpd",
    "bftpd",    "tftpd",          "in.tftpd",   "atftpd",      "udpsvd",    "tcpsvd",
    "tddp",     "debugd",         "adbd",       "gdbserver",   "miniupnpd", "upnpd",
    "snmpd",    "mini_snmpd",     "dnsmasq",    "udhcpd",      "inetd",     "xinetd",
    "crond",    "ntpd",           "smbd",       "nmbd",        "mosquitto", "avahi-daemon",
    "lldpd",    "lld2d",          "rtspd",      "onvifd",      "cos",       "wscd",
    "hostapd",  "wpa_supplicant", "odhcpd",     "netifd",      "ubusd",     "procd",
    "rpcd",     "mdnsd",          "cwmpd",      "tr069",       "dhcpd",     "zebra",
    "syslogd",  "klogd",          "logd",       "nvram_daemon"};

bool IsAssignment(std::string_view w) {
  const auto eq = w.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  return std::all_of(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(eq), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Removes shell keywords, env assignments and wrappers in front of the program.
std::vector<std::string> StripPrefix(std::vector<std::string> argv) {
  static const std::set<std::string_view> kSkip = {"if",    "then",  "else", "elif",    "do",
                                                   "while", "until", "!",    "{",       "(",
                                                   "exec",  "nohup", "time", "command", "}"};
  std::size_t i = 0;
  // Keywords, VAR=value prefixes and case labels ("start)", "*)").
  while (i < argv.size() &&
         (kSkip.count(argv[i]) || IsAssignment(argv[i]) ||
          (argv[i].size() > 1 && argv[i].back() == ')' && argv[i].find('(') == std::string::npos)))
    ++i;
  argv.erase(argv.begin(), argv.begin() + static_cast<std::ptrdiff_t>(i));
  return argv;
}

struct Walker {
  const Tree& tree;
  std::uint32_t root;
  BootPlan plan;
  std::set<std::string> visited;
  std::map<std::string, std::string> vars;  // simple NAME=value assignments seen so far

  const Entry* Resolve(std::string_view name, std::string_view from_dir) const {
    if (name.empty() || name.find('$') != std::string_view::npos ||
        name.find('`') != std::string_view::npos)
      return nullptr;
    if (name.front() == '/') {
      const Entry* e = tree.Find(root, name);
      return e && e->type == EntryType::kFile ? e : nullptr;
    }
    if (name.find('/') != std::string_view::npos) {
      const Entry* e = tree.Find(root, std::string(from_dir) + "/" + std::string(name));
      return e && e->type == EntryType::kFile ? e : nullptr;
    }
    for (const char* dir :
         {"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"}) {
      const Entry* e = tree.Find(root, std::string(dir) + "/" + std::string(name));
      if (e && e->type == EntryType::kFile) return e;
    }
    return nullptr;
  }

  bool IsScript(const Entry& e) const {
    if (e.size == 0 || e.size > kMaxScript) return false;
    auto head = ReadCapped(tree, e, 256);
    if (!head) return false;
    return head->starts_with("#!") || (Basename(e.path).ends_with(".sh") && LooksLikeText(*head));
  }

  // Entries of `dir` whose name matches a glob, sorted by name (the shell's order).
  std::vector<const Entry*> Glob(std::string_view pattern) const {
    const std::string_view dir = Dirname(pattern);
    const std::string_view base = Basename(pattern);
    const Entry* d = tree.Find(root, dir);
    if (!d || d->type != EntryType::kDir) return {};
    std::vector<const Entry*> out;
    for (const Entry* e : tree.List(root, d->path)) {
      if (GlobMatch(base, Basename(e->path))) out.push_back(e);
    }
    std::sort(out.begin(), out.end(),
              [](const Entry* a, const Entry* b) { return a->path < b->path; });
    return out;
  }

  void Add(BootCommand c) {
    if (plan.commands.size() >= kMaxCommands || c.argv.empty()) return;
    const std::string_view name = Basename(c.argv.front());
    c.daemon = c.daemon || c.background || IsKnownDaemon(name);
    plan.commands.push_back(std::move(c));
  }

  // A script's lines, split into the top level and function bodies (name() { ... }): commands in
  // a function run only when something calls it.
  struct CodeLine {
    std::uint32_t number;
    std::string code;
  };
  struct Parsed {
    std::vector<CodeLine> top;
    std::map<std::string, std::vector<CodeLine>> functions;
  };

  static Parsed Parse(std::string_view text) {
    Parsed p;
    std::string pending;  // a line continued with a backslash
    std::uint32_t pending_line = 0;
    std::string fn;  // the function being read
    int depth = 0;   // brace depth inside it
    for (const TextLine& line : SplitLines(text)) {
      std::string_view raw = line.text;
      if (!raw.empty() && raw.back() == '\\') {
        if (pending.empty()) pending_line = line.number;
        pending.append(raw.substr(0, raw.size() - 1)).push_back(' ');
        continue;
      }
      std::string joined = pending.empty() ? std::string(raw) : pending + std::string(raw);
      const std::uint32_t number = pending.empty() ? line.number : pending_line;
      pending.clear();
      const std::string code(ShellCode(joined));
      if (code.empty()) continue;
      const std::vector<std::string> words = ShellWords(code);
      int opens = 0, closes = 0;
      for (const auto& w : words) {
        if (w == "{" || w.ends_with("(){")) ++opens;
        if (w == "}") ++closes;
      }
      if (fn.empty()) {
        // "name() {", "name ()", "function name {"
        std::string name;
        if (!words.empty() && words[0] == "function" && words.size() >= 2) {
          name = words[1];
        } else if (!words.empty() && (words[0].ends_with("()") || words[0].ends_with("(){"))) {
          name = words[0].substr(0, words[0].find('('));
        } else if (words.size() >= 2 && words[1].starts_with("()")) {
          name = words[0];
        }
        if (auto paren = name.find('('); paren != std::string::npos) name.resize(paren);
        if (!name.empty()) {
          fn = name;
          depth = opens - closes;
          p.functions[fn];
          if (depth <= 0 && opens > 0) fn.clear();  // one-line function
          continue;
        }
        p.top.push_back({number, code});
        continue;
      }
      depth += opens - closes;
      if (depth <= 0 && closes > 0 && opens == 0 && words.size() <= 2) {
        fn.clear();
        continue;
      }
      p.functions[fn].push_back({number, code});
      if (depth <= 0) fn.clear();
    }
    return p;
  }

  struct Frame {
    const Entry* file;
    const Parsed* parsed;
    std::string started_by, init, dir;
    int depth;
    std::set<std::string> calling;  // functions on the call stack
  };

  void RunLines(Frame& f, const std::vector<CodeLine>& lines) {
    for (const CodeLine& l : lines) {
      for (SimpleCommand& sc : ShellCommands(l.code)) Command(f, l.number, l.code, std::move(sc));
    }
  }

  // Follows a script found at `link`; `started_by` names what made it run at boot.
  void Script(const Entry& link, const std::string& started_by, const std::string& init,
              int depth) {
    const Entry* e = link.type == EntryType::kSymlink ? tree.Find(root, link.path) : &link;
    if (!e || e->type != EntryType::kFile || depth > kMaxDepth) return;
    if (!visited.insert(e->path).second) return;
    if (!IsScript(*e)) return;
    plan.scripts.push_back(e);
    auto text = ReadCapped(tree, *e, kMaxScript);
    if (!text) return;
    const Parsed parsed = Parse(*text);
    Frame f{e, &parsed, started_by, init, std::string(Dirname(e->path)), depth, {}};
    RunLines(f, parsed.top);
    // OpenWrt /etc/rc.common calls boot() (or start()) of an enabled init script at boot, and
    // start() calls a procd script's start_service().
    if (text->starts_with("#!/bin/sh /etc/rc.common")) {
      for (const char* entry : {"boot", "start", "start_service"}) {
        auto it = parsed.functions.find(entry);
        if (it == parsed.functions.end() || f.calling.count(entry)) continue;
        f.calling.insert(entry);
        RunLines(f, it->second);
        if (std::string_view(entry) == "boot")
          break;  // boot() calls start() itself when it wants to
      }
    }
  }

  std::string Expand(const std::string& word) const {
    if (word.find('$') == std::string::npos) return word;
    std::string out;
    for (std::size_t i = 0; i < word.size(); ++i) {
      if (word[i] != '$' || i + 1 >= word.size()) {
        out.push_back(word[i]);
        continue;
      }
      std::size_t start = i + 1, end;
      const bool braced = word[start] == '{';
      if (braced) {
        end = word.find('}', start);
        if (end == std::string::npos) return word;
        ++start;
      } else {
        end = start;
        while (end < word.size() &&
               (std::isalnum(static_cast<unsigned char>(word[end])) || word[end] == '_'))
          ++end;
      }
      auto it = vars.find(word.substr(start, end - start));
      if (it == vars.end()) return word;  // unknown: keep the word as written
      out += it->second;
      i = braced ? end : end - 1;
    }
    return out;
  }

  void Command(Frame& f, std::uint32_t line, std::string_view code, SimpleCommand sc) {
    const Entry& file = *f.file;
    const std::string& started_by = f.started_by;
    const std::string& init = f.init;
    const std::string& dir = f.dir;
    const int depth = f.depth;
    // NAME=value on its own sets a variable later words may use.
    if (!sc.argv.empty() && std::all_of(sc.argv.begin(), sc.argv.end(), IsAssignment)) {
      for (const auto& a : sc.argv) {
        const auto eq = a.find('=');
        if (vars.size() < 4096) vars[a.substr(0, eq)] = Expand(a.substr(eq + 1));
      }
      return;
    }
    for (auto& w : sc.argv) w = Expand(w);
    if (!sc.argv.empty()) {
      if (auto fn = f.parsed->functions.find(sc.argv[0]);
          fn != f.parsed->functions.end() && !f.calling.count(fn->first) && f.calling.size() < 32) {
        f.calling.insert(fn->first);
        RunLines(f, fn->second);
        f.calling.erase(fn->first);
        return;
      }
    }
    std::vector<std::string> argv = StripPrefix(std::move(sc.argv));
    if (argv.empty()) return;
    BootCommand c;
    c.file = &file;
    c.line = line;
    c.code = std::string(code);
    c.background = sc.background;
    c.init = init;
    c.started_by = started_by;
    const std::string_view prog = Basename(argv[0]);

    // for i in /etc/init.d/S??* ; do ... — the loop runs every match.
    if (argv[0] == "for") {
      const auto in = std::find(argv.begin(), argv.end(), "in");
      for (auto it = in == argv.end() ? in : in + 1; it != argv.end(); ++it) {
        if (it->find_first_of("*?[") == std::string::npos || it->front() != '/') continue;
        for (const Entry* m : Glob(*it)) Script(*m, started_by, init, depth + 1);
      }
      return;
    }
    if (prog == "run-parts" && argv.size() >= 2) {
      for (const Entry* m : Glob(argv.back() + "/*")) Script(*m, started_by, init, depth + 1);
      return;
    }
    // Launchers: the program they start is the service.
    if (prog == "service_start" || prog == "procd_set_param") {
      std::size_t from = 1;
      if (prog == "procd_set_param") {
        if (argv.size() < 3 || argv[1] != "command") return;
        from = 2;
        c.init = "procd";
      }
      c.argv.assign(argv.begin() + static_cast<std::ptrdiff_t>(from), argv.end());
      c.daemon = true;
      Add(std::move(c));
      return;
    }
    if (prog == "start-stop-daemon") {
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
      if (!start || out.empty()) return;
      c.argv = std::move(out);
      c.daemon = true;
      Add(std::move(c));
      return;
    }
    // sh script, . script, source script: follow the script.
    if ((prog == "sh" || prog == "ash" || prog == "bash" || prog == "." || prog == "source") &&
        argv.size() >= 2 && argv[1].front() != '-') {
      if (const Entry* s = Resolve(argv[1], dir)) Script(*s, started_by, init, depth + 1);
      return;
    }
    // "/etc/init.d/x stop|enabled|status": asks or stops, starts nothing.
    static const std::set<std::string_view> kNotStarting = {"stop",   "disable", "enabled",
                                                            "status", "K",       "shutdown"};
    if (argv.size() >= 2 && kNotStarting.count(argv[1]) &&
        argv[0].find("/init.d/") != std::string::npos)
      return;
    if (const Entry* s = Resolve(argv[0], dir); s && IsScript(*s)) {
      // A script run in the background is itself a long-running service.
      if (sc.background) {
        c.argv = argv;
        c.daemon = true;
        Add(c);
      }
      // OpenWrt init scripts called with "stop"/"disable" start nothing.
      const bool starting = argv.size() < 2 || !kNotStarting.count(argv[1]);
      if (starting) Script(*s, started_by, init, depth + 1);
      return;
    }
    c.argv = std::move(argv);
    Add(std::move(c));
  }

  void Inittab() {
    // Ralink/MediaTek SDK images keep /etc in /etc_ro and copy it at boot.
    const Entry* e = nullptr;
    for (const char* p : {"/etc/inittab", "/etc_ro/inittab"}) {
      e = tree.Find(root, p);
      if (e && e->type == EntryType::kFile) break;
      e = nullptr;
    }
    if (!e) {
      // BusyBox init without an inittab runs /etc/init.d/rcS; an initramfs may start at /init.
      for (const char* p : {"/etc/init.d/rcS", "/etc_ro/rcS", "/init"}) {
        if (const Entry* rcs = tree.Find(root, p)) Script(*rcs, p, "rcS", 0);
      }
      return;
    }
    auto text = ReadCapped(tree, *e, kMaxScript);
    if (!text) return;
    plan.scripts.push_back(e);
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
      const Entry* s = Resolve(prog, "/");
      if (!s && prog.starts_with("/etc/"))
        s = Resolve("/etc_ro/" + prog.substr(5), "/");  // /etc_ro copy
      if (s && IsScript(*s)) {
        Script(*s, inittab_path, Basename(s->path) == "rcS" ? "rcS" : "inittab", 1);
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
      Add(std::move(c));
    }
  }

  void RcDirs() {
    for (const char* dir : {"/etc/rc.d", "/etc/rcS.d", "/etc/rc2.d", "/etc/rc3.d", "/etc/rc5.d",
                            "/etc/rc.d/rcS.d", "/etc/rc.d/rc3.d"}) {
      for (const Entry* m : Glob(std::string(dir) + "/S*")) Script(*m, m->path, "initd", 1);
    }
  }

  void Systemd() {
    for (const char* dir :
         {"/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"}) {
      for (const Entry* wants : Glob(std::string(dir) + "/*.wants")) {
        for (const Entry* link : tree.List(root, wants->path)) {
          const Entry* unit = tree.Find(root, link->path);
          if (!unit || unit->type != EntryType::kFile ||
              !Basename(unit->path).ends_with(".service"))
            continue;
          auto text = ReadCapped(tree, *unit, kMaxScript);
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
            Add(std::move(c));
          }
        }
      }
    }
  }

  void Inetd() {
    if (const Entry* e = tree.Find(root, "/etc/inetd.conf"); e && e->type == EntryType::kFile) {
      if (auto text = ReadCapped(tree, *e, kMaxScript)) {
        for (const TextLine& line : SplitLines(*text)) {
          const std::string_view code = ShellCode(line.text);
          std::vector<std::string> w = ShellWords(code);
          if (w.size() < 6) continue;
          BootCommand c;
          c.file = e;
          c.line = line.number;
          c.code = std::string(code);
          c.user = w[4].substr(0, w[4].find_first_of(":."));
          if (w.size() > 6) {
            c.argv.assign(w.begin() + 6, w.end());
            c.argv[0] = w[5];  // the server path; argv[0] as given is only its name
          } else {
            c.argv = {w[5]};
          }
          if (w[5] == "internal") c.argv = {w[0]};
          c.init = "inetd";
          c.started_by = e->path;
          c.daemon = true;
          Add(std::move(c));
        }
      }
    }
    std::vector<const Entry*> xinetd = Glob("/etc/xinetd.d/*");
    if (const Entry* x = tree.Find(root, "/etc/xinetd.conf")) xinetd.push_back(x);
    for (const Entry* link : xinetd) {
      const Entry* e = tree.Find(root, link->path);
      if (!e || e->type != EntryType::kFile) continue;
      auto text = ReadCapped(tree, *e, kMaxScript);
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
          for (auto& w : ShellWords(args)) c.argv.push_back(std::move(w));
          Add(c);
        }
      }
    }
  }
};

}  // namespace

bool IsKnownDaemon(std::string_view name) {
  return std::find(std::begin(kDaemons), std::end(kDaemons), name) != std::end(kDaemons);
}

BootPlan DiscoverBoot(const unpack::Tree& tree, std::uint32_t root) {
  Walker w{tree, root, {}, {}};
  w.Inittab();
  w.RcDirs();
  w.Systemd();
  w.Inetd();
  return std::move(w.plan);
}

}  // namespace iotcop::firmware
