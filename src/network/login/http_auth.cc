// File: network/login/http_auth.cc
// HTTP/RTSP response heads and authentication challenges, bounded; Basic and Digest answers.
#include "network/login/http_auth.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "core/strings.h"
#include "network/login/protocol.h"

namespace iotcop::network::login {
namespace {

constexpr std::size_t kMaxHeaders = 200;
constexpr std::size_t kMaxLine = 8192;

bool IsToken(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string Hex(const unsigned char* d, unsigned n) {
  std::string r;
  for (unsigned i = 0; i < n; ++i) r += fmt::format("{:02x}", d[i]);
  return r;
}

std::string Digest(const EVP_MD* md, std::string_view s) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_Digest(s.data(), s.size(), out, &n, md, nullptr);
  return Hex(out, n);
}

}  // namespace

std::string ResponseHead::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

std::vector<std::string> ResponseHead::All(std::string_view name) const {
  std::vector<std::string> r;
  for (const auto& [k, v] : headers)
    if (k == name) r.push_back(v);
  return r;
}

std::size_t HeadEnd(std::string_view data) {
  const auto crlf = data.find("\r\n\r\n");
  const auto lf = data.find("\n\n");
  if (crlf == std::string_view::npos && lf == std::string_view::npos) return 0;
  if (crlf != std::string_view::npos && (lf == std::string_view::npos || crlf + 2 <= lf))
    return crlf + 4;
  return lf + 2;
}

bool ResponseComplete(std::string_view data) {
  const std::size_t end = HeadEnd(data);
  if (end == 0) return false;
  auto head = ParseResponseHead(data.substr(0, end), "");
  if (!head) return true;  // garbage: nothing more to wait for
  const std::string cl = head->Header("content-length");
  if (cl.empty())
    return head->status == 401 || head->status == 204 || head->status == 304 ||
           (head->status >= 100 && head->status < 200);
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(cl.data(), cl.data() + cl.size(), n);
  if (ec != std::errc()) return true;
  return data.size() - end >= n;
}

Result<ResponseHead> ParseResponseHead(std::string_view data, const std::string& input) {
  ResponseHead h;
  std::size_t pos = 0;
  auto next_line = [&](std::string_view& line) -> bool {
    if (pos >= data.size()) return false;
    const auto nl = data.find('\n', pos);
    if (nl == std::string_view::npos) return false;
    line = data.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    return true;
  };
  std::string_view line;
  if (!next_line(line)) return MakeError(Errc::kTruncated, "no complete status line", input, 0);
  if (line.size() > kMaxLine)
    return MakeError(Errc::kLimitExceeded, "status line too long", input, 0);
  const auto sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0)
    return MakeError(Errc::kCorrupt, "status line without a status code", input, 0);
  h.protocol = std::string(line.substr(0, sp));
  if (!h.protocol.starts_with("HTTP/") && !h.protocol.starts_with("RTSP/"))
    return MakeError(Errc::kNotThisFormat, "not an HTTP or RTSP response", input, 0);
  std::string_view rest = line.substr(sp + 1);
  const auto sp2 = rest.find(' ');
  const std::string_view code = rest.substr(0, sp2);
  auto [p, ec] = std::from_chars(code.data(), code.data() + code.size(), h.status);
  if (ec != std::errc() || p != code.data() + code.size() || code.size() != 3)
    return MakeError(Errc::kCorrupt, "status code is not three digits", input, sp + 1);
  if (sp2 != std::string_view::npos) h.reason = std::string(Trim(rest.substr(sp2 + 1)));
  for (;;) {
    const std::size_t at = pos;
    if (!next_line(line)) return MakeError(Errc::kTruncated, "headers do not end", input, at);
    if (line.empty()) break;
    if (line.size() > kMaxLine)
      return MakeError(Errc::kLimitExceeded, "header line too long", input, at);
    if ((line.front() == ' ' || line.front() == '\t') && !h.headers.empty()) {  // folded
      h.headers.back().second += " " + std::string(Trim(line));
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return MakeError(Errc::kCorrupt, "header line without a name", input, at);
    if (h.headers.size() >= kMaxHeaders)
      return MakeError(Errc::kLimitExceeded, "more than 200 headers", input, at);
    h.headers.emplace_back(Lower(Trim(line.substr(0, colon))),
                           std::string(Trim(line.substr(colon + 1))));
  }
  h.size = pos;
  return h;
}

std::vector<Challenge> ParseChallenges(std::string_view v) {
  std::vector<Challenge> out;
  std::size_t i = 0;
  const std::size_t n = v.size();
  auto skip_ws = [&] {
    while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) ++i;
  };
  while (i < n && out.size() < 16) {
    skip_ws();
    std::size_t s = i;
    while (i < n && IsToken(v[i])) ++i;
    if (i == s) {  // not a token: skip one byte and go on
      ++i;
      continue;
    }
    std::string token(v.substr(s, i - s));
    // After a token: '=' means an auth-param of the current challenge, else a new scheme.
    std::size_t j = i;
    while (j < n && (v[j] == ' ' || v[j] == '\t')) ++j;
    if (j < n && v[j] == '=' && !out.empty()) {
      i = j + 1;
      while (i < n && (v[i] == ' ' || v[i] == '\t')) ++i;
      std::string value;
      if (i < n && v[i] == '"') {
        ++i;
        while (i < n && v[i] != '"') {
          if (v[i] == '\\' && i + 1 < n) ++i;
          value += v[i++];
        }
        if (i < n) ++i;  // closing quote
      } else {
        const std::size_t vs = i;
        while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t') ++i;
        value = std::string(v.substr(vs, i - vs));
      }
      if (out.back().params.size() < 32) out.back().params[Lower(token)] = value;
    } else if (j < n && v[j] == '=') {
      i = j + 1;  // a parameter before any scheme: ignore
    } else {
      out.push_back({Lower(token), {}});
      // token68 (Basic/Bearer may carry one): skip it when no '=' param follows.
    }
  }
  return out;
}

