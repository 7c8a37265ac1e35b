// File: traffic/analyzers/mqtt.cc
// MQTT: a cleartext flow that is not HTTP and whose client starts with a CONNECT packet. Its
// PUBLISH messages are telemetry (one cleartext_telemetry fact per flow: topics, messages, bytes)
// and each message's payload is scanned for personal data.
#include <fmt/format.h>

#include <set>

#include "core/fact_kinds.h"
#include "protocols/mqtt.h"
#include "traffic/analyzers/analyzer.h"
#include "traffic/parsers.h"

namespace iotcop::traffic::analyzers {
namespace {

class MqttAnalyzer : public StreamAnalyzer {
 public:
  bool Applies(const Conversation& c) const override {
    const std::string_view client = c.client.data();
    return !c.payload_scanned && !client.empty() && static_cast<unsigned char>(client[0]) == 0x10;
  }

  Next Analyse(Context& cx, Conversation& c) override {
    FlowInfo& f = c.flow;
    c.payload_scanned = true;
    std::set<std::string> topics;
    std::uint64_t messages = 0, bytes = 0, first = 0;
    for (const auto& m : protocols::ParseMqtt(c.client.data())) {
      if (m.type != 3) continue;
      ++messages;
      bytes += m.payload.size();
      if (!first) first = c.client.PacketAt(m.offset);
      if (topics.size() < 32) topics.insert(m.topic);
      PersonalDataIn(cx, f, m.payload, nullptr, "mqtt", c.client.PacketAt(m.offset));
    }
    if (messages) {
      cx.AddFact(
          facts::kCleartextTelemetry,
          {{"protocol", "mqtt"},
           {"device", ToString(f.device)},
           {"server", ToString(f.server)},
           {"port", f.sport},
           {"name", ""},
           {"topics", topics},
           {"messages", messages},
           {"bytes", bytes}},
          cx.At(f, first, fmt::format("MQTT PUBLISH {} ({} messages)", *topics.begin(), messages),
                true));
    }
    return Next::kContinue;
  }
};

}  // namespace

std::unique_ptr<StreamAnalyzer> MakeMqttAnalyzer() { return std::make_unique<MqttAnalyzer>(); }

}  // namespace iotcop::traffic::analyzers
