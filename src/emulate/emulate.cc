#include "emulate/emulate.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

#include "core/elf.h"
#include "core/fact_kinds.h"
#include "core/paths.h"
#include "emulate/nvram.h"
#include "firmware/text.h"
#include "network/assess.h"
#include "report/json_read.h"
#include "report/renderer.h"

namespace iotcop::emulate {
namespace fs = std::filesystem;

namespace {

// A network server of rules/emulate.yaml: what to run when the boot's own command line needs the
// shell's expansion, and the set-up its init script would have done first.
struct EmulateRule {
  std::vector<std::string> fallback;
  std::vector<std::vector<std::string>> before;
};

Result<std::map<std::string, EmulateRule>> EmulateRules() {
  const fs::path file = DataDir() / "rules" / "emulate.yaml";
  std::map<std::string, EmulateRule> out;
  try {
    const YAML::Node root = YAML::LoadFile(file.string());
    const YAML::Node list = root["network_services"];
    if (!list || !list.IsSequence())
      return MakeError(Errc::kCorrupt, "no `network_services:` list", file.string());
    for (const auto& n : list) {
      if (n.IsScalar()) {
        out[n.as<std::string>()] = {};
        continue;
      }
      EmulateRule r;
      if (n["fallback"]) r.fallback = n["fallback"].as<std::vector<std::string>>();
      if (n["before"]) r.before = n["before"].as<std::vector<std::vector<std::string>>>();
      out[n["name"].as<std::string>()] = r;
    }
  } catch (const YAML::Exception& e) {
    return MakeError(Errc::kCorrupt, e.what(), file.string());
  }
  return out;
}

// The program a boot command runs, as a path inside the root: absolute as written, else the
// first of the usual PATH folders that holds it.
std::string EmulateResolveProgram(const unpack::Tree& tree, std::uint32_t root,
                                  const std::string& argv0) {
  std::string prog = argv0;
  if (prog.starts_with('-')) prog.erase(0, 1);
  if (prog.starts_with('/')) return tree.Find(root, prog) ? prog : "";
  if (prog.find('/') != std::string::npos) return "";
  for (const char* dir : {"/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
    const std::string p = std::string(dir) + "/" + prog;
    if (const unpack::Entry* e = tree.Find(root, p); e && e->type == unpack::EntryType::kFile)
      return p;
  }
  return "";
}

// The ELF architecture and nvram shim variant of the program at `path` (following one #!
// interpreter).
ProgramArch EmulateArchOf(const unpack::Tree& tree, std::uint32_t root, const std::string& path,
                          int depth = 0) {
  const unpack::Entry* e = tree.Find(root, path);
  if (!e || e->type != unpack::EntryType::kFile) return {};
  auto head = firmware::ReadCapped(tree, *e, 256);
  if (!head) return {};
  if (head->starts_with("#!") && depth == 0) {
    std::string line = head->substr(2, head->find('\n') - 2);
    const auto b = line.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    line = line.substr(b, line.find_first_of(" \t\r", b) - b);
    return EmulateArchOf(tree, root, line, 1);
  }
  return ProgramArchOf(tree, root, path);
}

std::string EmulateHostArch() {
  utsname u{};
  uname(&u);
  const std::string m = u.machine;
  if (m == "x86_64") return "x86-64";
  if (m == "aarch64") return "aarch64";
  return m;
}

// Where the program of `s` is, its architecture and runner, and the set-up commands of `before`;
// `s.skip` says why it cannot run.
void EmulateChooseRunner(const unpack::Tree& tree, std::uint32_t root,
                         const std::vector<std::vector<std::string>>& before, PlannedService& s) {
  s.launch.path = EmulateResolveProgram(tree, root, s.launch.argv.front());
  if (!s.launch.path.empty()) {
    const ProgramArch pa = EmulateArchOf(tree, root, s.launch.path);
    s.arch = pa.arch;
    s.variant = pa.variant;
  }
  if (s.launch.path.empty()) {
    s.skip = "the program is not in the image";
  } else if (s.arch.empty()) {
    s.skip = "not an ELF program of a known architecture";
  } else if (s.runner = RunnerFor(s.arch); s.runner.empty()) {
    s.skip =
        fmt::format("no QEMU user-mode emulator for {} (Debian package qemu-user-static)", s.arch);
  } else {
    if (s.runner != "native") {
      s.launch.emulator = s.runner;
      s.launch.binfmt = BinfmtMagicMask(s.arch);
      s.runner = fs::path(s.runner).filename().string();
    }
    if (s.launch.argv.front().starts_with('-')) s.launch.argv.front().erase(0, 1);
    for (const auto& b : before) {
      if (b.empty()) continue;
      const std::string path = EmulateResolveProgram(tree, root, b.front());
      if (path.empty()) continue;
      s.launch.before.push_back(b);
      s.launch.before.back().push_back(path);
    }
  }
}

}  // namespace

namespace {

// The architectures QEMU user mode emulates: iotcop's name (the binary facts' `arch`), QEMU's, and
// the ELF header fields that identify their programs (class, byte order, e_machine).
struct EmulateArch {
  const char* arch;
  const char* qemu;
  std::uint8_t elf_class;  // 1: 32-bit, 2: 64-bit
  bool little_endian;
  std::uint16_t machine;
};
constexpr EmulateArch kEmulateArchs[] = {{"mips", "mips", 1, false, 8},
                                         {"mipsel", "mipsel", 1, true, 8},
                                         {"mips64", "mips64", 2, false, 8},
                                         {"mips64el", "mips64el", 2, true, 8},
                                         {"arm", "arm", 1, true, 40},
                                         {"armeb", "armeb", 1, false, 40},
                                         {"aarch64", "aarch64", 2, true, 183},
                                         {"aarch64_be", "aarch64_be", 2, false, 183},
                                         {"x86", "i386", 1, true, 3},
                                         {"x86-64", "x86_64", 2, true, 62},
                                         {"powerpc", "ppc", 1, false, 20},
                                         {"powerpc64", "ppc64", 2, false, 21},
                                         {"powerpc64le", "ppc64le", 2, true, 21},
                                         {"riscv64", "riscv64", 2, true, 243},
                                         {"riscv32", "riscv32", 1, true, 243}};

const EmulateArch* FindEmulateArch(const std::string& arch) {
  for (const auto& a : kEmulateArchs)
    if (arch == a.arch) return &a;
  return nullptr;
}

}  // namespace

std::string RunnerFor(const std::string& arch) {
  if (arch.empty()) return "";
  if (arch == EmulateHostArch()) return "native";
  const EmulateArch* a = FindEmulateArch(arch);
  if (!a) return "";
  const char* dir = std::getenv("IOTCOP_QEMU_DIR");
  const fs::path p =
      fs::path(dir && *dir ? dir : "/usr/bin") / fmt::format("qemu-{}-static", a->qemu);
  std::error_code ec;
  return fs::is_regular_file(p, ec) ? p.string() : "";
}

std::string BinfmtMagicMask(const std::string& arch) {
  const EmulateArch* a = FindEmulateArch(arch);
  if (!a) return "";
  // e_ident: "\x7fELF", class, data, version 1, then OS ABI and padding (ignored); e_type 2 or 3
  // (executable or shared object: the mask drops its lowest bit); e_machine.
  std::uint8_t magic[20] = {
      0x7f, 'E', 'L', 'F', a->elf_class, static_cast<std::uint8_t>(a->little_endian ? 1 : 2), 1};
  std::uint8_t mask[20] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  const int lo = a->little_endian ? 0 : 1;  // index of the low byte of a 16-bit field
  magic[16 + lo] = 2;
  mask[16 + lo] = 0xfe;
  mask[17 - lo] = 0xff;
  magic[18 + lo] = static_cast<std::uint8_t>(a->machine & 0xff);
  magic[19 - lo] = static_cast<std::uint8_t>(a->machine >> 8);
  mask[18] = mask[19] = 0xff;
  std::string out;
  for (const auto* bytes : {magic, mask}) {
    if (!out.empty()) out += ':';
    for (int i = 0; i < 20; ++i) out += fmt::format("\\x{:02x}", bytes[i]);
  }
  return out;
}

Result<std::vector<PlannedService>> PlanServices(const unpack::Tree& tree, std::uint32_t root,
                                                 const FactStore& facts, const std::string& input) {
  auto rules = EmulateRules();
  if (!rules) return rules.error();
  std::vector<PlannedService> out;
  std::set<std::string> seen;
  for (const Fact* f : facts.OfKind(facts::kService)) {
    if (f->evidence.input != input) continue;
    std::string name = FieldText(f->value, "name");
    // OpenWrt's `service_start ${PROG} ${args}`: the init script's name says which server.
    if (name.find('$') != std::string::npos) {
      const std::string file = FieldText(f->value, "file");
      name = file.substr(file.find_last_of("/!") + 1);
    }
    const auto rule = rules->find(name);
    if (rule == rules->end()) continue;
    const std::string command = FieldText(f->value, "command");
    if (!seen.insert(command).second) continue;
    PlannedService s;
    s.name = name;
    s.command = command;
    s.evidence = f->evidence;
    if (f->value.contains("argv") && f->value["argv"].is_array())
      for (const auto& a : f->value["argv"])
        if (a.is_string()) s.launch.argv.push_back(a.get<std::string>());
    const bool needs_shell = std::any_of(
        s.launch.argv.begin(), s.launch.argv.end(),
        [](const std::string& a) { return a.find_first_of("$`") != std::string::npos; });
    if (needs_shell && !rule->second.fallback.empty()) {
      s.launch.argv = rule->second.fallback;
      s.fallback = true;
    }
    if (s.launch.argv.empty()) {
      s.skip = "no command line";
    } else if (f->value.value("has_credentials", false)) {
      s.skip = "its command line holds a password (redacted in the facts)";
    } else if (needs_shell && !s.fallback) {
      s.skip = "its command line needs the shell's expansion at boot";
    } else {
      EmulateChooseRunner(
          tree, root, s.fallback ? rule->second.before : std::vector<std::vector<std::string>>{},
          s);
    }
    s.run = command;
    if (s.fallback) s.run = fmt::format("{}", fmt::join(s.launch.argv, " "));
    out.push_back(std::move(s));
  }
  // Init scripts enabled by an rc.d link whose start the boot analysis could not spell out
  // (OpenWrt's dropbear: `service_start ${PROG} ${args}` after config_foreach): the rules'
  // command line, when the rule has one.
  std::set<std::string> planned;
  for (const auto& p : out) planned.insert(p.name);
  for (const unpack::Entry* link : tree.List(root, "/etc/rc.d")) {
    const std::string base = link->path.substr(link->path.rfind('/') + 1);
    if (!base.starts_with('S') || base.size() < 4) continue;
    const std::string name = base.substr(3);
    const auto rule = rules->find(name);
    if (rule == rules->end() || rule->second.fallback.empty() || planned.contains(name)) continue;
    planned.insert(name);
    PlannedService s;
    s.name = name;
    s.command = link->path + " start";
    s.evidence.source = InputKind::kFirmware;
    s.evidence.input = input;
    s.evidence.path = tree.DisplayPath(*link);
    s.evidence.excerpt = link->path + " -> " + link->link_target;
    s.launch.argv = rule->second.fallback;
    s.fallback = true;
    s.run = fmt::format("{}", fmt::join(s.launch.argv, " "));
    EmulateChooseRunner(tree, root, rule->second.before, s);
    out.push_back(std::move(s));
  }
  return out;
}

namespace {

// The largest JSON report of the probes read back from the child.
constexpr std::size_t kMaxProbeReport = 256u << 20;

// Runs the live-device probes on 127.0.0.1 of the emulation's network namespace. Joining that
// namespace takes CAP_SYS_ADMIN in the user namespace that owns it and in one's own; iotcop has
// the first (it made the namespace) but, without root, not the second, and a process with threads
// cannot change its user namespace. So a child process joins the emulation's user namespace (when
// iotcop is not root) and then its network, runs network::AssessHosts (whose threads inherit the
// namespace; the network code is unchanged) and hands the result back as the JSON report
// (report/renderer.h), which the parent reads with the stored-run reader.
Result<Assessment> ProbeInNamespace(const Sandbox& sandbox, const network::Options& o,
                                    Progress& progress) {
  const int netns = sandbox.OpenNetns();
  const int userns =
      geteuid() == 0
          ? -1
          : open(fmt::format("/proc/{}/ns/user", sandbox.init_pid()).c_str(), O_RDONLY | O_CLOEXEC);
  int p[2];
  if (netns < 0 || (geteuid() != 0 && userns < 0) || pipe2(p, O_CLOEXEC) != 0) {
    const int err = errno;
    if (netns >= 0) close(netns);
    if (userns >= 0) close(userns);
    return MakeError(Errc::kIo,
                     fmt::format("opening the emulation's namespaces: {}", std::strerror(err)));
  }
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child == 0) {
    close(p[0]);
    std::string out;
    if (userns >= 0 && setns(userns, CLONE_NEWUSER) != 0) {
      out = fmt::format("!joining the emulation's user namespace: {}", std::strerror(errno));
    } else if (setns(netns, CLONE_NEWNET) != 0) {
      out = fmt::format("!joining the emulation's network namespace: {}", std::strerror(errno));
    } else {
      Assessment live;
      network::AssessHosts({"127.0.0.1"}, o, live, progress);
      out = report::AssessmentJson(live, Catalogue()).dump();
    }
    for (std::size_t done = 0; done < out.size();) {
      const ssize_t n = write(p[1], out.data() + done, out.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    _exit(0);
  }
  const int fork_errno = errno;
  close(p[1]);
  close(netns);
  if (userns >= 0) close(userns);
  if (child < 0) {
    close(p[0]);
    return MakeError(Errc::kIo, fmt::format("fork for the probes: {}", std::strerror(fork_errno)));
  }
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = read(p[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (text.size() < kMaxProbeReport) text.append(buf, static_cast<std::size_t>(n));
  }
  close(p[0]);
  int st = 0;
  while (waitpid(child, &st, 0) < 0 && errno == EINTR) {
  }
  if (text.starts_with('!')) return MakeError(Errc::kIo, text.substr(1));
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || text.empty())
    return MakeError(Errc::kIo,
                     fmt::format("the probes' process ended without results ({})",
                                 WIFSIGNALED(st) ? fmt::format("signal {}", WTERMSIG(st))
                                                 : fmt::format("exit {}", WEXITSTATUS(st))));
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded())
    return MakeError(Errc::kIo, "the probes' process handed back no readable report");
  return report::AssessmentFromJson(doc, "the emulated services' probes", {});
}

}  // namespace

Result<Session> StartEmulation(const unpack::Tree& tree, const FactStore& facts,
                               const std::string& input, const fs::path& work,
                               const Options& options) {
  const auto roots = firmware::ConfigRoots(tree);
  if (roots.empty())
    return MakeError(Errc::kInvalidArgument, "no root file system to emulate", input);
  auto plan = PlanServices(tree, roots.front(), facts, input);
  if (!plan) return plan.error();
  Session s;
  s.services = std::move(*plan);
  std::set<std::string> variants;
  for (const auto& ps : s.services)
    if (ps.skip.empty() && !ps.variant.empty()) variants.insert(ps.variant);
  s.nvram = PlanNvram(tree, roots.front(), variants);
  std::vector<Launch> launches;
  for (std::size_t i = 0; i < s.services.size(); ++i) {
    if (!s.services[i].skip.empty()) continue;
    launches.push_back(s.services[i].launch);
    launches.back().env = NvramEnvironment(s.nvram, s.services[i].variant);
    s.started.push_back(i);
  }
  if (launches.empty()) return s;
  auto sb = Sandbox::Start(tree, roots.front(), launches, work, options.limits, s.nvram.files);
  if (!sb) return sb.error();
  s.sandbox = std::move(*sb);
  return s;
}

std::string StatusOf(const Session& s, std::size_t i) {
  if (!s.services[i].skip.empty()) return "skipped";
  const auto it = std::find(s.started.begin(), s.started.end(), i);
  if (!s.sandbox || it == s.started.end()) return "not-started";
  const LaunchResult& r = s.sandbox->results()[static_cast<std::size_t>(it - s.started.begin())];
  if (!r.started) return "not-started";
  if (!r.tcp.empty() || !r.udp.empty()) return "listening";
  if (r.exited && (r.exit_code != 0 || r.signal != 0)) return "crashed";
  return "no-listener";
}

void AssessEmulated(const unpack::Tree& tree, const std::string& input, const fs::path& work,
                    const network::Options& net, const Options& options, Assessment& a,
                    Progress& progress) {
  progress.Set("emulating boot services", input);
  nlohmann::json summary = {
      {"note",
       "the live-device facts of this input come from its own boot services run from a copy of "
       "its root file system under emulation (QEMU user mode, or natively for the host's "
       "architecture), not from a device"}};
  auto session = StartEmulation(tree, a.facts, input, work, options);
  if (!session) {
    a.problems.push_back(
        {"warning", "emulate", input, "", std::nullopt, session.error().Describe()});
    summary["error"] = session.error().Describe();
    a.extras["emulation"][input] = summary;
    return;
  }
  Session& s = *session;
  // Which service opened which port, for the evidence of the live facts.
  std::map<std::string, std::string> owner;  // "23/tcp" -> command
  std::string tcp_ports;
  bool any_udp = false;
  if (s.sandbox) {
    for (std::size_t k = 0; k < s.started.size(); ++k) {
      const LaunchResult& r = s.sandbox->results()[k];
      const std::string& cmd = s.services[s.started[k]].run;
      for (auto p : r.tcp) {
        owner.emplace(fmt::format("{}/tcp", p), cmd);
        tcp_ports += (tcp_ports.empty() ? "" : ",") + std::to_string(p);
      }
      for (auto p : r.udp) owner.emplace(fmt::format("{}/udp", p), cmd);
      any_udp = any_udp || !r.udp.empty();
    }
  }
  Assessment live;
  std::string probe_error;
  if (s.sandbox && (!tcp_ports.empty() || any_udp)) {
    progress.Set("probing emulated services", input);
    network::Options o = net;
    o.ports = tcp_ports.empty() ? "1" : tcp_ports;
    o.udp = any_udp;
    auto probed = ProbeInNamespace(*s.sandbox, o, progress);
    if (probed) {
      live = std::move(*probed);
    } else {
      probe_error = probed.error().Describe();
    }
  }
  if (s.sandbox) s.sandbox->Refresh();
  if (s.sandbox && !s.sandbox->error().empty()) {
    a.problems.push_back({"warning", "emulate", input, "", std::nullopt,
                          "the emulation's namespace: " + s.sandbox->error()});
  }
  for (const Fact& f : live.facts.all()) {
    Evidence ev = f.evidence;
    ev.input = input;
    std::string port = ev.endpoint.substr(
        ev.endpoint.rfind(':') == std::string::npos ? 0 : ev.endpoint.rfind(':') + 1);
    auto it = owner.find(port);
    ev.emulated = it != owner.end() ? it->second : "the image's boot services";
    nlohmann::json v = f.value;
    v["emulated"] = ev.emulated;
    a.facts.Add(f.kind, std::move(v), std::move(ev), f.collector);
  }
  // The live checks run when a network input is there: the emulated services are one.
  for (auto rec : live.inputs) {
    rec.name = input + " (emulated)";
    a.inputs.push_back(std::move(rec));
  }
  for (auto p : live.problems) {
    p.input = input;
    p.message = "emulated: " + p.message;
    a.problems.push_back(std::move(p));
  }
  if (!probe_error.empty())
    a.problems.push_back({"warning", "emulate", input, "", std::nullopt, probe_error});

  nlohmann::json services = nlohmann::json::array();
  for (std::size_t i = 0; i < s.services.size(); ++i) {
    const PlannedService& ps = s.services[i];
    const std::string status = StatusOf(s, i);
    nlohmann::json v = {{"name", ps.name}, {"command", ps.run}, {"status", status}};
    if (ps.fallback) v["boot_command"] = ps.command;
    if (!ps.arch.empty()) v["arch"] = ps.arch;
    if (!ps.runner.empty()) v["runner"] = ps.runner;
    if (!ps.skip.empty()) v["reason"] = ps.skip;
    const auto it = std::find(s.started.begin(), s.started.end(), i);
    if (s.sandbox && it != s.started.end()) {
      const LaunchResult& r =
          s.sandbox->results()[static_cast<std::size_t>(it - s.started.begin())];
      v["tcp"] = r.tcp;
      v["udp"] = r.udp;
      if (r.exited) {
        v["exit_code"] = r.exit_code;
        if (r.signal) v["signal"] = r.signal;
      }
      v["started_after_s"] = r.started_after_s;
      v["output"] = BoundExcerpt(r.output, 1024);
      if (status == "crashed" || status == "no-listener") {
        std::string last = r.output;
        while (!last.empty() && (last.back() == '\n' || last.back() == '\r')) last.pop_back();
        if (auto nl = last.rfind('\n'); nl != std::string::npos) last = last.substr(nl + 1);
        a.problems.push_back(
            {"warning", "emulate", input, ps.evidence.path, std::nullopt,
             fmt::format("emulated service `{}` {}{}{}", ps.run,
                         status == "crashed" ? "ended" : "opened no socket",
                         r.exited
                             ? fmt::format(" (exit {}{})", r.exit_code,
                                           r.signal ? fmt::format(", signal {}", r.signal) : "")
                             : "",
                         last.empty() ? "" : ": " + BoundExcerpt(last, 200))});
      }
    }
    Evidence ev = ps.evidence;
    ev.emulated = ps.run;
    services.push_back(v);
    a.facts.Add(facts::kEmulatedService, v, std::move(ev), "emulate");
  }
  summary["services"] = services;
  if (!live.facts.all().empty()) {
    a.problems.push_back({"warning", "emulate", input, "", std::nullopt,
                          "the live-device findings of this input come from its boot services "
                          "run under emulation (marked \"emulated\"), not from a device"});
  }
  if (s.sandbox) {
    const RootCopy& c = s.sandbox->copy();
    summary["startup_s"] = s.sandbox->startup_seconds();
    summary["timed_out"] = s.sandbox->timed_out();
    if (!s.sandbox->error().empty()) summary["error"] = s.sandbox->error();
    // Whether the programs the services start run under the emulator too ("ok"), or why not.
    for (const auto& [emulator, why] : s.sandbox->binfmt())
      summary["children_emulated"][emulator] = why.empty() ? "ok" : why;
    summary["nvram"] = DescribeNvram(s.nvram, s.sandbox.get());
    if (!s.nvram.missing_shims.empty()) {
      a.problems.push_back(
          {"warning", "emulate", input, "", std::nullopt,
           fmt::format("nvram reads of the {} services are not answered: this build has no nvram "
                       "shim for them (clang and ld.lld build it)",
                       fmt::join(s.nvram.missing_shims, ", "))});
    }
    summary["root_copy"] = {{"files", c.files},
                            {"dirs", c.dirs},
                            {"symlinks", c.symlinks},
                            {"bytes", c.bytes},
                            {"device_nodes_skipped", c.device_nodes_skipped},
                            {"setuid_cleared", c.setuid_cleared},
                            {"outside_skipped", c.outside_skipped}};
  }
  if (live.extras.contains("network")) summary["network"] = live.extras["network"];
  a.extras["emulation"][input] = summary;
  if (s.sandbox) s.sandbox->Stop();
}

}  // namespace iotcop::emulate