std::string Base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string BasicAuthorization(std::string_view user, std::string_view password) {
  return "Basic " + Base64(std::string(user) + ":" + std::string(password));
}

Result<std::string> DigestAuthorization(const Challenge& c, std::string_view user,
                                        std::string_view password, std::string_view method,
                                        std::string_view uri, unsigned nc,
                                        std::string_view fixed_cnonce) {
  auto param = [&](const char* k) {
    auto it = c.params.find(k);
    return it == c.params.end() ? std::string() : it->second;
  };
  const std::string algorithm = Lower(param("algorithm"));
  const EVP_MD* md = nullptr;
  bool sess = false;
  if (algorithm.empty() || algorithm == "md5") {
    md = EVP_md5();
  } else if (algorithm == "md5-sess") {
    md = EVP_md5();
    sess = true;
  } else if (algorithm == "sha-256") {
    md = EVP_sha256();
  } else if (algorithm == "sha-256-sess") {
    md = EVP_sha256();
    sess = true;
  } else {
    return MakeError(Errc::kUnsupported, "digest algorithm " + algorithm);
  }
  const std::string realm = param("realm"), nonce = param("nonce"), opaque = param("opaque");
  std::string qop;
  {
    const std::string offered = Lower(param("qop"));
    std::size_t s = 0;
    while (s <= offered.size()) {
      auto e = offered.find(',', s);
      if (e == std::string::npos) e = offered.size();
      if (Trim(std::string_view(offered).substr(s, e - s)) == "auth") qop = "auth";
      s = e + 1;
    }
    if (!offered.empty() && qop.empty())
      return MakeError(Errc::kUnsupported, "digest qop " + offered);
  }
  unsigned char rnd[8];
  RAND_bytes(rnd, sizeof(rnd));
  const std::string cnonce =
      fixed_cnonce.empty() ? Hex(rnd, sizeof(rnd)) : std::string(fixed_cnonce);
  const std::string ncs = fmt::format("{:08x}", nc);
  std::string ha1 = Digest(md, fmt::format("{}:{}:{}", user, realm, password));
  if (sess) ha1 = Digest(md, fmt::format("{}:{}:{}", ha1, nonce, cnonce));
  const std::string ha2 = Digest(md, fmt::format("{}:{}", method, uri));
  const std::string response =
      qop.empty() ? Digest(md, fmt::format("{}:{}:{}", ha1, nonce, ha2))
                  : Digest(md, fmt::format("{}:{}:{}:{}:{}:{}", ha1, nonce, ncs, cnonce, qop, ha2));
  std::string h =
      fmt::format(R"(Digest username="{}", realm="{}", nonce="{}", uri="{}", response="{}")", user,
                  realm, nonce, uri, response);
  if (!algorithm.empty()) h += ", algorithm=" + param("algorithm");
  if (!opaque.empty()) h += fmt::format(R"(, opaque="{}")", opaque);
  if (!qop.empty()) h += fmt::format(", qop={}, nc={}, cnonce=\"{}\"", qop, ncs, cnonce);
  return h;
}

}  // namespace iotcop::network::login

#include "network/client.h"

namespace iotcop::network::login {

Result<Response> Exchange(Connection& c, std::string_view request,
                          std::chrono::milliseconds timeout) {
  if (auto s = c.Send(request); !s) return s.error();
  Received r = c.ReadUntil([](std::string_view d) { return ResponseComplete(d); }, timeout);
  if (r.data.empty())
    return MakeError(r.timed_out ? Errc::kTimeout : Errc::kIo,
                     r.timed_out ? "no answer before the timeout" : "closed without an answer",
                     c.locator());
  auto head = ParseResponseHead(r.data.substr(0, HeadEnd(r.data) ? HeadEnd(r.data) : r.data.size()),
                                c.locator());
  if (!head) return head.error();
  Response resp;
  resp.head = std::move(*head);
  resp.raw = std::move(r.data);
  resp.closed = r.closed || resp.head.Header("connection") == "close";
  return resp;
}

}  // namespace iotcop::network::login
