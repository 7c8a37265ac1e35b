// File: traffic/capture.h
// Reading a capture file (pcap or pcapng, through libpcap) packet by packet into an Analyzer, and
// recording a live capture from an interface into a pcap file.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "traffic/analyzer.h"

namespace iotcop::traffic {

struct ReadSummary {
  int link_type = 0;
  std::string link_type_name;
  // Set when the capture stopped early (truncated file, impossible record): what and at which
  // packet; the packets before it were analysed.
  std::optional<Error> stopped;
};

// An Error when the file cannot be opened as a capture or its link type is not decoded (nothing
// read); otherwise the summary, possibly with `stopped`.
Result<ReadSummary> ReadCapture(const std::string& path, Analyzer& analyzer);

// Captures on `iface` for `seconds` into `out_path` (pcap). An Error says why not (no such
// interface, not permitted: root or CAP_NET_RAW needed).
Status CaptureLive(const std::string& iface, int seconds, const std::string& out_path);

}  // namespace iotcop::traffic
