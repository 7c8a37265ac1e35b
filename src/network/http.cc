// File: network/http.cc
// HTTP/1.x responses as the probes read them, and GET (see http.h).
#include "network/http.h"

#include <memory>

#include <fmt/format.h>

#include "network/tls.h"
#include "protocols/address.h"

namespace iotcop::network {

Result<HttpResponse> ParseHttpResponse(std::string_view data, const std::string& input) {
  auto r = protocols::ParseHttpMessage(data, input, kProbeHttpSyntax);
  if (!r) return r.error();
  if (!r->protocol.starts_with("HTTP/"))
    return MakeError(Errc::kCorrupt, "not an HTTP status line", input, 0);
  if (r->status < 100)
    return MakeError(Errc::kCorrupt, "bad HTTP status code", input, r->protocol.size() + 1);
  return r;
}

Result<std::string> HttpRoundTrip(const std::string& address, std::uint16_t port, bool tls,
                                  std::string_view request, const std::string& where,
                                  const Limits& limits, RateLimiter& rate) {
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
  if (auto st = ch->Send(request, deadline); !st) return st.error();
  // Done when the whole response is in, even if the device keeps the connection open.
  std::string data = ReadResponse(
      *ch, deadline, limits.max_bytes,
      [&](std::string_view s) {
        auto r = protocols::ParseHttpMessage(s, where, kProbeHttpSyntax);
        return r && !r->truncated &&
               (!r->Header("content-length").empty() || !r->Header("transfer-encoding").empty());
      },
      limits.io_timeout);
  if (data.empty()) return MakeError(Errc::kTimeout, "no response", where);
  return data;
}

Result<HttpResponse> HttpGet(const std::string& address, std::uint16_t port, bool tls,
                             const std::string& path, const Limits& limits, RateLimiter& rate) {
  const std::string where =
      fmt::format("{}://{}{}", tls ? "https" : "http", protocols::HostPort(address, port), path);
  const std::string req = fmt::format(
      "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: iotcop\r\nAccept: */*\r\nConnection: "
      "close\r\n\r\n",
      path, HttpHostHeader(address, port, tls));
  auto data = HttpRoundTrip(address, port, tls, req, where, limits, rate);
  if (!data) return data.error();
  return ParseHttpResponse(*data, where);
}

std::string HttpHostHeader(const std::string& address, std::uint16_t port, bool tls) {
  return port == (tls ? 443 : 80) ? protocols::UrlHost(address)
                                  : protocols::HostPort(address, port);
}

}  // namespace iotcop::network
