// File: protocols/http.h
// HTTP/1.x and RTSP/1.0 messages (RFC 9112, RFC 2326): the one parser behind the live probes
// (network/http.h), the login and robustness probes (network/login/, network/robustness.cc) and
// the capture analysis (traffic/). A head is a status line (responses) or a request line, then
// header lines up to the first empty line, bounded by `HttpSyntax`; a body is read by
// Content-Length, chunked, or (responses) up to the close; a stream is messages one after another.
// Every length is checked against what arrived; errors name the input and the offset. Also the
// WWW-Authenticate challenges and percent-decoding of forms and queries.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace iotcop::protocols {

// How a reader takes a head. The defaults are strict (a malformed head is an Error naming its
// offset), as the probes of a live device want; a capture is read leniently (best effort).
struct HttpSyntax {
  static constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();
  std::size_t max_headers = 200;    // more: kLimitExceeded; lenient: the rest are ignored
  std::size_t max_line = 8192;      // longer: kLimitExceeded (lenient: a header line is skipped)
  std::size_t max_head = kNoLimit;  // bytes before the empty line; more: kLimitExceeded
  std::size_t max_body = kNoLimit;  // body bytes kept (`declared` counts them all)
  // A line starting with a space or tab continues the value before it (obs-fold, RFC 9112 5.2);
  // when false it is read as a line of its own.
  bool unfold = true;
  // A line that is not a header is skipped, a bad Content-Length or status code is read as far as
  // it has digits, a bad chunk size ends the body: what is still an error is a head that does not
  // end, is longer than max_head or does not start like a message of its kind.
  bool lenient = false;
};

enum class HttpKind { kResponse, kRequest };

struct HttpHead {
  std::string protocol;  // "HTTP/1.1", "RTSP/1.0"
  int status = 0;        // responses
  std::string reason;
  std::string method, target;                                // requests
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, values trimmed
  std::size_t size = 0;  // bytes of the head, the empty line included

  std::string Header(std::string_view lower_name) const;  // the first value, or ""
  std::vector<std::string> All(std::string_view lower_name) const;
};

// Offset just past the empty line that ends the head at the start of `data` (the first line is
// the start line, whatever it holds), or 0 while it has not all arrived.
std::size_t HttpHeadEnd(std::string_view data);

// The head at the start of `data`.
Result<HttpHead> ParseHttpHead(std::string_view data, const std::string& input,
                               const HttpSyntax& syntax = {}, HttpKind kind = HttpKind::kResponse);

struct HttpMessage : HttpHead {
  std::string body;            // decoded (chunks joined), at most syntax.max_body bytes of it
  std::uint64_t declared = 0;  // Content-Length, the chunk sizes added, or the bytes to the close
  bool truncated = false;      // the data stops before the body's end
  std::size_t offset = 0;      // where the message starts in its stream
  std::size_t end = 0;         // just past it
};

// One whole message at the start of `data` (what arrived on a connection: a response without
// Content-Length or chunks runs to its end, a request without one has no body).
Result<HttpMessage> ParseHttpMessage(std::string_view data, const std::string& input,
                                     const HttpSyntax& syntax = {},
                                     HttpKind kind = HttpKind::kResponse);

// Messages one after another from the start of a connection's stream, at most `max`; stops at
// the first that is not a whole head of that kind, or whose head `accept` refuses.
std::vector<HttpMessage> ParseHttpStream(std::string_view stream, HttpKind kind,
                                         const HttpSyntax& syntax, std::size_t max,
                                         const std::function<bool(const HttpHead&)>& accept = {});

struct Challenge {
  std::string scheme;                         // lower-case: basic, digest, ...
  std::map<std::string, std::string> params;  // names lower-cased, quotes removed
};
// Every challenge of one or more WWW-Authenticate values (several may share one header); at most
// 16 challenges of 32 parameters.
std::vector<Challenge> ParseChallenges(std::string_view value);

// Percent-decoding of a form or query value ('+' is a space).
std::string UrlDecode(std::string_view s);

}  // namespace iotcop::protocols
