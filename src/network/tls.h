// File: network/tls.h
// TLS on a live device (OpenSSL): a client channel for the probes that speak inside TLS, and the
// TLS assessment of one listener: each protocol version SSLv3..TLS 1.3 tried on its own (min = max,
// security level 0 so old versions can be offered), the weak cipher suites each accepted version
// agrees to, and the certificate (parsed by credentials/keys.h, its chain verified against the
// system trust store, and the name check).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "network/endpoint.h"
#include "network/socket.h"

namespace iotcop::network {

struct TlsVersion {
  const char* name;  // "TLSv1.2", as sslscan and OpenSSL print it
  int version;       // TLS1_2_VERSION ...
};
const std::vector<TlsVersion>& TlsVersions();

// A TLS client channel over TCP. `version` 0 = any the library offers; `ciphers` empty = every
// suite at security level 0.
Result<std::unique_ptr<Channel>> ConnectTls(const std::string& address, std::uint16_t port,
                                            const Limits& limits, RateLimiter& rate,
                                            int version = 0, const std::string& ciphers = {});

struct TlsReport {
  nlohmann::json value;  // the tls_endpoint fact (fact_kinds.h)
  bool any = false;      // some version completed a handshake
};

// `name`: the host name the user asked for (empty: the address), which the certificate must name.
// The certificate's chain is verified against the system trust store (OpenSSL's default paths):
// certificate.chain_verified, verify_code, verify_error, verify_reason (trusted | self-signed |
// unknown CA | expired | not yet valid | invalid chain | weak key or signature | invalid | name
// mismatch), name_checked, name_match and verified (chain and name).
TlsReport AssessTls(const std::string& address, std::uint16_t port, const Limits& limits,
                    RateLimiter& rate, const std::string& name = {});

// Why a suite is weak ("" = not weak): NULL or anonymous, export, RC4, DES/3DES, MD5 MAC.
std::string WeakCipherReason(std::string_view openssl_name);

}  // namespace iotcop::network
