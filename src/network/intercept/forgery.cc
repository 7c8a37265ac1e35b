// File: network/intercept/forgery.cc
// Forged certificates made with OpenSSL for each server name on first use: a per-run CA that no
// client trusts, leaf certificates with the asked name as CN and subjectAltName, an expired one and
// a 1024-bit RSA one; the lab's own certificate for another name is served as it is.
#include "network/intercept/forgery.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <map>
#include <mutex>

#include "protocols/address.h"

namespace iotcop::network::intercept {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

namespace {

std::string OpenSslError(const char* what) {
  char buf[256] = "";
  const unsigned long e = ERR_get_error();
  if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
  return e != 0 ? fmt::format("{}: {}", what, buf) : std::string(what);
}

void AddExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
  if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str())) {
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
}

// A certificate for `cn` with `key`, signed by `issuer_key` (self-signed when issuer is null),
// valid from now + from_days to now + to_days.
X509Ptr MakeCert(const std::string& cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key, bool ca,
                 long from_days, long to_days) {
  X509Ptr cert(X509_new());
  if (!cert) return nullptr;
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), from_days * 86400);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), to_days * 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("iotcop interception test"), -1,
                             -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509* iss = issuer ? issuer : cert.get();
  if (ca) {
    AddExt(cert.get(), iss, NID_basic_constraints, "critical,CA:TRUE");
    AddExt(cert.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    protocols::Address parsed;
    const bool ip = protocols::ParseAddress(cn, parsed);
    AddExt(cert.get(), iss, NID_subject_alt_name, (ip ? "IP:" : "DNS:") + cn);
    AddExt(cert.get(), iss, NID_ext_key_usage, "serverAuth");
  }
  if (X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) <= 0) return nullptr;
  return cert;
}

}  // namespace

const std::vector<ForgeryKind>& ForgeryKinds() {
  static const std::vector<ForgeryKind> kKinds = {
      {"self-signed", "accepts a self-signed certificate: it checks no chain of trust"},
      {"untrusted-ca", "accepts a certificate from a CA it has no reason to trust"},
      {"other-name", "accepts a trusted certificate issued for another host name"},
      {"expired", "accepts an expired certificate (from an untrusted CA)"},
      {"weak-key", "accepts a self-signed certificate with a 1024-bit RSA key"},
  };
  return kKinds;
}

struct ForgeryFactory::State {
  std::mutex mu;
  PkeyPtr leaf_key, weak_key, ca_key;
  X509Ptr ca;
  SslCtxPtr other_name;
  std::map<std::string, SslCtxPtr> made;  // kind + "\n" + name
};

ForgeryFactory::ForgeryFactory() : s_(std::make_unique<State>()) {}
ForgeryFactory::ForgeryFactory(ForgeryFactory&&) noexcept = default;
ForgeryFactory& ForgeryFactory::operator=(ForgeryFactory&&) noexcept = default;
ForgeryFactory::~ForgeryFactory() = default;

Result<ForgeryFactory> ForgeryFactory::Create(const std::string& other_name_pem) {
  ForgeryFactory f;
  f.s_->leaf_key.reset(EVP_EC_gen("P-256"));
  f.s_->ca_key.reset(EVP_EC_gen("P-256"));
  f.s_->weak_key.reset(EVP_RSA_gen(1024));
  if (!f.s_->leaf_key || !f.s_->ca_key || !f.s_->weak_key)
    return MakeError(Errc::kInternal, OpenSslError("key generation failed"));
  f.s_->ca = MakeCert("iotcop untrusted interception CA", f.s_->ca_key.get(), nullptr, nullptr,
                      true, -1, 30);
  if (!f.s_->ca) return MakeError(Errc::kInternal, OpenSslError("CA certificate failed"));
  if (!other_name_pem.empty()) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) return MakeError(Errc::kInternal, "SSL_CTX_new failed");
    SSL_CTX_set_security_level(ctx.get(), 0);
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), other_name_pem.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx.get(), other_name_pem.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx.get()) != 1)
      return MakeError(Errc::kInvalidArgument,
                       OpenSslError("not a certificate chain and matching private key in PEM"),
                       other_name_pem);
    f.s_->other_name = std::move(ctx);
  }
  for (const auto& k : ForgeryKinds())
    if (std::string_view(k.name) != "other-name" || f.s_->other_name)
      f.series_.emplace_back(k.name);
  return f;
}

Result<SSL_CTX*> ForgeryFactory::Context(const std::string& kind, const std::string& name) {
  std::lock_guard lock(s_->mu);
  if (kind == "other-name") {
    if (!s_->other_name) return MakeError(Errc::kInvalidArgument, "no --intercept-cert given");
    return s_->other_name.get();
  }
  const std::string key = kind + "\n" + name;
  if (auto it = s_->made.find(key); it != s_->made.end()) return it->second.get();
  EVP_PKEY* leaf_key = kind == "weak-key" ? s_->weak_key.get() : s_->leaf_key.get();
  X509Ptr leaf;
  bool chain = false;
  if (kind == "self-signed" || kind == "weak-key") {
    leaf = MakeCert(name, leaf_key, nullptr, nullptr, false, -1, 30);
  } else if (kind == "untrusted-ca") {
    leaf = MakeCert(name, leaf_key, s_->ca.get(), s_->ca_key.get(), false, -1, 30);
    chain = true;
  } else if (kind == "expired") {
    leaf = MakeCert(name, leaf_key, s_->ca.get(), s_->ca_key.get(), false, -60, -30);
    chain = true;
  } else {
    return MakeError(Errc::kInvalidArgument, "no such forgery: " + kind);
  }
  if (!leaf) return MakeError(Errc::kInternal, OpenSslError("forged certificate failed"), name);
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return MakeError(Errc::kInternal, "SSL_CTX_new failed");
  SSL_CTX_set_security_level(ctx.get(), 0);  // the 1024-bit key must be served
  SSL_CTX_set_min_proto_version(ctx.get(), 0);
  if (SSL_CTX_use_certificate(ctx.get(), leaf.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx.get(), leaf_key) != 1 ||
      (chain && SSL_CTX_add1_chain_cert(ctx.get(), s_->ca.get()) != 1))
    return MakeError(Errc::kInternal, OpenSslError("cannot serve the forged certificate"), name);
  SSL_CTX* raw = ctx.get();
  s_->made.emplace(key, std::move(ctx));
  return raw;
}

}  // namespace iotcop::network::intercept
