// File: traffic/analyzers/coap.cc
// CoAP (UDP port 5683): the messages a device sends on a flow are telemetry, one
// cleartext_telemetry fact when the flow ends (URIs, messages, bytes, the first message's packet);
// each message's payload is scanned for personal data as it comes.
#include <fmt/format.h>

#include <set>
#include <unordered_map>

#include "core/fact_kinds.h"
#include "protocols/coap.h"
#include "traffic/analyzers/analyzer.h"
#include "traffic/parsers.h"

namespace iotcop::traffic::analyzers {
namespace {

class CoapAnalyzer : public DatagramAnalyzer {
 public:
  bool Applies(const Datagram& d) const override {
    return d.packet.dport == 5683 || d.packet.sport == 5683;
  }

  void Analyse(Context& cx, const Datagram& d) override {
    auto m = protocols::ParseCoap(d.packet.payload);
    const bool from_device = d.from_client == d.flow.device_is_client;
    if (!m || !from_device) return;
    Tally& t = flows_[d.flow.first_packet];
    ++t.messages;
    t.bytes += d.packet.payload.size();
    if (!t.packet) t.packet = d.number;
    if (t.uris.size() < 32 && !m->uri.empty()) t.uris.insert(m->uri);
    if (!m->payload.empty()) PersonalDataIn(cx, d.flow, m->payload, nullptr, "coap", d.number);
  }

  void End(Context& cx, FlowInfo& f) override {
    auto it = flows_.find(f.first_packet);
    if (it == flows_.end()) return;
    const Tally& t = it->second;
    cx.AddFact(facts::kCleartextTelemetry,
               {{"protocol", "coap"},
                {"device", ToString(f.device)},
                {"server", ToString(f.device_is_client ? f.server : f.client)},
                {"port", f.sport},
                {"name", ""},
                {"topics", t.uris},
                {"messages", t.messages},
                {"bytes", t.bytes}},
               cx.At(f, t.packet,
                     fmt::format("CoAP {} messages to {}", t.messages,
                                 t.uris.empty() ? "/" : *t.uris.begin()),
                     f.device_is_client));
    flows_.erase(it);
  }

 private:
  // The device's CoAP messages on one flow.
  struct Tally {
    std::uint64_t messages = 0, bytes = 0, packet = 0;
    std::set<std::string> uris;
  };
  // Open flows with at least one message, by their first packet (FlowInfo::first_packet): an
  // entry lives from the flow's first message to its end.
  std::unordered_map<std::uint64_t, Tally> flows_;
};

}  // namespace

std::unique_ptr<DatagramAnalyzer> MakeCoapAnalyzer() { return std::make_unique<CoapAnalyzer>(); }

}  // namespace iotcop::traffic::analyzers
