// File: firmware/boot/shell.cc
// Following a boot script without running it: the shell part every init system uses. A script's
// top-level commands run; a function's commands run when it is called; NAME=value sets a variable
// later words may use. Scripts called by path, `sh script`, `. script` and `source script` are
// followed; `for i in /etc/init.d/S??*` runs every match, in name order, and so does run-parts.
// What is neither a script nor a launcher (procd.cc, rcd.cc) is a command of the plan.
#include <algorithm>
#include <optional>
#include <set>
#include <string_view>

#include "firmware/boot/walker.h"
#include "firmware/text.h"

namespace iotcop::firmware::boot {
namespace {

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

// A script's lines, split into the top level and function bodies (name() { ... }): commands in
// a function run only when something calls it.
ParsedScript ParseScript(std::string_view text) {
  ParsedScript p;
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

}  // namespace

const Entry* Walker::Resolve(std::string_view name, std::string_view from_dir) const {
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

bool Walker::IsScript(const Entry& e) const {
  if (e.size == 0 || e.size > kMaxScript) return false;
  auto head = ReadCapped(tree, e, 256);
  if (!head) return false;
  return head->starts_with("#!") || (Basename(e.path).ends_with(".sh") && LooksLikeText(*head));
}

std::vector<const Entry*> Walker::Glob(std::string_view pattern) const {
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

void Walker::RunLines(Frame& f, const std::vector<CodeLine>& lines) {
  for (const CodeLine& l : lines) {
    for (SimpleCommand& sc : ShellCommands(l.code)) Command(f, l.number, l.code, std::move(sc));
  }
}

void Walker::Script(const Entry& link, const std::string& started_by, const std::string& init,
                    int depth, bool run_by_shell) {
  const Entry* e = link.type == EntryType::kSymlink ? tree.Find(root, link.path) : &link;
  if (!e || e->type != EntryType::kFile || depth > kMaxDepth) return;
  if (e->size > kMaxScript) return;
  if (!run_by_shell && !IsScript(*e)) return;
  auto text = ReadCapped(tree, *e, kMaxScript);
  if (!text || (run_by_shell && !LooksLikeText(*text))) return;
  if (!visited.insert(e->path).second) return;
  plan.scripts.push_back(e);
  const ParsedScript parsed = ParseScript(*text);
  // rc.local is the administrator's script whoever runs it (OpenWrt's done, systemd, SysV).
  const bool rc_local = e->path == "/etc/rc.local" || e->path == "/etc/rc.d/rc.local";
  Frame f{e,     &parsed, started_by, rc_local ? "rc.local" : init, std::string(Dirname(e->path)),
          depth, {}};
  RunLines(f, parsed.top);
  RunRcCommon(*this, f, *text);
}

std::string Walker::Expand(const std::string& word) const {
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
    std::string name = word.substr(start, end - start);
    // ${NAME:-word} / ${NAME-word} / ${NAME:=word}: the word when NAME is unset (or empty, with :).
    std::optional<std::string> fallback;
    bool colon = false;
    if (braced) {
      const auto op = name.find_first_of(":-=");
      if (op != std::string::npos && op > 0) {
        colon = name[op] == ':';
        const std::size_t w = colon ? op + 2 : op + 1;
        if (colon && (w > name.size() || (name[op + 1] != '-' && name[op + 1] != '=')))
          return word;  // ${NAME:offset}, ${NAME:?...}: not followed
        fallback = name.substr(w);
        name.resize(op);
      }
    }
    auto it = vars.find(name);
    if (it != vars.end() && !(colon && fallback && it->second.empty())) {
      out += it->second;
    } else if (fallback && fallback->find('$') == std::string::npos) {
      out += *fallback;
    } else {
      return word;  // unknown: keep the word as written
    }
    i = braced ? end : end - 1;
  }
  return out;
}

void Walker::Command(Frame& f, std::uint32_t line, std::string_view code, SimpleCommand sc) {
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
  if (OpenWrtLauncher(*this, argv, c) || StartStopDaemon(*this, argv, c)) return;
  // sh script, sh -x script, . script, source script: follow the script (no #! needed);
  // sh -c "commands": the commands.
  if (prog == "sh" || prog == "ash" || prog == "bash" || prog == "." || prog == "source") {
    std::size_t a = 1;
    while (a < argv.size() && argv[a].size() > 1 && argv[a].front() == '-' && argv[a] != "-c") ++a;
    if (a + 1 < argv.size() && argv[a] == "-c" && prog != "." && prog != "source") {
      for (SimpleCommand& inner : ShellCommands(argv[a + 1])) {
        inner.background = inner.background || sc.background;
        if (f.calling.size() < 32) Command(f, line, code, std::move(inner));
      }
      return;
    }
    if (a < argv.size() && !argv[a].empty() && argv[a].front() != '-') {
      if (const Entry* s = Resolve(argv[a], dir)) Script(*s, started_by, init, depth + 1, true);
      return;
    }
    if (argv.size() >= 2) return;
  }
  // "/etc/init.d/x stop|enabled|status": asks or stops, starts nothing.
  if (argv.size() >= 2 && StartsNothing(argv[1]) && argv[0].find("/init.d/") != std::string::npos)
    return;
  if (const Entry* s = Resolve(argv[0], dir); s && IsScript(*s)) {
    // A script run in the background is itself a long-running service.
    if (sc.background) {
      c.argv = argv;
      c.daemon = true;
      Add(c);
    }
    // OpenWrt init scripts called with "stop"/"disable" start nothing.
    const bool starting = argv.size() < 2 || !StartsNothing(argv[1]);
    if (starting) Script(*s, started_by, init, depth + 1);
    return;
  }
  c.argv = std::move(argv);
  Add(std::move(c));
}

}  // namespace iotcop::firmware::boot
