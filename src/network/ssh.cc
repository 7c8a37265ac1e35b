// File: network/ssh.cc
// SSH identification, KEXINIT and authentication methods (see ssh.h).
#include "network/ssh.h"

#include <libssh/libssh.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "core/hash.h"
#include "protocols/address.h"

namespace iotcop::network {

namespace {

struct Rule {
  const char* kind;
  const char* prefix;  // name starts with this
  const char* level;
  const char* why;
};

// After ssh-audit's and RFC 9142's judgements: "fail" = broken, a finding; "warn" = discouraged,
// recorded only.
const Rule kRules[] = {
    {"kex", "diffie-hellman-group1-sha1", "fail", "1024-bit group with SHA-1 (Logjam)"},
    {"kex", "diffie-hellman-group-exchange-sha1", "fail", "SHA-1, server-chosen group"},
    {"kex", "gss-group1-sha1", "fail", "1024-bit group with SHA-1"},
    {"kex", "gss-gex-sha1", "fail", "SHA-1"},
    {"kex", "rsa1024-sha1", "fail", "1024-bit RSA with SHA-1"},
    {"kex", "diffie-hellman-group14-sha1", "warn", "SHA-1 (RFC 9142: SHOULD NOT)"},
    {"kex", "gss-group14-sha1", "warn", "SHA-1"},
    {"kex", "ecdh-sha2-nistp", "warn", "NIST P-curves"},
    {"host_key", "ssh-dss", "fail", "DSA, 1024-bit keys"},
    {"host_key", "ssh-dss-cert", "fail", "DSA, 1024-bit keys"},
    {"host_key", "x509v3-sign-dss", "fail", "DSA"},
    {"host_key", "ssh-rsa", "warn", "RSA signatures with SHA-1"},
    {"host_key", "ecdsa-sha2-nistp", "warn", "NIST P-curves"},
    {"cipher", "none", "fail", "no encryption"},
    {"cipher", "des", "fail", "DES, 56-bit key"},
    {"cipher", "3des-cbc", "fail", "3DES, 64-bit block (Sweet32)"},
    {"cipher", "arcfour", "fail", "RC4"},
    {"cipher", "blowfish", "fail", "64-bit block"},
    {"cipher", "cast128", "fail", "64-bit block"},
    {"cipher", "idea", "fail", "64-bit block"},
    {"cipher", "rijndael-cbc@lysator.liu.se", "fail", "CBC, non-standard alias"},
    {"cipher", "aes128-cbc", "warn", "CBC mode"},
    {"cipher", "aes192-cbc", "warn", "CBC mode"},
    {"cipher", "aes256-cbc", "warn", "CBC mode"},
    {"mac", "none", "fail", "no integrity protection"},
    {"mac", "hmac-md5", "fail", "MD5"},
    {"mac", "hmac-sha1-96", "fail", "SHA-1 truncated to 96 bits"},
    {"mac", "hmac-ripemd160", "warn", "RIPEMD-160"},
    {"mac", "umac-64", "warn", "64-bit tag"},
    {"mac", "hmac-sha1", "warn", "SHA-1"},
};

void Judge(const char* kind, const std::vector<std::string>& names, nlohmann::json& out) {
  for (const auto& n : names) {
    for (const auto& r : kRules) {
      if (std::string_view(r.kind) != kind || !n.starts_with(r.prefix)) continue;
      // "none" and names of ciphers must match whole or up to a separator
      const std::string_view rest = std::string_view(n).substr(std::strlen(r.prefix));
      if (!rest.empty() && std::string_view(r.prefix) == "none") continue;
      out.push_back({{"kind", kind}, {"name", n}, {"level", r.level}, {"why", r.why}});
      break;
    }
  }
}

std::vector<std::string> Union(const std::vector<std::string>& a,
                               const std::vector<std::string>& b) {
  std::vector<std::string> out = a;
  for (const auto& x : b)
    if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
  return out;
}

// A libssh session to address:port with the limits' timeout, no configuration files and no known
// hosts; `host_key` not empty: the only host-key algorithm offered. nullptr when out of memory.
ssh_session NewSshSession(const std::string& address, std::uint16_t port, const Limits& limits,
                          const std::string& host_key = {}) {
  ssh_session s = ssh_new();
  if (!s) return nullptr;
  unsigned int p = port;
  long usec = static_cast<long>(
      std::chrono::duration_cast<std::chrono::microseconds>(limits.io_timeout).count());
  long sec = usec / 1000000;
  usec %= 1000000;
  int no = 0;
  ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
  ssh_options_set(s, SSH_OPTIONS_HOST, address.c_str());
  ssh_options_set(s, SSH_OPTIONS_PORT, &p);
  ssh_options_set(s, SSH_OPTIONS_USER, "iotcop-probe");
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &sec);
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usec);
  ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
  if (!host_key.empty()) ssh_options_set(s, SSH_OPTIONS_HOSTKEYS, host_key.c_str());
  return s;
}

