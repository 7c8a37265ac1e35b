// File: cli/traffic_options.cc
// --device, --iface and --capture-seconds of `iotcop assess` (traffic/cli_options.h).
#include "cli/traffic_options.h"

#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "protocols/address.h"
#include "traffic/capture.h"

namespace iotcop::cli {

void AddCaptureOptions(CLI::App& cmd, traffic::Options& options) {
  cmd.add_option("--device", options.device,
                 "with --pcap/--iface: analyse only this address's traffic (default: every "
                 "device, the private side of each flow)");
  cmd.add_option("--iface", options.iface,
                 "capture live on this interface (needs root or CAP_NET_RAW); saved as "
                 "capture-NAME.pcap in the output folder and analysed");
  cmd.add_option("--capture-seconds", options.capture_seconds, "how long --iface captures")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
}

int PrepareCaptures(traffic::Options& options, const std::string& out_dir,
                    std::vector<std::string>& pcaps) {
  if (!options.device.empty()) {
    protocols::Address a;
    if (!protocols::ParseAddress(options.device, a)) {
      std::cerr << "iotcop assess: --device " << options.device
                << ": not an IPv4 or IPv6 address\n";
      return kExitUsage;
    }
  }
  if (options.iface.empty()) return 0;
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  const std::string path =
      (std::filesystem::path(out_dir) / ("capture-" + options.iface + ".pcap")).string();
  std::cerr << "iotcop assess: capturing on " << options.iface << " for " << options.capture_seconds
            << " s into " << path << "\n";
  if (Status st = traffic::CaptureLive(options.iface, options.capture_seconds, path); !st) {
    std::cerr << "iotcop assess: --iface " << st.error().Describe() << "\n";
    return kExitInput;
  }
  pcaps.push_back(path);
  return 0;
}

}  // namespace iotcop::cli
