// File: network/login/http_auth.h
// Parsing what HTTP and RTSP servers answer (status line, headers, WWW-Authenticate challenges)
// and building Basic and Digest (RFC 7616: MD5, MD5-sess, SHA-256) Authorization headers. Shared
// by login/http.cc, login/rtsp.cc and the robustness campaign; every parser is bounded and fuzzed
// (fuzz_http_auth).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace iotcop::network::login {

struct ResponseHead {
  std::string protocol;  // "HTTP/1.1", "RTSP/1.0"
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::size_t size = 0;  // bytes of the head, blank line included

  std::string Header(std::string_view lower_name) const;  // first value or ""
  std::vector<std::string> All(std::string_view lower_name) const;
};

// Offset just past the blank line ending the head, or 0 when it has not all arrived.
std::size_t HeadEnd(std::string_view data);
// True when a whole response (head plus Content-Length body, or head alone without one) is in.
bool ResponseComplete(std::string_view data);
// Status line and headers; at most 200 headers of 8 KiB. Errors name `input` and the offset.
Result<ResponseHead> ParseResponseHead(std::string_view data, const std::string& input);

struct Challenge {
  std::string scheme;                         // lower-case: basic, digest, ...
  std::map<std::string, std::string> params;  // names lower-cased, quotes removed
};
// Every challenge of one or more WWW-Authenticate values (several may share one header).
std::vector<Challenge> ParseChallenges(std::string_view value);

std::string Base64(std::string_view data);
std::string BasicAuthorization(std::string_view user, std::string_view password);
// The value of an Authorization header answering `c`, or an Error for an algorithm or qop we do
// not speak.
Result<std::string> DigestAuthorization(const Challenge& c, std::string_view user,
                                        std::string_view password, std::string_view method,
                                        std::string_view uri, unsigned nc = 1,
                                        std::string_view cnonce = {});  // {}: random

}  // namespace iotcop::network::login

namespace iotcop::network {
class Connection;
}

namespace iotcop::network::login {

struct Response {
  ResponseHead head;
  std::string raw;      // head and (bounded) body as received
  bool closed = false;  // the server closed after it
};
// Sends `request` and reads one whole response (Content-Length body) within `timeout`. Errors
// name the connection's address and, for a malformed answer, the offset in it.
Result<Response> Exchange(Connection& c, std::string_view request,
                          std::chrono::milliseconds timeout);

}  // namespace iotcop::network::login
