// Services collector: every program started at boot, with its command line and the file and line
// that starts it (firmware/boot/boot.h walks inittab, rcS and the scripts it runs, rc.d links,
// procd, systemd, rc.local, inetd and cron when crond runs). Emits one `service` fact per started
// daemon or console program.
#include "core/evidence.h"
#include "core/fact_kinds.h"
#include "credentials/passwords.h"
#include "firmware/boot/boot.h"
#include "firmware/collector.h"
#include "firmware/text.h"

namespace iotcop::firmware {
namespace {

// "-p 8080", "-p8080", "--port=8080", "-l :23": the port a command line names, if any.
std::optional<int> PortOf(const std::vector<std::string>& argv) {
  for (std::size_t i = 1; i < argv.size(); ++i) {
    std::string v;
    const std::string& a = argv[i];
    if ((a == "-p" || a == "-P" || a == "--port") && i + 1 < argv.size()) {
      v = argv[i + 1];
    } else if (a.starts_with("--port=")) {
      v = a.substr(7);
    } else if (a.starts_with("-p") && a.size() > 2 &&
               std::isdigit(static_cast<unsigned char>(a[2]))) {
      v = a.substr(2);
    }
    if (auto colon = v.rfind(':'); colon != std::string::npos) v = v.substr(colon + 1);
    if (!v.empty() && v.size() <= 5 && v.find_first_not_of("0123456789") == std::string::npos) {
      const int port = std::stoi(v);
      if (port > 0 && port < 65536) return port;
    }
  }
  return std::nullopt;
}

void CollectServices(const FirmwareInput& in, FactStore& facts, std::vector<Problem>&) {
  for (std::uint32_t root : ConfigRoots(in.tree)) {
    const BootPlan plan = DiscoverBoot(in.tree, root);
    for (const BootCommand& c : plan.commands) {
      if (!c.daemon && c.init != "inittab") continue;
      std::string prog = c.argv.front();
      if (prog.starts_with('-')) prog.erase(0, 1);
      // Passwords on command lines never reach a fact: they are redacted here.
      const bool secret = !credentials::CredentialsInArgs(c.argv).empty();
      const std::string command = credentials::RedactedCommand(c.argv);
      const std::vector<std::string> argv = credentials::RedactedArgs(c.argv);
      nlohmann::json v = {{"name", std::string(Basename(prog))},
                          {"command", command},
                          {"argv", argv},
                          {"started_by", c.started_by},
                          {"file", in.tree.DisplayPath(*c.file)},
                          {"line", c.line},
                          {"init", c.init},
                          {"background", c.background}};
      if (!c.user.empty()) v["user"] = c.user;
      if (!c.tty.empty()) v["tty"] = c.tty;
      if (!c.action.empty()) v["action"] = c.action;
      if (!c.schedule.empty()) v["schedule"] = c.schedule;
      if (auto port = PortOf(c.argv)) v["port"] = *port;
      if (secret) v["has_credentials"] = true;
      facts.Add(facts::kService, v, FileEvidence(in, *c.file, c.line, secret ? command : c.code),
                "services");
    }
  }
}

}  // namespace

std::unique_ptr<const Collector> MakeServicesCollector() {
  return MakeFunctionCollector({"services",
                                "programs started at boot (inittab, rcS and its scripts, rc.d, "
                                "procd, systemd, rc.local, inetd, cron) with their command lines",
                                {facts::kService}},
                               CollectServices);
}

}  // namespace iotcop::firmware
