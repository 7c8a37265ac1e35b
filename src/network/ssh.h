// File: network/ssh.h
// SSH on a live device: the server's identification line and its KEXINIT (RFC 4253 7.1, sent in
// the clear right after the version exchange) read by protocols/ssh.h, the algorithms judged, and
// the authentication methods it lists after "none" (libssh).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "network/endpoint.h"
#include "network/socket.h"
#include "protocols/ssh.h"

namespace iotcop::network {

// {kind, name, why, level: fail|warn} for each algorithm offered that is broken (fail) or
// discouraged (warn).
nlohmann::json JudgeSshAlgorithms(const protocols::Kexinit& k);

// The ssh_endpoint fact (fact_kinds.h) for one server, or an error naming the endpoint.
Result<nlohmann::json> AssessSsh(const std::string& address, std::uint16_t port,
                                 const Limits& limits, RateLimiter& rate);

}  // namespace iotcop::network