// libssh: connect, try "none", list the methods. nullopt-like null when it cannot tell.
nlohmann::json AuthMethods(const std::string& address, std::uint16_t port, const Limits& limits,
                           RateLimiter& rate, std::string& error) {
  rate.Acquire();
  ssh_session s = NewSshSession(address, port, limits);
  if (!s) return nullptr;
  nlohmann::json methods = nullptr;
  if (ssh_connect(s) == SSH_OK) {
    const int rc = ssh_userauth_none(s, nullptr);
    methods = nlohmann::json::array();
    if (rc == SSH_AUTH_SUCCESS) {
      methods.push_back("none");
    } else {
      const int m = ssh_userauth_list(s, nullptr);
      if (m & SSH_AUTH_METHOD_PASSWORD) methods.push_back("password");
      if (m & SSH_AUTH_METHOD_INTERACTIVE) methods.push_back("keyboard-interactive");
      if (m & SSH_AUTH_METHOD_PUBLICKEY) methods.push_back("publickey");
      if (m & SSH_AUTH_METHOD_HOSTBASED) methods.push_back("hostbased");
      if (m & SSH_AUTH_METHOD_GSSAPI_MIC) methods.push_back("gssapi-with-mic");
    }
    ssh_disconnect(s);
  } else {
    error = ssh_get_error(s);
  }
  ssh_free(s);
  return methods;
}

// The host key the server signs with when `algorithm` is the only one offered (ssh-audit's host
// key test does the same): its wire blob read by protocols::ParseSshHostKeyBlob.
Result<protocols::SshHostKey> FetchHostKey(const std::string& address, std::uint16_t port,
                                           const Limits& limits, RateLimiter& rate,
                                           const std::string& algorithm) {
  const std::string where = protocols::HostPort(address, port) + "/tcp " + algorithm;
  rate.Acquire();
  ssh_session s = NewSshSession(address, port, limits, algorithm);
  if (!s) return MakeError(Errc::kInternal, "ssh_new failed", where);
  Result<protocols::SshHostKey> out = MakeError(Errc::kIo, "no host key", where);
  if (ssh_connect(s) != SSH_OK) {
    out = MakeError(Errc::kIo, std::string("libssh: ") + ssh_get_error(s), where);
  } else {
    ssh_key key = nullptr;
    char* b64 = nullptr;
    if (ssh_get_server_publickey(s, &key) == SSH_OK &&
        ssh_pki_export_pubkey_base64(key, &b64) == SSH_OK && b64 != nullptr) {
      out = protocols::ParseSshHostKeyBlob(Base64Decode(b64), where);
    }
    if (b64) ssh_string_free_char(b64);
    if (key) ssh_key_free(key);
    ssh_disconnect(s);
  }
  ssh_free(s);
  return out;
}

// The key family of a host-key algorithm ("rsa" for ssh-rsa and rsa-sha2-*), "" for certificates
// and algorithms whose key is not judged by size.
std::string HostKeyFamily(std::string_view alg) {
  if (alg.find("-cert-") != std::string_view::npos) return {};
  if (alg == "ssh-rsa" || alg.starts_with("rsa-sha2-")) return "rsa";
  if (alg == "ssh-dss") return "dsa";
  if (alg.starts_with("ecdsa-sha2-")) return std::string(alg);
  if (alg == "ssh-ed25519" || alg == "ssh-ed448") return std::string(alg);
  return {};
}

}  // namespace

nlohmann::json JudgeSshAlgorithms(const protocols::Kexinit& k) {
  nlohmann::json out = nlohmann::json::array();
  Judge("kex", k.kex, out);
  Judge("host_key", k.host_keys, out);
  Judge("cipher", Union(k.ciphers_s2c, k.ciphers_c2s), out);
  Judge("mac", Union(k.macs_s2c, k.macs_c2s), out);
  return out;
}

