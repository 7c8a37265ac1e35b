// traffic.personal-data.destinations: where the device sends data, held against what the
// manufacturer tells consumers. The capture lists every destination with bytes, protocol and
// encryption; a declaration that says no telemetry is collected while the device publishes
// telemetry (6-4), or that lists no personal data while personal data leaves the device (6-1), is
// contradicted. Without such a declaration the destinations are the evidence a reviewer needs
// (5.10-1, 6-1, 6-4 stay INCONCLUSIVE with the list).
#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "traffic/checks/traffic_check.h"

namespace iotcop {
namespace {

using checkutil::Str;

const Fact* Claim(const FactStore& facts, std::string_view field) {
  for (const Fact* c : facts.OfKind(facts::kClaim))
    if (Str(*c, "field") == field) return c;
  return nullptr;
}

bool ClaimedFalse(const Fact* c) {
  if (!c) return false;
  const auto& v = c->value["value"];
  if (v.is_boolean()) return !v.get<bool>();
  if (v.is_array()) return v.empty();
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    return s == "none" || s == "no" || s == "false" || s.empty();
  }
  return false;
}

Status CheckTrafficPersonalDataDestinations(CheckContext& ctx) {
  const auto& facts = ctx.facts();
  std::vector<const Fact*> outbound;
  for (const Fact* d : facts.OfKind(facts::kDestination))
    if (Str(*d, "direction") == "outbound") outbound.push_back(d);
  std::vector<FactId> basis;
  for (const Fact* d : outbound) basis.push_back(d->id);
  const auto telemetry = facts.OfKind(facts::kCleartextTelemetry);
  const auto personal = facts.OfKind(facts::kPersonalData);

  std::uint64_t bytes = 0;
  for (const Fact* d : outbound) bytes += d->value.value("bytes_out", 0ull);
  const std::string summary =
      outbound.empty() ? "the capture shows no outbound destination"
                       : fmt::format("the device sent {} bytes to {} destination(s): {}", bytes,
                                     outbound.size(), trafficcheck::Labels(outbound, 8));

  bool fail_64 = false, fail_61 = false;
  const Fact* no_telemetry = Claim(facts, "telemetry.collected");
  if (ClaimedFalse(no_telemetry) && !telemetry.empty()) {
    std::vector<const Fact*> b = {no_telemetry};
    b.insert(b.end(), telemetry.begin(), telemetry.end());
    ctx.Report(checkutil::FindingOn(
                   b, "telemetry is sent although the declaration says none is collected",
                   fmt::format("The declaration says telemetry is not collected, but the capture "
                               "shows {} telemetry stream(s) (first: {} to {}:{}); {}.",
                               telemetry.size(), Str(*telemetry.front(), "protocol"),
                               Str(*telemetry.front(), "server"),
                               telemetry.front()->value.value("port", 0), summary),
                   Severity::kMedium, {"6-4"}),
               "telemetry-undeclared");
    fail_64 = true;
  }
  const Fact* collected = Claim(facts, "personal_data.collected");
  if (collected && ClaimedFalse(collected) && !personal.empty()) {
    std::vector<const Fact*> b = {collected};
    b.insert(b.end(), personal.begin(), personal.end());
    ctx.Report(checkutil::FindingOn(
                   b, "personal data leaves the device although the declaration lists none",
                   fmt::format("The declaration lists no personal data, but the capture shows {} "
                               "item(s) of personal data (first: {} to {}).",
                               personal.size(), Str(*personal.front(), "type"),
                               Str(*personal.front(), "peer")),
                   Severity::kMedium, {"6-1"}),
               "personal-data-undeclared");
    fail_61 = true;
  }
  const std::string decide =
      "; the manufacturer's information to consumers (declaration: personal_data.*, "
      "telemetry.*) decides it";
  if (!fail_61) ctx.Inconclusive("6-1", summary + decide, basis);
  if (!fail_64) {
    ctx.Inconclusive("6-4",
                     fmt::format("{} cleartext telemetry stream(s) seen; {}{}", telemetry.size(),
                                 summary, decide),
                     basis);
  }
  ctx.Inconclusive("5.10-1",
                   summary +
                       "; whether the manufacturer examines telemetry for security "
                       "anomalies is for the declaration (telemetry.examined_for_anomalies)",
                   basis);
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeTrafficPersonalDataDestinationsCheck() {
  return checkutil::MakeFunctionCheck(
      {"traffic.personal-data.destinations",
       "Destinations of the device's data against the declaration",
       {"6-1", "6-4", "5.10-1"},
       {InputKind::kTraffic},
       {facts::kDestination},
       "Consumers must be told what personal data and telemetry are processed and sent where "
       "(6-1, 6-4); the capture shows every destination with its byte count, so a declaration "
       "that says nothing is sent can be checked.",
       "Document every destination the device contacts and what it sends there; keep the "
       "declaration consistent with the device's behaviour.",
       Severity::kMedium},
      CheckTrafficPersonalDataDestinations);
}

}  // namespace iotcop
