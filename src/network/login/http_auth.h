// File: network/login/http_auth.h
// The client side of HTTP and RTSP logins: Basic and Digest (RFC 7616: MD5, MD5-sess, SHA-256)
// Authorization headers answering the challenges protocols/http.h parses, and one request and
// its whole response over a Connection. Shared by login/http.cc, login/rtsp.cc and the robustness
// campaign; the parsing of heads and challenges is protocols/http.h's (fuzzed: fuzz_http_auth).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/result.h"
#include "protocols/http.h"

namespace iotcop::network::login {

// True when a whole response is in: its head, and its Content-Length body (a 401, 204, 304 or
// 1xx without one is whole at its head; a head that does not parse leaves nothing to wait for).
bool ResponseComplete(std::string_view data);

std::string Base64(std::string_view data);
std::string BasicAuthorization(std::string_view user, std::string_view password);
// The value of an Authorization header answering `c`, or an Error for an algorithm or qop we do
// not speak.
Result<std::string> DigestAuthorization(const protocols::Challenge& c, std::string_view user,
                                        std::string_view password, std::string_view method,
                                        std::string_view uri, unsigned nc = 1,
                                        std::string_view cnonce = {});  // {}: random

}  // namespace iotcop::network::login

namespace iotcop::network {
class Connection;
}

namespace iotcop::network::login {

struct Response {
  protocols::HttpHead head;
  std::string raw;      // head and (bounded) body as received
  bool closed = false;  // the server closed after it
};
// Sends `request` and reads one whole response (Content-Length body) within `timeout`. Errors
// name the connection's address and, for a malformed answer, the offset in it.
Result<Response> Exchange(Connection& c, std::string_view request,
                          std::chrono::milliseconds timeout);

}  // namespace iotcop::network::login
