// File: network/login/http.cc
// HTTP logins: Basic and Digest when / answers 401 (ChallengeLogin, shared with RTSP), or a
// configured form (hydra's http-post-form syntax) when there is no challenge.
#include <fmt/format.h>

#include "network/client.h"
#include "network/login/http_auth.h"
#include "network/login/protocol.h"
#include "network/socket.h"
#include "protocols/address.h"

namespace iotcop::network::login {
namespace {

using Clock = std::chrono::steady_clock;

bool Blocked(int status) { return status == 429 || status == 503; }

class ChallengeLogin final : public EndpointProtocol {
 public:
  ChallengeLogin(Endpoint e, Limits l, RequestBuilder build, std::string verb, std::string uri,
                 std::string scheme, std::string prefix)
      : EndpointProtocol(std::move(e), l),
        build_(std::move(build)),
        verb_(std::move(verb)),
        uri_(std::move(uri)),
        scheme_(std::move(scheme)),
        prefix_(std::move(prefix)) {}
  std::string method() const override { return prefix_ + "-" + scheme_; }

  Attempt Try(const Credential& c) override {
    Attempt a;
    a.method = method();
    auto conn = Connect(e_, l_, a);
    if (!conn) return a;
    std::string auth;
    if (scheme_ == "basic") {
      auth = BasicAuthorization(c.user, c.password);
    } else {
      // A fresh nonce for every attempt: ask, then answer on the same connection when it stays.
      auto first = Exchange(*conn, build_(""), l_.io_timeout);
      if (!first) {
        a.excerpt = first.error().Describe();
        return a;
      }
      if (first->head.status != 401) {
        a.outcome = Blocked(first->head.status) ? Outcome::kBlocked : Outcome::kError;
        a.excerpt = Printable(first->raw);
        return a;
      }
      const protocols::Challenge* digest = nullptr;
      std::vector<protocols::Challenge> all;
      for (const auto& v : first->head.All("www-authenticate"))
        for (auto& ch : protocols::ParseChallenges(v)) all.push_back(std::move(ch));
      for (const auto& ch : all)
        if (ch.scheme == "digest") digest = &ch;
      if (!digest) {
        a.excerpt = "the digest challenge went away";
        return a;
      }
      auto h = DigestAuthorization(*digest, c.user, c.password, verb_, uri_);
      if (!h) {
        a.excerpt = h.error().Describe();
        return a;
      }
      auth = *h;
      if (first->closed) {
        auto again = Connection::Open(e_, l_);
        if (!again) {
          a.excerpt = again.error().Describe();
          return a;
        }
        *conn = std::move(*again);
      }
    }
    const auto sent = Clock::now();
    auto resp = Exchange(*conn, build_(auth), l_.io_timeout);
    a.latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent);
    if (!resp) {
      a.excerpt = resp.error().Describe();
      a.outcome = resp.error().code == Errc::kIo ? Outcome::kBlocked : Outcome::kError;
      return a;
    }
    const int st = resp->head.status;
    a.excerpt = Printable(resp->raw.substr(0, resp->head.size));
    if (st == 401 || st == 403 || st == 407)
      a.outcome = Outcome::kRejected;
    else if (Blocked(st))
      a.outcome = Outcome::kBlocked;
    else if (st < 500)
      a.outcome = Outcome::kAccepted;
    else
      a.outcome = Outcome::kError;
    return a;
  }

 private:
  RequestBuilder build_;
  std::string verb_, uri_, scheme_, prefix_;
};

std::string UrlEncode(std::string_view s) {
  std::string r;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      r += static_cast<char>(c);
    else
      r += fmt::format("%{:02X}", c);
  }
  return r;
}

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

class FormLogin final : public EndpointProtocol {
 public:
  FormLogin(Endpoint e, Limits l, std::string path, std::string body, std::string fail,
            std::string success)
      : EndpointProtocol(std::move(e), l),
        path_(std::move(path)),
        body_(std::move(body)),
        fail_(std::move(fail)),
        success_(std::move(success)) {}
  std::string method() const override { return "http-form"; }

