// File: network/targets.h
// Scope of a live assessment: what --host names (an IPv4 or IPv6 address, a host name, or an IPv4
// CIDR block up to /24 unless wider is allowed) and which ports (--ports). Nothing outside is ever
// touched.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace iotcop::network {

// Numeric addresses for one --host value. A CIDR wider than /24 is refused unless `allow_wide`; an
// IPv6 address ("::1" or "[::1]") is one host, in its canonical text; a name is resolved (IPv4)
// and its first address used.
Result<std::vector<std::string>> ResolveTarget(const std::string& host, bool allow_wide);

// "all" | "top" | "22,80,8000-8100" -> sorted unique ports. `top` is the IoT list: every port
// hint in rules/probes.yaml plus `extra_top`.
Result<std::vector<std::uint16_t>> ParsePorts(const std::string& spec,
                                              const std::vector<std::uint16_t>& top);

}  // namespace iotcop::network
