// File: network/vulnerabilities.h
// Known-vulnerable live services: the product and version each service announces (rules/probes.yaml
// product/version: SSH identification, HTTP and RTSP Server headers, FTP greetings; and every
// "name/version" token of an HTTP Server or SSDP SERVER header) named as a component of
// rules/components.yaml (its `name` or `services`, for the CPE vendor/product) and matched against
// the vulnerability database with the VEX documents applied, as firmware components are
// (vuln/match.h). Facts: one `vulnerability` per match (component_fact: the network_service fact;
// endpoint, banner, live: true), one `vulnerability_scan` ("live services").
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/assessment.h"

namespace iotcop::network {

// The "name/version" pairs of a Server header ("Linux/3.14 UPnP/1.0 miniupnpd/2.1"), at most 8.
std::vector<std::pair<std::string, std::string>> ServerTokens(std::string_view header);

// Matches the network_service facts of `a` (after AssessHosts) against --vulndb with --vex.
void MatchServiceVulnerabilities(const CheckConfig& config, Assessment& a);

}  // namespace iotcop::network
