// File: network/http.h
// A small, bounded HTTP/1.x client for the live probes: read a device's response (status line,
// headers, body; chunked bodies decoded; every length checked against what arrived) with the
// parser of protocols/http.h, and GET a path over plain TCP or TLS. Used for security.txt,
// redirects to HTTPS, Server headers and UPnP device descriptions.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "network/endpoint.h"
#include "network/socket.h"
#include "protocols/http.h"

namespace iotcop::network {

// protocol ("HTTP/1.1"), status, reason, headers (names lower-cased), body, truncated (the body
// is shorter than the response said).
using HttpResponse = protocols::HttpMessage;

// How the probes read a response: at most 100 headers, each line on its own (no unfolding), and
// a malformed head or length is an error.
inline constexpr protocols::HttpSyntax kProbeHttpSyntax{
    .max_headers = 100, .max_line = protocols::HttpSyntax::kNoLimit, .unfold = false};

// Parses a whole response as received (the connection was closed or the cap reached): an HTTP
// status line (not RTSP) with a status of 100 to 999.
Result<HttpResponse> ParseHttpResponse(std::string_view data, const std::string& input);

// Sends `request` (over TLS when `tls`) and reads the whole response (an HTTP or RTSP message:
// until its length is in, the peer closes, the deadline or the byte cap). `where` names it in
// errors.
Result<std::string> HttpRoundTrip(const std::string& address, std::uint16_t port, bool tls,
                                  std::string_view request, const std::string& where,
                                  const Limits& limits, RateLimiter& rate);

// The Host header's value: the address alone on the scheme's default port.
std::string HttpHostHeader(const std::string& address, std::uint16_t port, bool tls);

// GET `path` with Host: address, Connection: close; over TLS when `tls`.
Result<HttpResponse> HttpGet(const std::string& address, std::uint16_t port, bool tls,
                             const std::string& path, const Limits& limits, RateLimiter& rate);

}  // namespace iotcop::network
