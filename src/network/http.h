// File: network/http.h
// A small, bounded HTTP/1.x client for the live probes: parse a device's response (status line,
// headers, body; chunked bodies decoded; every length checked against what arrived) and GET a path
// over plain TCP or TLS. Used for security.txt, redirects to HTTPS, Server headers and UPnP
// device descriptions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "network/endpoint.h"
#include "network/socket.h"

namespace iotcop::network {

struct HttpResponse {
  std::string version;  // "HTTP/1.1"
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  bool truncated = false;  // the body is shorter than the response said
  std::string Header(std::string_view lower_name) const;
};

// Parses a whole response as received (the connection was closed or the cap reached).
Result<HttpResponse> ParseHttpResponse(std::string_view data, const std::string& input);

// GET `path` with Host: address, Connection: close; over TLS when `tls`.
Result<HttpResponse> HttpGet(const std::string& address, std::uint16_t port, bool tls,
                             const std::string& path, const Limits& limits, RateLimiter& rate);

}  // namespace iotcop::network
