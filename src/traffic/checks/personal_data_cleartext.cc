// traffic.personal-data.cleartext: personal data in a cleartext payload: e-mail addresses, phone
// numbers, GPS coordinates, Wi-Fi names and keys, MAC addresses. One finding per type, protocol
// and peer; values are redacted in the facts and here.
#include <fmt/format.h>

#include <map>

#include "core/fact_kinds.h"
#include "traffic/checks/traffic_check.h"

namespace iotcop {
namespace {

using checkutil::Str;

const char* Describe(const std::string& type) {
  if (type == "email") return "e-mail address";
  if (type == "phone") return "phone number";
  if (type == "gps") return "GPS position";
  if (type == "wifi-ssid") return "Wi-Fi network name";
  if (type == "wifi-psk") return "Wi-Fi key";
  if (type == "mac") return "MAC address";
  return "personal data";
}

Status CheckTrafficPersonalDataCleartext(CheckContext& ctx) {
  std::map<std::string, std::vector<const Fact*>> groups;
  for (const Fact* p : ctx.facts().OfKind(facts::kPersonalData)) {
    groups[fmt::format("{}|{}|{}:{}", Str(*p, "type"), Str(*p, "protocol"), Str(*p, "peer"),
                       p->value.value("port", 0))]
        .push_back(p);
  }
  for (const auto& [key, facts] : groups) {
    const Fact& p = *facts.front();
    const std::string type = Str(p, "type");
    const bool sensitive = type == "wifi-psk" || type == "gps";
    const std::string peer = fmt::format("{}:{}", Str(p, "peer"), p.value.value("port", 0));
    ctx.Report(
        checkutil::FindingOn(
            facts,
            fmt::format("{} {} in cleartext {} with {}",
                        facts.size() == 1 ? "a" : std::to_string(facts.size()),
                        std::string(Describe(type)) + (facts.size() == 1 ? "" : "es"),
                        Str(p, "protocol"), peer),
            fmt::format("{} {} {} ({}) over an unencrypted {} connection: anyone on "
                        "the network path can read it.",
                        Str(p, "device"), Str(p, "direction") == "sent" ? "sent" : "received",
                        Describe(type), Str(p, "value"), Str(p, "protocol")),
            sensitive ? Severity::kHigh : Severity::kMedium,
            sensitive ? std::vector<std::string>{"5.8-1", "5.8-2"}
                      : std::vector<std::string>{"5.8-1"}),
        key);
  }
  if (groups.empty()) {
    trafficcheck::JudgeCommunication(ctx, "5.8-1", "personal data in cleartext");
    trafficcheck::JudgeCommunication(ctx, "5.8-2", "sensitive personal data in cleartext");
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeTrafficPersonalDataCleartextCheck() {
  return checkutil::MakeFunctionCheck(
      {"traffic.personal-data.cleartext",
       "Personal data sent in cleartext",
       {"5.8-1", "5.8-2"},
       {InputKind::kTraffic},
       {facts::kTrafficCapture, facts::kPersonalData},
       "Personal data between the device and its services must be kept confidential (5.8-1), "
       "sensitive data (location, network keys) with encryption suited to it (5.8-2).",
       "Send personal data only over TLS; keep Wi-Fi keys off the network once provisioned.",
       Severity::kMedium},
      CheckTrafficPersonalDataCleartext);
}

}  // namespace iotcop
