// File: network/ssh.h
// SSH on a live device: the server's identification line and its KEXINIT (RFC 4253 7.1, sent in
// the clear right after the version exchange) read by protocols/ssh.h, the algorithms judged, and
// the authentication methods it lists after "none" (libssh), and each host key's type and size
// (one libssh connection per key family offered, the blob read by protocols/ssh.h).
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

// A host key judged as ssh-audit does: RSA below 2048 bits fail, below 3072 warn; DSA fail; ECDSA
// on a NIST curve warn; Ed25519/Ed448 good (null). {kind: host_key_size, name, bits, level, why}.
nlohmann::json JudgeSshHostKey(const protocols::SshHostKey& k);

// The ssh_endpoint fact (fact_kinds.h) for one server, or an error naming the endpoint.
Result<nlohmann::json> AssessSsh(const std::string& address, std::uint16_t port,
                                 const Limits& limits, RateLimiter& rate);

}  // namespace iotcop::network
