#include "credentials/keys.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>
#include <ctime>
#include <memory>
#include <optional>

#include "core/bytes.h"
#include "core/hash.h"
#include "core/strings.h"

namespace iotcop::credentials {
namespace {

constexpr std::size_t kMaxPemBlock = 64 * 1024;
constexpr std::size_t kMaxKeys = 64;
constexpr std::size_t kMaxCerts = 512;
constexpr std::size_t kMaxWholeFile = 64 * 1024;  // DER / Dropbear / PuTTY files are small

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::unique_ptr<BIO, BioFree> MemBio(std::string_view s) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(s.data(), static_cast<int>(s.size())));
}

// Never prompts: an encrypted key stays encrypted.
int NoPassword(char*, int, int, void*) { return 0; }

std::string KeyType(const EVP_PKEY* k) {
  switch (EVP_PKEY_get_base_id(k)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
      return "rsa";
    case EVP_PKEY_EC:
      return "ec";
    case EVP_PKEY_ED25519:
      return "ed25519";
    case EVP_PKEY_ED448:
      return "ed448";
    case EVP_PKEY_DSA:
      return "dsa";
    default:
      return "unknown";
  }
}

std::string SpkiFingerprint(EVP_PKEY* k) {
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(k, &der);
  if (n <= 0) return {};
  std::string fp = Sha256Hex(ByteView(der, static_cast<std::size_t>(n)));
  OPENSSL_free(der);
  return fp;
}

void FillFromPkey(ParsedKey& k, EVP_PKEY* p) {
  k.type = KeyType(p);
  k.bits = EVP_PKEY_get_bits(p);
  k.fingerprint = SpkiFingerprint(p);
}

// --- SSH wire format (RFC 4251) --------------------------------------------------------------

Result<std::string_view> SshString(ByteReader& r) {
  auto len = r.Read<std::uint32_t>(Endian::kBig);
  if (!len) return len.error();
  auto b = r.Bytes(*len);
  if (!b) return b.error();
  return AsString(*b);
}

Pkey PkeyFromParams(const char* type, OSSL_PARAM* params) {
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* out = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &out, EVP_PKEY_PUBLIC_KEY, params) <= 0)
    return nullptr;
  return Pkey(out);
}

Pkey RsaPublic(std::string_view n, std::string_view e) {
  std::unique_ptr<BIGNUM, BnFree> bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                                                 static_cast<int>(n.size()), nullptr));
  std::unique_ptr<BIGNUM, BnFree> bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                                                 static_cast<int>(e.size()), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld || BN_is_zero(bn_n.get())) return nullptr;
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get());
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  return params ? PkeyFromParams("RSA", params.get()) : nullptr;
}

Pkey EcPublic(std::string_view curve, std::string_view point) {
  const char* group = curve == "nistp256"   ? "prime256v1"
                      : curve == "nistp384" ? "secp384r1"
                      : curve == "nistp521" ? "secp521r1"
                                            : nullptr;
  if (!group) return nullptr;
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld) return nullptr;
  OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
  OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  return params ? PkeyFromParams("EC", params.get()) : nullptr;
}

