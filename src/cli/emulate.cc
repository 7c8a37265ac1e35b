// iotcop emulate IMAGE: start the image's boot network services in a namespace of iotcop's own
// (docs/emulation.md), print what came up, the addresses and how to enter the namespace, and keep
// them up until Ctrl-C (or SIGTERM).
#include <signal.h>

#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "core/progress.h"
#include "emulate/emulate.h"
#include "firmware/collector.h"
#include "unpack/engine.h"

namespace iotcop::cli {
namespace fs = std::filesystem;
namespace {

struct EmulateArgs {
  std::string image;
  std::string work = "iotcop-emulate";
  int deadline = 60;
};

int RunEmulate(const EmulateArgs& args) {
  std::error_code ec;
  if (!fs::exists(args.image, ec)) {
    std::cerr << "iotcop emulate: " << args.image << ": no such file or folder\n";
    return kExitInput;
  }
  // SIGINT and SIGTERM are waited for below; blocked before any process is started.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  Progress progress;
  progress.Set("unpacking", args.image);
  Result<unpack::Tree> tree = MakeError(Errc::kInternal, "unset");
  if (fs::is_directory(args.image, ec)) {
    tree = unpack::Tree::FromDirectory(args.image, fs::path(args.image).filename().string());
  } else {
    unpack::UnpackOptions uo;
    uo.out_dir = fs::path(args.work) / "extracted";
    auto r = unpack::UnpackImage(args.image, uo);
    if (r) {
      tree = std::move(r->tree);
    } else {
      tree = r.error();
    }
  }
  if (!tree) {
    std::cerr << "iotcop emulate: " << tree.error().Describe() << "\n";
    return kExitInput;
  }
  progress.Set("collecting facts", args.image);
  FactStore facts;
  std::vector<Problem> problems;
  firmware::FirmwareInput fin{*tree, args.image, nullptr};
  firmware::CollectFirmware(fin, facts, problems);
  progress.Set("starting services", args.image);
  emulate::Options options;
  options.limits.deadline = std::chrono::seconds(args.deadline);
  auto session =
      emulate::StartEmulation(*tree, facts, args.image, fs::path(args.work) / "root", options);
  progress.Done();
  if (!session) {
    std::cerr << "iotcop emulate: " << session.error().Describe() << "\n";
    return kExitInput;
  }
  const emulate::Session& s = *session;
  std::cout << fmt::format("{}: {} network service(s) started at boot\n", args.image,
                           s.services.size());
  for (std::size_t i = 0; i < s.services.size(); ++i) {
    const auto& ps = s.services[i];
    const std::string status = emulate::StatusOf(s, i);
    std::string detail = ps.skip;
    const auto it = std::find(s.started.begin(), s.started.end(), i);
    if (s.sandbox && it != s.started.end()) {
      const auto& r = s.sandbox->results()[static_cast<std::size_t>(it - s.started.begin())];
      for (auto p : r.tcp)
        detail += fmt::format("{}127.0.0.1:{}/tcp", detail.empty() ? "" : " ", p);
      for (auto p : r.udp)
        detail += fmt::format("{}127.0.0.1:{}/udp", detail.empty() ? "" : " ", p);
      if (status == "crashed" || status == "no-listener") {
        std::string out = r.output;
        while (!out.empty() && out.back() == '\n') out.pop_back();
        if (auto nl = out.rfind('\n'); nl != std::string::npos) out = out.substr(nl + 1);
        detail += fmt::format("{}exit {}{}", detail.empty() ? "" : " ", r.exit_code,
                              out.empty() ? "" : ": " + BoundExcerpt(out, 160));
      }
    }
    std::cout << fmt::format("  {:<12} {:<40} [{}{}] {}\n", status, ps.command, ps.runner,
                             ps.arch.empty() ? "" : " " + ps.arch, detail);
  }
  if (!s.sandbox) {
    std::cout << "nothing to run\n";
    return kExitOk;
  }
  for (const auto& [emulator, why] : s.sandbox->binfmt())
    std::cout << fmt::format("programs the services start: {}\n",
                             why.empty()
                                 ? "run under " + emulator + " too (binfmt_misc of the namespace)"
                                 : "not emulated (" + why + ")");
  if (const std::string line = emulate::NvramLine(s.nvram); !line.empty())
    std::cout << line << "\n";
  std::cout << fmt::format(
      "up in {:.1f} s. The services listen on 127.0.0.1 inside the namespace; enter it with\n"
      "  nsenter -t {} -n    (network only: curl, telnet, ssh from the host's tools)\n"
      "  nsenter -t {} -a    (everything: the image's own root and processes)\n"
      "Ctrl-C stops every process and removes every mount.\n",
      s.sandbox->startup_seconds(), s.sandbox->init_pid(), s.sandbox->init_pid());
  std::cout.flush();
  int sig = 0;
  sigwait(&stop, &sig);
  std::cout << "stopping\n";
  return kExitOk;  // the session's destructor kills the namespace
}

}  // namespace

void AddEmulateCommand(CLI::App& app, CommandContext& ctx) {
  static EmulateArgs args;
  auto* cmd = app.add_subcommand(
      "emulate",
      "Run a firmware image's boot network services (natively or under QEMU user mode) in "
      "namespaces of iotcop's own and keep them up for manual probing until Ctrl-C");
  cmd->add_option("image", args.image, "firmware image, or a folder holding an extracted root")
      ->required();
  cmd->add_option("-o,--out", args.work, "work folder: extracted files and the mount point")
      ->capture_default_str();
  cmd->add_option("--deadline", args.deadline, "seconds the services get to come up, in all")
      ->capture_default_str();
  cmd->callback([&ctx] { ctx.run = [] { return RunEmulate(args); }; });
}

}  // namespace iotcop::cli
