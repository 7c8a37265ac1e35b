// File: network/http.cc
// Bounded HTTP/1.x response parsing and GET (see http.h).
#include "network/http.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>

#include <fmt/format.h>

#include "core/strings.h"
#include "network/tls.h"

namespace iotcop::network {

namespace {

constexpr std::size_t kMaxHeaders = 100;

}  // namespace

std::string HttpResponse::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return {};
}

Result<HttpResponse> ParseHttpResponse(std::string_view data, const std::string& input) {
  HttpResponse r;
  const auto head_end = data.find("\r\n\r\n");
  const auto head_end_lf = data.find("\n\n");
  std::size_t body_at = 0, head_len = 0;
  if (head_end != std::string_view::npos &&
      (head_end_lf == std::string_view::npos || head_end < head_end_lf)) {
    head_len = head_end;
    body_at = head_end + 4;
  } else if (head_end_lf != std::string_view::npos) {
    head_len = head_end_lf;
    body_at = head_end_lf + 2;
  } else {
    return MakeError(Errc::kTruncated, "HTTP headers do not end", input, data.size());
  }
  std::string_view head = data.substr(0, head_len);
  std::size_t pos = 0;
  std::size_t line_no = 0;
  while (pos <= head.size()) {
    const auto nl = head.find('\n', pos);
    std::string_view line =
        Trim(head.substr(pos, nl == std::string_view::npos ? head.npos : nl - pos));
    const std::size_t at = pos;
    pos = nl == std::string_view::npos ? head.size() + 1 : nl + 1;
    if (line_no++ == 0) {
      // HTTP/1.1 200 OK
      if (!line.starts_with("HTTP/") || line.size() < 12 || line[8] != ' ')
        return MakeError(Errc::kCorrupt, "not an HTTP status line", input, 0);
      r.version = std::string(line.substr(0, 8));
      int status = 0;
      auto [p, ec] = std::from_chars(line.data() + 9, line.data() + 12, status);
      if (ec != std::errc() || p != line.data() + 12 || status < 100 || status > 999)
        return MakeError(Errc::kCorrupt, "bad HTTP status code", input, 9);
      r.status = status;
      r.reason = std::string(Trim(line.substr(12)));
      continue;
    }
    if (line.empty()) continue;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return MakeError(Errc::kCorrupt, "HTTP header line without a name", input, at);
    if (r.headers.size() >= kMaxHeaders)
      return MakeError(Errc::kLimitExceeded, "more than 100 HTTP headers", input, at);
    r.headers.emplace_back(Lower(Trim(line.substr(0, colon))),
                           std::string(Trim(line.substr(colon + 1))));
  }
  std::string_view body = data.substr(body_at);
  if (Lower(r.Header("transfer-encoding")).find("chunked") != std::string::npos) {
    std::size_t p = 0;
    for (;;) {
      const auto nl = body.find('\n', p);
      if (nl == std::string_view::npos) {
        r.truncated = true;
        break;
      }
      std::string_view size_text = Trim(body.substr(p, nl - p));
      size_text = size_text.substr(0, size_text.find(';'));
      std::size_t size = 0;
      auto [q, ec] =
          std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
      if (ec != std::errc() || q != size_text.data() + size_text.size())
        return MakeError(Errc::kCorrupt, "bad chunk size", input, body_at + p);
      p = nl + 1;
      if (size == 0) break;
      if (size > body.size() - p) {
        r.body.append(body.substr(p));
        r.truncated = true;
        break;
      }
      r.body.append(body.substr(p, size));
      p += size;
      if (p < body.size() && body[p] == '\r') ++p;
      if (p < body.size() && body[p] == '\n') ++p;
    }
    return r;
  }
  const std::string cl = r.Header("content-length");
  if (!cl.empty()) {
    std::size_t n = 0;
    auto [q, ec] = std::from_chars(cl.data(), cl.data() + cl.size(), n);
    if (ec != std::errc() || q != cl.data() + cl.size())
      return MakeError(Errc::kCorrupt, "bad Content-Length '" + Printable(cl, 40) + "'", input);
    if (n > body.size()) {
      r.truncated = true;
      n = body.size();
    }
    body = body.substr(0, n);
  }
  r.body = std::string(body);
  return r;
}

Result<HttpResponse> HttpGet(const std::string& address, std::uint16_t port, bool tls,
                             const std::string& path, const Limits& limits, RateLimiter& rate) {
  const std::string where =
      fmt::format("{}://{}{}", tls ? "https" : "http", HostPort(address, port), path);
  std::unique_ptr<Channel> ch;
  if (tls) {
    auto t = ConnectTls(address, port, limits, rate);
    if (!t) return t.error();
    ch = std::move(*t);
  } else {
    auto t = ConnectTcp(address, port, limits, rate);
    if (!t) return t.error();
    ch = std::make_unique<TcpChannel>(std::move(*t));
  }
  const Deadline deadline = Clock::now() + limits.io_timeout;
  const std::string req = fmt::format(
      "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: iotcop\r\nAccept: */*\r\nConnection: "
      "close\r\n\r\n",
      path, port == (tls ? 443 : 80) ? UrlHost(address) : HostPort(address, port));
  if (auto st = ch->Send(req, deadline); !st) return st.error();
  // Done when the whole response is in, even if the device keeps the connection open.
  const std::string data = ReadResponse(
      *ch, deadline, limits.max_bytes,
      [&](std::string_view s) {
        auto r = ParseHttpResponse(s, where);
        return r && !r->truncated &&
               (!r->Header("content-length").empty() || !r->Header("transfer-encoding").empty());
      },
      limits.io_timeout);
  if (data.empty()) return MakeError(Errc::kTimeout, "no HTTP response", where);
  return ParseHttpResponse(data, where);
}

}  // namespace iotcop::network
