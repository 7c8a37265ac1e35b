// File: traffic/checks/traffic_check.cc
// Helpers of the traffic checks (traffic/checks/traffic_check.h).
#include "traffic/checks/traffic_check.h"

#include <fmt/format.h>

#include "core/fact_kinds.h"

namespace iotcop::trafficcheck {

std::vector<const Fact*> CleartextDestinations(const FactStore& facts) {
  std::vector<const Fact*> out;
  for (const Fact* d : facts.OfKind(facts::kDestination)) {
    // Name resolution and time (DNS, NTP, DHCP, mDNS) are cleartext by design: not judged here.
    const int port = d->value.value("port", 0);
    const bool infrastructure =
        checkutil::Str(*d, "transport") == "udp" &&
        (port == 53 || port == 123 || port == 67 || port == 68 || port == 5353);
    if (!infrastructure && !d->value.value("encrypted", true)) out.push_back(d);
  }
  return out;
}

std::string DestinationLabel(const Fact& d) {
  const std::string name = checkutil::Str(d, "name");
  const std::string addr = fmt::format("{}:{}/{}", checkutil::Str(d, "address"),
                                       d.value.value("port", 0), checkutil::Str(d, "transport"));
  return name.empty() ? addr : fmt::format("{} ({})", name, addr);
}

std::string Labels(const std::vector<const Fact*>& facts, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < facts.size() && i < max; ++i) {
    out += (i ? ", " : "") + DestinationLabel(*facts[i]);
  }
  if (facts.size() > max) out += fmt::format(" and {} more", facts.size() - max);
  return out;
}

void JudgeCommunication(CheckContext& ctx, const std::string& provision, const std::string& what) {
  const auto all = ctx.facts().OfKind(facts::kDestination);
  std::vector<FactId> basis;
  for (const Fact* d : all) basis.push_back(d->id);
  if (all.empty()) {
    ctx.Inconclusive(provision,
                     "the capture shows no flow of the device: a capture of its normal "
                     "operation (setup, cloud connection, update check) would decide it",
                     basis);
    return;
  }
  const auto clear = CleartextDestinations(ctx.facts());
  if (clear.empty()) {
    ctx.Pass(provision,
             fmt::format("no {} in the capture, and all {} destinations were reached over "
                         "encrypted protocols",
                         what, all.size()),
             basis);
  } else {
    ctx.Inconclusive(provision,
                     fmt::format("no {} in the capture, but {} of {} destinations were reached in "
                                 "cleartext: {}; what they carry decides it",
                                 what, clear.size(), all.size(), Labels(clear)),
                     basis);
  }
}

}  // namespace iotcop::trafficcheck