// Reads the public part of an SSH key that starts at `r` with its type string. For Dropbear files
// (private=true) the private fields that follow must also be present.
std::optional<ParsedKey> SshKey(ByteReader& r, bool dropbear) {
  auto type = SshString(r);
  if (!type) return std::nullopt;
  ParsedKey k;
  Pkey pkey;
  if (*type == "ssh-rsa") {
    auto e = SshString(r);
    auto n = e ? SshString(r) : e;
    if (!n) return std::nullopt;
    if (dropbear) {
      for (int i = 0; i < 3; ++i) {  // d, p, q
        auto f = SshString(r);
        if (!f || f->empty()) return std::nullopt;
      }
    }
    pkey = RsaPublic(*n, *e);
    k.type = "rsa";
  } else if (*type == "ssh-dss") {
    std::string_view p;
    for (int i = 0; i < (dropbear ? 5 : 4); ++i) {  // p q g y [x]
      auto f = SshString(r);
      if (!f || f->empty()) return std::nullopt;
      if (i == 0) p = *f;
    }
    k.type = "dsa";
    std::size_t lead = 0;
    while (lead < p.size() && p[lead] == 0) ++lead;
    k.bits = static_cast<int>((p.size() - lead) * 8);
  } else if (*type == "ssh-ed25519") {
    auto pub = SshString(r);
    if (!pub) return std::nullopt;
    std::string_view raw = *pub;
    if (dropbear && raw.size() == 64) raw = raw.substr(32);  // Dropbear: private||public
    if (raw.size() != 32) return std::nullopt;
    pkey.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                           reinterpret_cast<const unsigned char*>(raw.data()), 32));
    k.type = "ed25519";
  } else if (type->starts_with("ecdsa-sha2-")) {
    auto curve = SshString(r);
    auto point = curve ? SshString(r) : curve;
    if (!point) return std::nullopt;
    if (dropbear) {
      auto d = SshString(r);
      if (!d || d->empty()) return std::nullopt;
    }
    pkey = EcPublic(*curve, *point);
    k.type = "ec";
  } else {
    return std::nullopt;
  }
  if (pkey) {
    k.bits = EVP_PKEY_get_bits(pkey.get());
    k.fingerprint = SpkiFingerprint(pkey.get());
  }
  if (k.type != "dsa" && !pkey) return std::nullopt;  // a body that is not a valid key
  return k;
}

std::optional<ParsedKey> OpenSshKey(std::string_view body) {
  const std::string blob = Base64Decode(body);
  static constexpr std::string_view kMagic("openssh-key-v1\0", 15);
  if (!std::string_view(blob).starts_with(kMagic)) return std::nullopt;
  ByteReader r(AsBytes(blob).subspan(kMagic.size()));
  auto cipher = SshString(r);
  auto kdf = cipher ? SshString(r) : cipher;
  auto kdfopts = kdf ? SshString(r) : kdf;
  auto count =
      kdfopts ? r.Read<std::uint32_t>(Endian::kBig) : Result<std::uint32_t>(kdfopts.error());
  if (!count || *count == 0) return std::nullopt;
  auto pub = SshString(r);
  auto priv = pub ? SshString(r) : pub;
  if (!priv || priv->empty()) return std::nullopt;
  ByteReader pr(AsBytes(*pub));
  auto k = SshKey(pr, false);
  if (!k) return std::nullopt;
  k->format = "openssh";
  k->encrypted = *cipher != "none";
  if (k->fingerprint.empty()) k->fingerprint = "ssh:" + Sha256Hex(AsBytes(*pub));
  return k;
}

std::optional<ParsedKey> PemKey(std::string_view label, std::string_view block) {
  if (label == "OPENSSH PRIVATE KEY") {
    const auto body_start = block.find('\n');
    const auto body_end = block.rfind("-----END");
    if (body_start == std::string_view::npos || body_end == std::string_view::npos ||
        body_end < body_start)
      return std::nullopt;
    return OpenSshKey(block.substr(body_start, body_end - body_start));
  }
  ParsedKey k;
  k.format = "pem";
  auto bio = MemBio(block);
  if (!bio) return std::nullopt;
  // An encrypted key cannot be opened without its passphrase: check its structure only.
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) return std::nullopt;
  const bool legacy_encrypted = header && std::strstr(header, "ENCRYPTED");
  const std::string der(reinterpret_cast<const char*>(data), static_cast<std::size_t>(len));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  if (label == "ENCRYPTED PRIVATE KEY" || legacy_encrypted) {
    if (label == "ENCRYPTED PRIVATE KEY") {
      const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
      X509_SIG* sig = d2i_X509_SIG(nullptr, &p, static_cast<long>(der.size()));
      if (!sig) return std::nullopt;
      X509_SIG_free(sig);
      k.detail = "encrypted-pkcs8";
      k.type = "unknown";
    } else {
      if (der.size() < 64) return std::nullopt;
      k.detail = "encrypted-legacy";
      k.type = label == "RSA PRIVATE KEY" ? "rsa" : label == "EC PRIVATE KEY" ? "ec" : "dsa";
    }
    k.encrypted = true;
    k.fingerprint = "blob:" + Sha256Hex(AsBytes(der));
    return k;
  }
  auto bio2 = MemBio(block);
  Pkey p(PEM_read_bio_PrivateKey(bio2.get(), nullptr, NoPassword, nullptr));
  if (!p) return std::nullopt;
  FillFromPkey(k, p.get());
  k.detail = label == "PRIVATE KEY" ? "pkcs8" : label == "EC PRIVATE KEY" ? "sec1" : "pkcs1";
  return k;
}

