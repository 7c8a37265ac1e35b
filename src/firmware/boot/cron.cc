// File: firmware/boot/cron.cc
// cron tables: BusyBox and Vixie per-user tables (/etc/crontabs/USER,
// /var/spool/cron/crontabs/USER, /var/spool/cron/USER: `m h dom mon dow command`, the file name is
// the user) and system tables
// (/etc/crontab, /etc/cron.d/*: `m h dom mon dow user command`); `@reboot`, `@hourly`... stand for
// the five time fields. Each entry's commands are boot commands with init "cron" and the schedule
// kept. They run only when crond (or cron) is started at boot: otherwise every entry carries the
// note that crond is not started and none is a daemon. A script an entry runs is followed when
// crond runs.
#include <algorithm>
#include <string_view>

#include "firmware/boot/walker.h"

namespace iotcop::firmware::boot {
namespace {

struct CronTable {
  const Entry* file;
  bool system;       // the sixth field is the user
  std::string user;  // per-user tables: the file name
};

std::vector<CronTable> CronTables(const Walker& w) {
  std::vector<CronTable> out;
  for (const char* dir : {"/etc/crontabs", "/var/spool/cron/crontabs", "/var/spool/cron"}) {
    for (const Entry* e : w.Glob(std::string(dir) + "/*")) {
      const Entry* f = w.tree.Find(w.root, e->path);
      const std::string_view name = Basename(e->path);
      if (!f || f->type != EntryType::kFile || name == "cron.update" || name.starts_with('.'))
        continue;
      out.push_back({f, false, std::string(name)});
    }
  }
  std::vector<const Entry*> system = w.Glob("/etc/cron.d/*");
  if (const Entry* t = w.tree.Find(w.root, "/etc/crontab")) system.insert(system.begin(), t);
  for (const Entry* e : system) {
    const Entry* f = w.tree.Find(w.root, e->path);
    if (f && f->type == EntryType::kFile) out.push_back({f, true, ""});
  }
  return out;
}

// The command that started crond, if any.
const BootCommand* Crond(const Walker& w) {
  for (const BootCommand& c : w.plan.commands) {
    const std::string_view name = Basename(c.argv.front());
    if (name == "crond" || name == "cron") return &c;
  }
  return nullptr;
}

}  // namespace

void WalkCron(Walker& w) {
  const std::vector<CronTable> tables = CronTables(w);
  if (tables.empty()) return;
  const BootCommand* started = Crond(w);  // not kept: Add may move the plan's commands
  const bool crond = started != nullptr;
  const std::string crond_at =
      crond ? "crond (" + started->file->path + ":" + std::to_string(started->line) + ")"
            : std::string();
  for (const CronTable& t : tables) {
    auto text = ReadCapped(w.tree, *t.file, kMaxScript);
    if (!text || !LooksLikeText(*text)) continue;
    w.plan.scripts.push_back(t.file);
    for (const TextLine& line : SplitLines(*text, 10000)) {
      const std::string_view code = Trim(line.text);
      if (code.empty() || code.front() == '#') continue;
      // NAME=value lines set the environment of the entries.
      const auto first_space = code.find_first_of(" \t");
      if (code.substr(0, first_space).find('=') != std::string_view::npos) continue;
      // The time fields (one for @reboot, @hourly...), then the user in system tables.
      std::string_view rest = code;
      std::vector<std::string_view> words;
      const std::size_t fields = code.front() == '@' ? 1 : 5;
      while (words.size() < fields + (t.system ? 1 : 0)) {
        rest = Trim(rest);
        const auto sp = rest.find_first_of(" \t");
        if (sp == std::string_view::npos) break;
        words.push_back(rest.substr(0, sp));
        rest = rest.substr(sp);
      }
      if (words.size() < fields + (t.system ? 1 : 0)) continue;
      std::string schedule;
      for (std::size_t i = 0; i < fields; ++i) {
        if (i) schedule.push_back(' ');
        schedule.append(words[i]);
      }
      const std::string user = t.system ? std::string(words.back()) : t.user;
      const std::string command(Trim(rest));
      for (SimpleCommand& sc : ShellCommands(command)) {
        if (sc.argv.empty()) continue;
        BootCommand c;
        c.file = t.file;
        c.line = line.number;
        c.code = std::string(code);
        c.argv = std::move(sc.argv);
        c.background = sc.background;
        c.init = "cron";
        c.schedule = schedule;
        c.user = user;
        c.started_by = crond ? crond_at : t.file->path;
        if (!crond) c.note = "crond is not started at boot: this entry never runs";
        const Entry* s = crond ? w.Resolve(c.argv.front(), "/") : nullptr;
        if (s && w.IsScript(*s)) {
          w.Script(*s, c.started_by, "cron", 1);
          continue;
        }
        const std::size_t before = w.plan.commands.size();
        w.Add(std::move(c));
        if (!crond && w.plan.commands.size() > before) w.plan.commands.back().daemon = false;
      }
    }
  }
}

}  // namespace iotcop::firmware::boot
