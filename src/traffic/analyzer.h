// File: traffic/analyzer.h
// The flows of one capture: packets are grouped into flows (TCP streams reassembled with bounded
// memory, UDP datagrams looked at one by one), each flow is identified by nDPI and handed to the
// protocol analyzers (traffic/analyzers/, listed in analyzers.def): UDP datagrams as they come,
// TCP flows when they end (or when the capture does); what they find becomes facts with evidence
// (capture, packet number, "a:p -> b:p/tcp", redacted excerpt). Destinations are aggregated per
// device and peer.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/assessment.h"
#include "core/fact.h"
#include "traffic/analyzers/analyzer.h"
#include "traffic/dpi.h"
#include "traffic/options.h"
#include "traffic/packet.h"
#include "traffic/stream.h"

namespace iotcop::traffic {

struct CaptureStats {
  std::uint64_t packets = 0, ip_packets = 0, bytes = 0, malformed = 0, flows = 0;
  std::uint64_t bytes_not_kept = 0, flows_untracked = 0;
};

class Analyzer {
 public:
  Analyzer(std::string capture, const Options& options, FactStore& facts,
           std::vector<Problem>& problems);
  ~Analyzer();

  // One decoded packet, with its 1-based number and time (microseconds).
  void Add(std::uint64_t number, std::uint64_t time_us, const Packet& p);
  // Every frame read, decoded or not (its length on the wire).
  void CountFrame(std::uint64_t wire_length) {
    ++stats_.packets;
    stats_.bytes += wire_length;
  }
  // A frame that did not decode: counted and reported (the first few) with its number.
  void Malformed(std::uint64_t number, const Error& e);
  // Analyses the flows still open and writes the destination facts.
  void Finish();
  const CaptureStats& stats() const { return stats_; }
  std::vector<std::string> Devices() const;

  struct Flow;

 private:
  struct Key {
    Address a, b;
    std::uint16_t pa = 0, pb = 0;
    std::uint8_t proto = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  struct DestKey {
    Address device, peer;
    std::uint16_t port = 0;
    std::uint8_t proto = 0;
    bool inbound = false;
    auto operator<=>(const DestKey&) const = default;
  };
  struct Destination;

  void Close(Flow& f);
  // A TCP flow that ended: its streams through the stream analyzers, in analyzers.def order.
  void AnalyseStreams(Flow& f);

  std::string capture_;
  const Options& options_;
  std::vector<Problem>& problems_;
  Address device_filter_;
  bool filter_ = false;
  Dpi dpi_;
  analyzers::Context cx_;
  std::vector<std::unique_ptr<analyzers::StreamAnalyzer>> stream_analyzers_;
  std::vector<std::unique_ptr<analyzers::DatagramAnalyzer>> datagram_analyzers_;
  std::unordered_map<Key, std::unique_ptr<Flow>, KeyHash> flows_;
  std::map<DestKey, std::unique_ptr<Destination>> destinations_;
  std::uint64_t held_ = 0;  // bytes in stream buffers
  CaptureStats stats_;
};

}  // namespace iotcop::traffic
