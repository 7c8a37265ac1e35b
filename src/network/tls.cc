// File: network/tls.cc
// TLS probing with OpenSSL (see tls.h).
#include "network/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <fmt/format.h>

#include "credentials/keys.h"
#include "protocols/address.h"

namespace iotcop::network {

namespace {

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

// Every suite OpenSSL knows, at security level 0 (old versions and weak suites may be offered).
constexpr const char* kAllCiphers = "ALL:COMPLEMENTOFALL:@SECLEVEL=0";

class TlsChannel : public Channel {
 public:
  TlsChannel(TcpChannel tcp, std::unique_ptr<SSL_CTX, SslCtxFree> ctx,
             std::unique_ptr<SSL, SslFree> ssl, std::string where)
      : tcp_(std::move(tcp)),
        ctx_(std::move(ctx)),
        ssl_(std::move(ssl)),
        where_(std::move(where)) {}

  SSL* ssl() const { return ssl_.get(); }

  Status Send(std::string_view data, Deadline deadline) override {
    while (!data.empty()) {
      ERR_clear_error();
      const int n = SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size()));
      if (n > 0) {
        data.remove_prefix(static_cast<std::size_t>(n));
        continue;
      }
      if (!Wait(n, deadline)) return MakeError(Errc::kTimeout, "TLS write timed out", where_);
    }
    return Ok();
  }

  Result<std::size_t> Recv(char* buf, std::size_t max, Deadline deadline) override {
    for (;;) {
      ERR_clear_error();
      const int n = SSL_read(ssl_.get(), buf, static_cast<int>(max));
      if (n > 0) return static_cast<std::size_t>(n);
      const int err = SSL_get_error(ssl_.get(), n);
      if (err == SSL_ERROR_ZERO_RETURN) return std::size_t{0};
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) return std::size_t{0};
      if (!Wait(n, deadline)) return MakeError(Errc::kTimeout, "TLS read timed out", where_);
    }
  }

  // After an SSL_* call returned `rc`: waits for the socket as OpenSSL asks; false on timeout or a
  // hard error.
  bool Wait(int rc, Deadline deadline) {
    const int err = SSL_get_error(ssl_.get(), rc);
    short ev = 0;
    if (err == SSL_ERROR_WANT_READ)
      ev = POLLIN;
    else if (err == SSL_ERROR_WANT_WRITE)
      ev = POLLOUT;
    else
      return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{tcp_.fd(), ev, 0};
    return ::poll(&p, 1, static_cast<int>(left)) > 0;
  }

 private:
  TcpChannel tcp_;
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx_;
  std::unique_ptr<SSL, SslFree> ssl_;
  std::string where_;
};

Result<std::unique_ptr<TlsChannel>> Handshake(const std::string& address, std::uint16_t port,
                                              const Limits& limits, RateLimiter& rate, int version,
                                              const std::string& ciphers,
                                              const std::string& tls13_suites = {}) {
  const std::string where = protocols::HostPort(address, port) + "/tcp";
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return MakeError(Errc::kInternal, "SSL_CTX_new failed", where);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_security_level(ctx.get(), 0);
  if (version != 0) {
    if (!SSL_CTX_set_min_proto_version(ctx.get(), version) ||
        !SSL_CTX_set_max_proto_version(ctx.get(), version))
      return MakeError(Errc::kUnsupported, "this OpenSSL cannot offer the version", where);
  } else {
    SSL_CTX_set_min_proto_version(ctx.get(), 0);
  }
  SSL_CTX_set_options(ctx.get(),
                      SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION);
  if (!SSL_CTX_set_cipher_list(ctx.get(), ciphers.empty() ? kAllCiphers : ciphers.c_str()))
    return MakeError(Errc::kUnsupported, "no such cipher suites in this OpenSSL", where);
  if (!tls13_suites.empty() && !SSL_CTX_set_ciphersuites(ctx.get(), tls13_suites.c_str()))
    return MakeError(Errc::kUnsupported, "no such TLS 1.3 suites in this OpenSSL", where);
  auto tcp = ConnectTcp(address, port, limits, rate);
  if (!tcp) return tcp.error();
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
  if (!ssl) return MakeError(Errc::kInternal, "SSL_new failed", where);
  SSL_set_fd(ssl.get(), tcp->fd());
  auto ch = std::make_unique<TlsChannel>(std::move(*tcp), std::move(ctx), std::move(ssl), where);
  const Deadline deadline = Clock::now() + limits.io_timeout;
  for (;;) {
    ERR_clear_error();
    const int rc = SSL_connect(ch->ssl());
    if (rc == 1) break;
    const int err = SSL_get_error(ch->ssl(), rc);
    if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
      const unsigned long e = ERR_peek_last_error();
      char buf[256] = "handshake refused";
      if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
      return MakeError(Errc::kIo, fmt::format("TLS handshake failed: {}", buf), where);
    }
    if (!ch->Wait(rc, deadline)) return MakeError(Errc::kTimeout, "TLS handshake timed out", where);
  }
  return ch;
}