  Attempt Try(const Credential& c) override {
    Attempt a;
    a.method = method();
    auto conn = Connect(e_, l_, a);
    if (!conn) return a;
    const std::string body =
        Replace(Replace(body_, "^USER^", UrlEncode(c.user)), "^PASS^", UrlEncode(c.password));
    const std::string req = fmt::format(
        "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: iotcop\r\nContent-Type: "
        "application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        path_, protocols::UrlHost(e_.address), body.size(), body);
    const auto sent = Clock::now();
    auto resp = Exchange(*conn, req, l_.io_timeout);
    a.latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent);
    if (!resp) {
      a.excerpt = resp.error().Describe();
      return a;
    }
    // The answer without our own echo of the password.
    std::string page = resp->raw;
    if (!c.password.empty()) page = Replace(page, c.password, "^PASS^");
    a.excerpt = Printable(page);
    const int st = resp->head.status;
    if (Blocked(st)) {
      a.outcome = Outcome::kBlocked;
    } else if (st >= 400) {
      a.outcome = st == 401 || st == 403 ? Outcome::kRejected : Outcome::kError;
    } else if (!success_.empty()) {
      a.outcome =
          page.find(success_) != std::string::npos ? Outcome::kAccepted : Outcome::kRejected;
    } else {
      a.outcome = page.find(fail_) != std::string::npos ? Outcome::kRejected : Outcome::kAccepted;
    }
    return a;
  }

 private:
  std::string path_, body_, fail_, success_;
};

}  // namespace

Result<std::unique_ptr<Protocol>> MakeChallengeLogin(const Endpoint& e, const Limits& l,
                                                     RequestBuilder build, std::string verb,
                                                     std::string uri, std::string prefix) {
  auto conn = Connection::Open(e, l);
  if (!conn) return conn.error();
  auto resp = Exchange(*conn, build(""), l.io_timeout);
  if (!resp) return resp.error();
  if (resp->head.status != 401)
    return MakeError(
        Errc::kNotThisFormat,
        fmt::format("{} {} answers {} without asking for a login", verb, uri, resp->head.status),
        e.Locator());
  std::string scheme;
  for (const auto& v : resp->head.All("www-authenticate"))
    for (const auto& ch : protocols::ParseChallenges(v)) {
      if (ch.scheme == "digest")
        scheme = "digest";
      else if (ch.scheme == "basic" && scheme.empty())
        scheme = "basic";
    }
  if (scheme.empty())
    return MakeError(Errc::kUnsupported, "401 without a Basic or Digest challenge", e.Locator());
  return std::unique_ptr<Protocol>(std::make_unique<ChallengeLogin>(
      e, l, std::move(build), std::move(verb), std::move(uri), scheme, std::move(prefix)));
}

Result<std::unique_ptr<Protocol>> MakeHttp(const Endpoint& e, const Limits& l,
                                           const std::string& form) {
  const std::string host = protocols::UrlHost(e.address);
  auto build = [host](const std::string& auth) {
    return fmt::format("GET / HTTP/1.1\r\nHost: {}\r\nUser-Agent: iotcop\r\n{}\r\n", host,
                       auth.empty() ? "" : "Authorization: " + auth + "\r\n");
  };
  auto challenge = MakeChallengeLogin(e, l, build, "GET", "/", "http");
  if (challenge || form.empty()) return challenge;
  // PATH:BODY:F=text or PATH:BODY:S=text
  const auto c1 = form.find(':');
  const auto c2 = c1 == std::string::npos ? c1 : form.find(':', c1 + 1);
  if (c2 == std::string::npos || form.size() < c2 + 3 || form[c2 + 2] != '=' ||
      (form[c2 + 1] != 'F' && form[c2 + 1] != 'S') || form[0] != '/')
    return MakeError(Errc::kInvalidArgument,
                     "HTTP form login must be PATH:BODY:F=failure text or PATH:BODY:S=success text",
                     form);
  const std::string text = form.substr(c2 + 3);
  const bool fail = form[c2 + 1] == 'F';
  return std::unique_ptr<Protocol>(std::make_unique<FormLogin>(e, l, form.substr(0, c1),
                                                               form.substr(c1 + 1, c2 - c1 - 1),
                                                               fail ? text : "", fail ? "" : text));
}

}  // namespace iotcop::network::login