struct PemBlock {
  std::string_view label, text;
  std::uint64_t offset;
};

std::vector<PemBlock> PemBlocks(std::string_view data, std::size_t max) {
  std::vector<PemBlock> out;
  std::size_t pos = 0;
  static constexpr std::string_view kBegin = "-----BEGIN ";
  while (out.size() < max) {
    const auto b = data.find(kBegin, pos);
    if (b == std::string_view::npos) break;
    pos = b + kBegin.size();
    const auto label_end = data.find("-----", pos);
    if (label_end == std::string_view::npos || label_end - pos > 64) continue;
    const std::string_view label = data.substr(pos, label_end - pos);
    const std::string end_marker = "-----END " + std::string(label) + "-----";
    const auto e = data.find(end_marker, label_end);
    if (e == std::string_view::npos || e - b > kMaxPemBlock) continue;
    out.push_back({label, data.substr(b, e + end_marker.size() - b), b});
    pos = e + end_marker.size();
  }
  return out;
}

std::optional<ParsedKey> PuttyKey(std::string_view data) {
  if (!data.starts_with("PuTTY-User-Key-File-")) return std::nullopt;
  std::string encryption;
  std::string pub_b64;
  bool has_private = false;
  const auto lines = SplitLines(data, 4096);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view t = lines[i].text;
    if (t.starts_with("Encryption:")) encryption = std::string(Trim(t.substr(11)));
    if (t.starts_with("Private-Lines:")) has_private = true;
    if (t.starts_with("Public-Lines:")) {
      const long n = std::strtol(std::string(Trim(t.substr(13))).c_str(), nullptr, 10);
      for (long j = 1; j <= n && i + static_cast<std::size_t>(j) < lines.size() && j < 1000; ++j)
        pub_b64 += std::string(Trim(lines[i + static_cast<std::size_t>(j)].text));
    }
  }
  if (!has_private) return std::nullopt;
  const std::string pub = Base64Decode(pub_b64);
  ByteReader r(AsBytes(pub));
  auto k = SshKey(r, false);
  if (!k) return std::nullopt;
  k->format = "putty";
  k->encrypted = !encryption.empty() && encryption != "none";
  if (k->fingerprint.empty()) k->fingerprint = "ssh:" + Sha256Hex(AsBytes(pub));
  return k;
}

std::optional<ParsedKey> DropbearKey(std::string_view data) {
  if (data.size() < 11 || data.size() > kMaxWholeFile || data[0] != 0 || data[1] != 0)
    return std::nullopt;
  const std::string_view t = data.substr(4);
  if (!t.starts_with("ssh-") && !t.starts_with("ecdsa-")) return std::nullopt;
  ByteReader r(AsBytes(data));
  auto k = SshKey(r, true);
  if (!k) return std::nullopt;
  k->format = "dropbear";
  if (k->fingerprint.empty())
    k->fingerprint = "ssh:" + Sha256Hex(AsBytes(data.substr(0, static_cast<std::size_t>(r.pos()))));
  return k;
}

std::optional<ParsedKey> DerKey(std::string_view data) {
  if (data.size() < 64 || data.size() > kMaxWholeFile ||
      static_cast<unsigned char>(data[0]) != 0x30)
    return std::nullopt;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(data.data());
  Pkey k(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(data.size())));
  if (!k) return std::nullopt;
  // The whole file must be the key (trailing bytes mean it was something else).
  const auto used =
      static_cast<std::size_t>(p - reinterpret_cast<const unsigned char*>(data.data()));
  if (data.size() - used > 2) return std::nullopt;
  ParsedKey out;
  out.format = "der";
  out.detail = "pkcs8-or-pkcs1";
  FillFromPkey(out, k.get());
  return out;
}