// Why OpenSSL's chain verification failed, in a test lab's words.
const char* VerifyReason(long code) {
  switch (code) {
    case X509_V_OK:
      return "trusted";
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      return "self-signed";
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
      return "unknown CA";
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CRL_HAS_EXPIRED:
      return "expired";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "not yet valid";
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_CERT_CHAIN_TOO_LONG:
    case X509_V_ERR_INVALID_CA:
      return "invalid chain";
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_CA_KEY_TOO_SMALL:
    case X509_V_ERR_CA_MD_TOO_WEAK:
      return "weak key or signature";
    default:
      return "invalid";
  }
}

struct X509StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct X509StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};

// The chain the server sent verified against the system trust store (OpenSSL's default paths, as
// curl and testssl.sh use them), for a TLS server, at the default security level: verify_code
// and verify_error as `openssl s_client` prints them, and verify_reason.
void VerifyChain(SSL* ssl, X509* leaf, nlohmann::json& c) {
  std::unique_ptr<X509_STORE, X509StoreFree> store(X509_STORE_new());
  std::unique_ptr<X509_STORE_CTX, X509StoreCtxFree> ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_set_default_paths(store.get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), leaf, SSL_get_peer_cert_chain(ssl)) != 1) {
    c["chain_verified"] = nullptr;
    c["verify_error"] = "could not set up verification";
    return;
  }
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  const bool ok = X509_verify_cert(ctx.get()) == 1;
  const long code = ok ? X509_V_OK : X509_STORE_CTX_get_error(ctx.get());
  c["chain_verified"] = ok;
  c["verify_code"] = code;
  c["verify_error"] = X509_verify_cert_error_string(code);
  c["verify_reason"] = VerifyReason(code);
  c["trust_store"] = X509_get_default_cert_file();
}

nlohmann::json CertificateFacts(SSL* ssl, const std::string& address, const std::string& name) {
  std::unique_ptr<X509, X509Free> cert(SSL_get1_peer_certificate(ssl));
  if (!cert) return nullptr;
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert.get(), &der);
  nlohmann::json c = nlohmann::json::object();
  if (len > 0) {
    const auto parsed =
        credentials::FindCertificates(std::string_view(reinterpret_cast<const char*>(der), len));
    if (!parsed.empty()) {
      c = credentials::CertificateFields(parsed.front());
    }
  }
  OPENSSL_free(der);
  // Does the certificate name the host name asked for (else the address we reached it at)?
  const std::string asked = name.empty() ? address : name;
  c["name_checked"] = asked;
  c["name_match"] = X509_check_ip_asc(cert.get(), asked.c_str(), 0) == 1 ||
                    X509_check_host(cert.get(), asked.c_str(), 0, 0, nullptr) == 1;
  VerifyChain(ssl, cert.get(), c);
  // Verified means both: a chain to a trusted root and the name asked.
  c["verified"] = c["chain_verified"] == true && c["name_match"] == true;
  if (c["chain_verified"] == true && c["name_match"] == false) c["verify_reason"] = "name mismatch";
  return c;
}

// Weak suites (TLS <= 1.2) the server accepts at `version`: offer every weak one the library has,
// note the one chosen, offer the rest again, until refused (as sslscan enumerates).
nlohmann::json WeakSuites(const std::string& address, std::uint16_t port, const Limits& limits,
                          RateLimiter& rate, const TlsVersion& v) {
  nlohmann::json out = nlohmann::json::array();
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return out;
  SSL_CTX_set_security_level(ctx.get(), 0);
  SSL_CTX_set_min_proto_version(ctx.get(), v.version);
  SSL_CTX_set_max_proto_version(ctx.get(), v.version);
  if (!SSL_CTX_set_cipher_list(ctx.get(), kAllCiphers)) return out;
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
  std::vector<std::string> weak;
  STACK_OF(SSL_CIPHER)* list = SSL_get1_supported_ciphers(ssl.get());
  for (int i = 0; list && i < sk_SSL_CIPHER_num(list); ++i) {
    const char* name = SSL_CIPHER_get_name(sk_SSL_CIPHER_value(list, i));
    if (!WeakCipherReason(name).empty()) weak.emplace_back(name);
  }
  sk_SSL_CIPHER_free(list);
  for (int round = 0; round < 64 && !weak.empty(); ++round) {
    std::string spec;
    for (const auto& w : weak) spec += (spec.empty() ? "" : ":") + w;
    spec += ":@SECLEVEL=0";
    auto ch = Handshake(address, port, limits, rate, v.version, spec);
    if (!ch) break;
    const std::string chosen = SSL_CIPHER_get_name(SSL_get_current_cipher((*ch)->ssl()));
    out.push_back({{"version", v.name}, {"name", chosen}, {"why", WeakCipherReason(chosen)}});
    std::erase(weak, chosen);
  }
  return out;
}

}  // namespace

