// File: traffic/checks/traffic_check.h
// What the traffic checks share: the destinations a capture showed in cleartext, how a check
// without a finding judges 5.5-1 from them (PASS only when every flow was encrypted), and whether
// a cleartext download is the product's update (its URL's server named as an update source).
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

// The facts that name the server of a downloaded URL as an update source: the firmware's
// update_mechanism facts and update endpoints, and the declaration's updates.* claims that name
// the host. `exact` is set when one names the URL itself (path without the query).
std::vector<const Fact*> UpdateSources(const FactStore& facts, std::string_view url, bool& exact);
// A plain_download is an update when its path, host or body says so (firmware_like) or when an
// update source names its server (`sources`, filled).
bool IsUpdateDownload(const FactStore& facts, const Fact& download,
                      std::vector<const Fact*>& sources, bool& exact);

}  // namespace iotcop::trafficcheck
