// traffic.cleartext.telemetry: telemetry sent without encryption: MQTT publications (port 1883),
// CoAP messages without DTLS, HTTP POST/PUT bodies. One finding per protocol and destination.
#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "traffic/checks/traffic_check.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckTrafficCleartextTelemetry(CheckContext& ctx) {
  bool found = false;
  for (const Fact* t : ctx.facts().OfKind(facts::kCleartextTelemetry)) {
    const std::string proto = Str(*t, "protocol");
    const std::string where = fmt::format("{}:{}", Str(*t, "server"), t->value.value("port", 0));
    std::string topics;
    for (const auto& x : t->value.value("topics", nlohmann::json::array())) {
      if (topics.size() > 120) break;
      topics += (topics.empty() ? "" : ", ") + x.get<std::string>();
    }
    ctx.Report(
        checkutil::FindingOn(
            {t}, fmt::format("{} telemetry sent in cleartext to {} ({})", proto, where, topics),
            fmt::format("{} sent {} {} message(s), {} bytes, to {} without encryption: "
                        "their content and the topics they are sent to can be read and "
                        "altered on the way.",
                        Str(*t, "device"), t->value.value("messages", 0), proto,
                        t->value.value("bytes", 0), where),
            Severity::kMedium),
        fmt::format("{}:{}:{}", proto, where, topics));
    found = true;
  }
  if (!found) trafficcheck::JudgeCommunication(ctx, "5.5-1", "telemetry sent in cleartext");
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeTrafficCleartextTelemetryCheck() {
  return checkutil::MakeFunctionCheck(
      {"traffic.cleartext.telemetry",
       "Telemetry sent in cleartext (MQTT, CoAP, HTTP)",
       {"5.5-1"},
       {InputKind::kTraffic},
       {facts::kTrafficCapture, facts::kCleartextTelemetry},
       "Readings and status reports sent over MQTT on 1883, CoAP without DTLS or plain HTTP can "
       "be read and forged by anyone on the path; forged telemetry can drive the service's "
       "decisions (5.5-1).",
       "Use MQTT over TLS (8883) with per-device credentials, CoAP over DTLS (5684) or HTTPS.",
       Severity::kMedium},
      CheckTrafficCleartextTelemetry);
}

}  // namespace iotcop