const std::vector<TlsVersion>& TlsVersions() {
  static const std::vector<TlsVersion> v = {{"SSLv3", SSL3_VERSION},
                                            {"TLSv1.0", TLS1_VERSION},
                                            {"TLSv1.1", TLS1_1_VERSION},
                                            {"TLSv1.2", TLS1_2_VERSION},
                                            {"TLSv1.3", TLS1_3_VERSION}};
  return v;
}

std::string WeakCipherReason(std::string_view n) {
  auto has = [&](std::string_view s) { return n.find(s) != std::string_view::npos; };
  if (has("NULL")) return "no encryption or no authentication (NULL)";
  if (n.starts_with("ADH") || n.starts_with("AECDH") || has("-anon-") || n.starts_with("PSK-NULL"))
    return "anonymous key exchange (no server authentication)";
  if (has("EXP")) return "export-grade";
  if (has("RC4")) return "RC4 stream cipher (RFC 7465)";
  if (has("DES")) return "DES or 3DES (64-bit block, Sweet32)";
  if (n.ends_with("-MD5")) return "MD5 message authentication";
  return {};
}

Result<std::unique_ptr<Channel>> ConnectTls(const std::string& address, std::uint16_t port,
                                            const Limits& limits, RateLimiter& rate, int version,
                                            const std::string& ciphers) {
  auto ch = Handshake(address, port, limits, rate, version, ciphers);
  if (!ch) return ch.error();
  return std::unique_ptr<Channel>(std::move(*ch));
}

TlsReport AssessTls(const std::string& address, std::uint16_t port, const Limits& limits,
                    RateLimiter& rate, const std::string& name) {
  TlsReport r;
  r.value = {{"address", address},
             {"port", port},
             {"versions", nlohmann::json::object()},
             {"accepted", nlohmann::json::array()},
             {"weak_ciphers", nlohmann::json::array()},
             {"errors", nlohmann::json::object()}};
  for (const auto& v : TlsVersions()) {
    // An OpenSSL built without a version (Debian: no SSLv3) cannot tell: null, not false.
    {
      std::unique_ptr<SSL_CTX, SslCtxFree> probe(SSL_CTX_new(TLS_client_method()));
      SSL_CTX_set_security_level(probe.get(), 0);
      if (!probe || !SSL_CTX_set_min_proto_version(probe.get(), v.version) ||
          !SSL_CTX_set_max_proto_version(probe.get(), v.version) ||
          SSL_CTX_get_min_proto_version(probe.get()) != v.version) {
        r.value["versions"][v.name] = nullptr;
        r.value["errors"][v.name] = "this OpenSSL build cannot offer it";
        continue;
      }
    }
    auto ch = Handshake(address, port, limits, rate, v.version, {});
    if (!ch) {
      // Refused by the library itself (version compiled out): unknown, not "not accepted".
      const bool local = ch.error().what.find("no protocols available") != std::string::npos;
      r.value["versions"][v.name] = local ? nlohmann::json(nullptr) : nlohmann::json(false);
      if (local || ch.error().code == Errc::kTimeout) r.value["errors"][v.name] = ch.error().what;
      continue;
    }
    const int negotiated = SSL_version((*ch)->ssl());
    const bool ok = negotiated == v.version;
    r.value["versions"][v.name] = ok;
    if (!ok) continue;
    r.value["accepted"].push_back(v.name);
    if (!r.any) r.value["certificate"] = CertificateFacts((*ch)->ssl(), address, name);
    r.any = true;
    if (v.version != TLS1_3_VERSION) {
      for (auto& w : WeakSuites(address, port, limits, rate, v))
        r.value["weak_ciphers"].push_back(w);
    }
  }
  return r;
}

}  // namespace iotcop::network
