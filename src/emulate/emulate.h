// File: emulate/emulate.h
// The device without the device (docs/emulation.md): the network services a firmware starts at
// boot (the firmware collectors' `service` facts) are run from a copy of its root file system in
// a namespace of iotcop's own (emulate/sandbox.h), natively or under QEMU user-mode emulation for
// the program's architecture, and the live-device checks of network/ probe them on the
// namespace's loopback. Every fact so obtained carries `emulated` (the service's command line).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/assessment.h"
#include "core/evidence.h"
#include "core/progress.h"
#include "core/result.h"
#include "emulate/nvram.h"
#include "emulate/sandbox.h"
#include "network/options.h"
#include "unpack/tree.h"

namespace iotcop::emulate {

struct Options {
  SandboxLimits limits;
};

// One boot service considered for emulation.
struct PlannedService {
  std::string name;     // the program's file name
  std::string command;  // as the boot configuration writes it (passwords redacted)
  std::string run;      // the command line run (rules/emulate.yaml's fallback when `fallback`)
  bool fallback = false;
  std::string arch;     // of the program (elf.h names), "" when unknown
  std::string variant;  // of the nvram shim it loads (emulate/nvram.h: "armhf" for hard-float ARM)
  std::string runner;   // "native", or the emulator's file name (qemu-mips-static)
  std::string skip;     // why it is not started ("" when it is)
  Launch launch;
  Evidence evidence;  // where the boot configuration starts it
};

// Network services (rules/emulate.yaml) among the `service` facts of `input`, resolved against
// root `root` of `tree`, in boot order, with the way to run each. Error: the list cannot be read.
Result<std::vector<PlannedService>> PlanServices(const unpack::Tree& tree, std::uint32_t root,
                                                 const FactStore& facts, const std::string& input);

// The host's static emulator for an architecture ("" when none is installed); "native" for the
// host's own. $IOTCOP_QEMU_DIR overrides /usr/bin.
std::string RunnerFor(const std::string& arch);

// binfmt_misc's "magic:mask" (each byte as \xNN) matching the ELF programs of `arch`, as the
// namespace's own binfmt_misc instance registers its emulator; "" for an unknown architecture.
std::string BinfmtMagicMask(const std::string& arch);

// A running emulation (iotcop emulate): the services stay up until the object goes.
struct Session {
  std::vector<PlannedService> services;
  std::vector<std::size_t> started;  // index in `services` of each sandbox launch
  NvramSetup nvram;                  // the image's nvram defaults and the shims serving them
  std::unique_ptr<Sandbox> sandbox;
};

// Plans and starts the services of `input`; `work` is an empty folder for the mount point.
Result<Session> StartEmulation(const unpack::Tree& tree, const FactStore& facts,
                               const std::string& input, const std::filesystem::path& work,
                               const Options& options);

// What happened to planned service `i` of a session: listening, crashed, no-listener,
// not-started, skipped.
std::string StatusOf(const Session& s, std::size_t i);

// assess --firmware IMG --emulate: start the services of `input`, run the live-device checks
// against them from inside the namespace, add every fact marked `emulated`, an `emulated_service`
// fact per service, and the run's summary to extras.emulation. Stops the namespace before it
// returns.
void AssessEmulated(const unpack::Tree& tree, const std::string& input,
                    const std::filesystem::path& work, const network::Options& net,
                    const Options& options, Assessment& a, Progress& progress);

}  // namespace iotcop::emulate