std::string IsoTime(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string NameText(const X509_NAME* name) {
  auto bio = std::unique_ptr<BIO, BioFree>(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* p = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &p);
  return n > 0 ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

ParsedCertificate Describe(X509* x) {
  ParsedCertificate c;
  c.subject = NameText(X509_get_subject_name(x));
  c.issuer = NameText(X509_get_issuer_name(x));
  c.not_before = IsoTime(X509_get0_notBefore(x));
  c.not_after = IsoTime(X509_get0_notAfter(x));
  c.expired = X509_cmp_current_time(X509_get0_notAfter(x)) < 0;
  c.self_signed = X509_self_signed(x, 0) == 1;
  if (EVP_PKEY* k = X509_get0_pubkey(x)) {
    c.key_type = KeyType(k);
    c.key_bits = EVP_PKEY_get_bits(k);
    c.key_fingerprint = SpkiFingerprint(k);
  }
  const int nid = X509_get_signature_nid(x);
  c.sig_alg = nid == NID_undef ? "unknown" : OBJ_nid2ln(nid);
  unsigned char* der = nullptr;
  const int n = i2d_X509(x, &der);
  if (n > 0) {
    c.fingerprint = Sha256Hex(ByteView(der, static_cast<std::size_t>(n)));
    OPENSSL_free(der);
  }
  return c;
}

}  // namespace

std::vector<ParsedKey> FindPrivateKeys(std::string_view data) {
  std::vector<ParsedKey> out;
  for (const PemBlock& b : PemBlocks(data, kMaxKeys * 4)) {
    if (!b.label.ends_with("PRIVATE KEY")) continue;
    if (auto k = PemKey(b.label, b.text)) {
      k->offset = b.offset;
      out.push_back(std::move(*k));
      if (out.size() >= kMaxKeys) break;
    }
  }
  if (!out.empty()) return out;
  for (auto parse : {DropbearKey, PuttyKey, DerKey}) {
    if (auto k = parse(data)) {
      out.push_back(std::move(*k));
      break;
    }
  }
  return out;
}

std::vector<ParsedCertificate> FindCertificates(std::string_view data) {
  std::vector<ParsedCertificate> out;
  for (const PemBlock& b : PemBlocks(data, kMaxCerts)) {
    if (b.label != "CERTIFICATE" && b.label != "X509 CERTIFICATE" &&
        b.label != "TRUSTED CERTIFICATE")
      continue;
    auto bio = MemBio(b.text);
    std::unique_ptr<X509, X509Free> x(
        b.label == "TRUSTED CERTIFICATE"
            ? PEM_read_bio_X509_AUX(bio.get(), nullptr, NoPassword, nullptr)
            : PEM_read_bio_X509(bio.get(), nullptr, NoPassword, nullptr));
    if (!x) continue;
    ParsedCertificate c = Describe(x.get());
    c.offset = b.offset;
    out.push_back(std::move(c));
  }
  if (out.empty() && data.size() >= 64 && data.size() <= kMaxWholeFile &&
      static_cast<unsigned char>(data[0]) == 0x30) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(data.data());
    std::unique_ptr<X509, X509Free> x(d2i_X509(nullptr, &p, static_cast<long>(data.size())));
    const auto used =
        static_cast<std::size_t>(p - reinterpret_cast<const unsigned char*>(data.data()));
    if (x && data.size() - used <= 2) out.push_back(Describe(x.get()));
  }
  return out;
}

std::string PublicKeyFingerprintFromPem(std::string_view pem) {
  auto bio = MemBio(pem);
  Pkey k(PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassword, nullptr));
  if (!k) {
    auto bio2 = MemBio(pem);
    k.reset(PEM_read_bio_PrivateKey(bio2.get(), nullptr, NoPassword, nullptr));
  }
  return k ? SpkiFingerprint(k.get()) : std::string();
}

nlohmann::json CertificateFields(const ParsedCertificate& c) {
  return {{"subject", c.subject},        {"issuer", c.issuer},     {"not_before", c.not_before},
          {"not_after", c.not_after},    {"expired", c.expired},   {"self_signed", c.self_signed},
          {"key_type", c.key_type},      {"key_bits", c.key_bits}, {"sig_alg", c.sig_alg},
          {"fingerprint", c.fingerprint}};
}

}  // namespace iotcop::credentials
