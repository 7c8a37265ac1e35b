// File: cli/traffic_options.h
// The `assess` options of traffic analysis (--device, --iface, --capture-seconds) and what they
// need before the pipeline runs: --device checked, --iface captured live into a pcap file in the
// output folder, which then joins the --pcap list.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "traffic/options.h"

namespace iotcop::cli {

void AddCaptureOptions(CLI::App& cmd, traffic::Options& options);
// 0, or the exit code after printing the error (naming the option and its value) to stderr.
int PrepareCaptures(traffic::Options& options, const std::string& out_dir,
                    std::vector<std::string>& pcaps);

}  // namespace iotcop::cli
