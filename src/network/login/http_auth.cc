// File: network/login/http_auth.cc
// Basic and Digest answers, whole responses over a connection (see http_auth.h).
#include "network/login/http_auth.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>

#include <fmt/format.h>

#include "core/strings.h"
#include "network/login/protocol.h"

namespace iotcop::network::login {
namespace {

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

bool ResponseComplete(std::string_view data) {
  const std::size_t end = protocols::HttpHeadEnd(data);
  if (end == 0) return false;
  auto head = protocols::ParseHttpHead(data.substr(0, end), "");
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

Result<std::string> DigestAuthorization(const protocols::Challenge& c, std::string_view user,
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
  auto head = protocols::ParseHttpHead(r.data, c.locator());
  if (!head) return head.error();
  Response resp;
  resp.head = std::move(*head);
  resp.raw = std::move(r.data);
  resp.closed = r.closed || resp.head.Header("connection") == "close";
  return resp;
}

}  // namespace iotcop::network::login
