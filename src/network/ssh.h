// File: network/ssh.h
// SSH on a live device: the server's identification line and its KEXINIT (RFC 4253 7.1, sent in
// the clear right after the version exchange) read with ByteReader, the algorithms judged, and the
// authentication methods it lists after "none" (libssh).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "network/endpoint.h"
#include "network/socket.h"

namespace iotcop::network {

struct Kexinit {
  std::vector<std::string> kex, host_keys, ciphers_c2s, ciphers_s2c, macs_c2s, macs_s2c,
      compression_c2s, compression_s2c;
  bool first_kex_follows = false;
};

// The identification line ("SSH-2.0-dropbear_2022.83") at the start of `data` (lines before it
// are allowed, RFC 4253 4.2), and the offset just after it; an error if none within 8 KiB.
Result<std::pair<std::string, std::size_t>> ParseSshIdent(std::string_view data,
                                                          const std::string& input);
// One unencrypted binary packet holding SSH_MSG_KEXINIT at the start of `data`.
Result<Kexinit> ParseKexinitPacket(std::string_view data, const std::string& input);

// {kind, name, why, level: fail|warn} for each algorithm offered that is broken (fail) or
// discouraged (warn).
nlohmann::json JudgeSshAlgorithms(const Kexinit& k);

// The ssh_endpoint fact (fact_kinds.h) for one server, or an error naming the endpoint.
Result<nlohmann::json> AssessSsh(const std::string& address, std::uint16_t port,
                                 const Limits& limits, RateLimiter& rate);

}  // namespace iotcop::network
