// File: traffic/options.h
// What the user says about a traffic analysis (`assess --pcap`, `--iface`, `--device`): filled by
// the CLI, read by traffic/assess.cc. The limits bound memory whatever the size of the capture.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace iotcop::traffic {

struct Options {
  // --device ADDR: analyse only the traffic of this address (the device); empty = every device,
  // each one being the local/private side of its flows.
  std::string device;
  // --iface NAME: capture live on this interface for `capture_seconds` (needs CAP_NET_RAW); the
  // capture is saved as a pcap file in the output folder and analysed like a --pcap.
  std::string iface;
  int capture_seconds = 60;

  // Limits. Each direction of a TCP stream keeps its first `stream_cap` bytes for the protocol
  // parsers (bytes beyond are counted, not stored); at most `max_flows` flows are tracked at once
  // and at most `memory_budget` bytes are held in stream buffers; at most `max_items` facts of each
  // kind are kept per capture (the rest are counted).
  std::uint64_t stream_cap = 256 * 1024;
  std::size_t max_flows = 65536;
  std::uint64_t memory_budget = 256ull * 1024 * 1024;
  std::size_t max_items = 1000;
};

}  // namespace iotcop::traffic
