// File: firmware/boot/walker.h
// Internal to firmware/boot/: what the parts of DiscoverBoot share. The Walker holds the plan being
// built, its limits, the scripts already followed and the shell variables seen so far; shell.cc
// follows a script (scripts called by path, `sh script`, `sh -c`, `. script`, loops over init.d,
// run-parts). One file per init system: inittab.cc, rcd.cc, systemd.cc, rclocal.cc, inetd.cc and
// cron.cc find where
// boot starts and hand scripts to the shell; procd.cc (OpenWrt's rc.common and launchers) and the
// launcher and verbs of rcd.cc are what the shell asks about commands; boot.cc runs them in order.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "firmware/boot/boot.h"
#include "firmware/text.h"
#include "unpack/tree.h"

namespace iotcop::firmware::boot {

using unpack::Entry;
using unpack::EntryType;
using unpack::Tree;

constexpr std::size_t kMaxScript = 1u << 20;
constexpr int kMaxDepth = 12;
constexpr std::size_t kMaxCommands = 50000;

// A script's lines, split into the top level and function bodies (name() { ... }): commands in
// a function run only when something calls it.
struct CodeLine {
  std::uint32_t number;
  std::string code;
};
struct ParsedScript {
  std::vector<CodeLine> top;
  std::map<std::string, std::vector<CodeLine>> functions;
};

// The script being followed.
struct Frame {
  const Entry* file;
  const ParsedScript* parsed;
  std::string started_by, init, dir;
  int depth;
  std::set<std::string> calling;  // functions on the call stack
};

struct Walker {
  const Tree& tree;
  std::uint32_t root;
  BootPlan plan;
  std::set<std::string> visited;
  std::map<std::string, std::string> vars;  // simple NAME=value assignments seen so far
  std::set<std::string> added;              // file, line and argv of the commands in the plan

  // Adds a command to the plan (boot.cc): bounded, marks known daemons; the same command of the
  // same line again (a function called twice) is not added twice.
  void Add(BootCommand c);

  // shell.cc
  // The file a command name runs: an absolute path, a path relative to `from_dir`, or a name
  // looked up in the usual bin folders.
  const Entry* Resolve(std::string_view name, std::string_view from_dir) const;
  bool IsScript(const Entry& e) const;
  // Entries of a folder whose name matches a glob, sorted by name (the shell's order).
  std::vector<const Entry*> Glob(std::string_view pattern) const;
  // Follows a script found at `link`; `started_by` names what made it run at boot. A script run
  // by a shell (`sh script`, `. script`) needs no #! line, only text.
  void Script(const Entry& link, const std::string& started_by, const std::string& init, int depth,
              bool run_by_shell = false);
  void RunLines(Frame& f, const std::vector<CodeLine>& lines);

 private:
  std::string Expand(const std::string& word) const;
  void Command(Frame& f, std::uint32_t line, std::string_view code, SimpleCommand sc);
};

// Commands of a script started at boot that are an init system's launchers: when argv is one, the
// function takes it (adding the program it starts to the plan, or nothing) and returns true. `c`
// is the command filled in with where it stands.
bool OpenWrtLauncher(Walker& w, const std::vector<std::string>& argv, BootCommand& c);  // procd.cc
bool StartStopDaemon(Walker& w, const std::vector<std::string>& argv, BootCommand& c);  // rcd.cc

// True for an init script's argument that asks or stops and starts nothing ("stop", "status"...).
bool StartsNothing(std::string_view verb);  // rcd.cc

// OpenWrt: the functions /etc/rc.common calls in an init script written for it (procd.cc).
void RunRcCommon(Walker& w, Frame& f, std::string_view text);

// Where boot starts, one per init system, in the order DiscoverBoot runs them.
void WalkInittab(Walker& w);  // inittab.cc
void WalkRcDirs(Walker& w);   // rcd.cc
void WalkSystemd(Walker& w);  // systemd.cc
void WalkRcLocal(Walker& w);  // rclocal.cc
void WalkInetd(Walker& w);    // inetd.cc
void WalkCron(Walker& w);     // cron.cc: last, it asks whether crond was started

}  // namespace iotcop::firmware::boot
