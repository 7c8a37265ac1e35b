// File: traffic/checks/traffic_check.h
// What the traffic checks share: the destinations a capture showed in cleartext, and how a
// check without a finding judges 5.5-1 from them (PASS only when every flow was encrypted).
#pragma once

#include <string>
#include <vector>

#include "core/check.h"
#include "core/check_util.h"

namespace iotcop::trafficcheck {

// Destinations with at least one cleartext flow (DNS, NTP, DHCP and mDNS left out).
std::vector<const Fact*> CleartextDestinations(const FactStore& facts);
// "name (address:port/tcp)" of a destination fact.
std::string DestinationLabel(const Fact& d);
// Up to `max` labels joined with ", " (and "and N more").
std::string Labels(const std::vector<const Fact*>& facts, std::size_t max = 5);
// For a check that found nothing on `provision`: PASS when the captures hold destinations and all
// of them were encrypted, otherwise INCONCLUSIVE naming the cleartext ones or the missing capture.
void JudgeCommunication(CheckContext& ctx, const std::string& provision, const std::string& what);

}  // namespace iotcop::trafficcheck