nlohmann::json JudgeSshHostKey(const protocols::SshHostKey& k) {
  nlohmann::json j = nullptr;
  auto make = [&](const char* level, std::string why) {
    j = {{"kind", "host_key_size"},
         {"name", k.type},
         {"bits", k.bits},
         {"level", level},
         {"why", std::move(why)}};
  };
  if (k.type == "ssh-rsa") {
    if (k.bits < 2048)
      make("fail", fmt::format("{}-bit RSA host key (below 2048 bits)", k.bits));
    else if (k.bits < 3072)
      make("warn", fmt::format("{}-bit RSA host key (below 3072 bits)", k.bits));
  } else if (k.type == "ssh-dss") {
    make("fail", fmt::format("{}-bit DSA host key", k.bits));
  } else if (k.type.starts_with("ecdsa-sha2-nistp")) {
    make("warn", fmt::format("ECDSA host key on NIST {}", k.curve));
  }
  return j;
}

Result<nlohmann::json> AssessSsh(const std::string& address, std::uint16_t port,
                                 const Limits& limits, RateLimiter& rate) {
  const std::string where = protocols::HostPort(address, port) + "/tcp";
  auto ch = ConnectTcp(address, port, limits, rate);
  if (!ch) return ch.error();
  const Deadline deadline = Clock::now() + limits.io_timeout;
  if (auto st = ch->Send("SSH-2.0-iotcop_probe\r\n", deadline); !st) return st.error();
  // Read until the identification line and one whole packet after it have arrived.
  const std::string data = ReadResponse(
      *ch, deadline,
      std::min<std::size_t>(limits.max_bytes,
                            protocols::kSshMaxIdentArea + protocols::kSshMaxPacket + 8),
      [&](std::string_view s) {
        auto id = protocols::ParseSshIdent(s, where);
        if (!id) return !id.ok() && id.error().code == Errc::kCorrupt;
        const std::string_view rest = s.substr(id->second);
        if (rest.size() < 4) return false;
        const std::uint32_t len = (std::uint32_t(std::uint8_t(rest[0])) << 24) |
                                  (std::uint32_t(std::uint8_t(rest[1])) << 16) |
                                  (std::uint32_t(std::uint8_t(rest[2])) << 8) |
                                  std::uint8_t(rest[3]);
        return len > protocols::kSshMaxPacket || rest.size() >= 4 + std::size_t{len};
      },
      limits.io_timeout);
  auto id = protocols::ParseSshIdent(data, where);
  if (!id) return id.error();
  const std::string ident = id->first;
  const std::size_t after_ident = id->second;
  auto k = protocols::ParseKexinitPacket(std::string_view(data).substr(after_ident), where);
  if (!k) {
    Error e = k.error();
    if (e.offset) *e.offset += after_ident;
    return e;
  }
  nlohmann::json v = {{"address", address},
                      {"port", port},
                      {"banner", Printable(ident, 255)},
                      {"kex", k->kex},
                      {"host_keys", k->host_keys},
                      {"ciphers", Union(k->ciphers_s2c, k->ciphers_c2s)},
                      {"macs", Union(k->macs_s2c, k->macs_c2s)},
                      {"compression", Union(k->compression_s2c, k->compression_c2s)},
                      {"weak", JudgeSshAlgorithms(*k)}};
  // Each host key the server has, one connection per key family it offers (as ssh-audit does).
  nlohmann::json keys = nlohmann::json::array();
  std::vector<std::string> families;
  for (const auto& alg : k->host_keys) {
    const std::string fam = HostKeyFamily(alg);
    if (fam.empty() || std::find(families.begin(), families.end(), fam) != families.end() ||
        families.size() >= 6)
      continue;
    families.push_back(fam);
    auto key = FetchHostKey(address, port, limits, rate, alg);
    if (!key) {
      keys.push_back({{"algorithm", alg}, {"error", key.error().what}});
      continue;
    }
    keys.push_back({{"algorithm", alg}, {"type", key->type}, {"bits", key->bits}});
    if (!key->curve.empty()) keys.back()["curve"] = key->curve;
    if (auto j = JudgeSshHostKey(*key); !j.is_null()) {
      keys.back()["level"] = j["level"];
      v["weak"].push_back(std::move(j));
    }
  }
  v["host_key_details"] = std::move(keys);
  const auto dash = ident.find('-', 4);
  v["software"] = dash == std::string::npos ? "" : ident.substr(dash + 1);
  std::string err;
  v["auth_methods"] = AuthMethods(address, port, limits, rate, err);
  if (v["auth_methods"].is_array()) {
    bool pw = false;
    for (const auto& m : v["auth_methods"])
      pw = pw || m == "password" || m == "keyboard-interactive";
    v["password_auth"] = pw;
  } else {
    v["password_auth"] = nullptr;
    v["auth_error"] = err;
  }
  return v;
}

}  // namespace iotcop::network
