// File: network/checks/ssh.cc
// net.ssh.algorithms: the SSH server offers broken algorithms (1024-bit or SHA-1 group exchange,
// DSA host keys, RSA host keys under 2048 bits, 3DES/RC4/Blowfish/CBC-alias ciphers, MD5 or
// truncated MACs). Discouraged ones
// (group14-sha1, ssh-rsa, hmac-sha1, NIST curves) are recorded in the fact, not reported.
// net.ssh.auth: the server lets a client in with the "none" method.
#include <fmt/format.h>

#include <algorithm>

#include "core/fact_kinds.h"
#include "network/checks/net_check.h"
#include "network/socket.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status RunAlgorithms(CheckContext& ctx) {
  for (const Fact* s : ctx.facts().OfKind(facts::kSshEndpoint)) {
    std::vector<std::string> broken;
    std::string why;
    for (const auto& w : s->value.value("weak", nlohmann::json::array())) {
      if (w.value("level", "") != "fail") continue;
      broken.push_back(w.value("kind", "") == "host_key_size"
                           ? w.value("why", "")
                           : w.value("kind", "") + " " + w.value("name", ""));
      if (why.empty()) why = w.value("name", "") + ": " + w.value("why", "");
    }
    if (broken.empty()) continue;
    ctx.Report(
        checkutil::FindingOn({s},
                             fmt::format("SSH on {} offers broken algorithms: {}",
                                         network::AddressPort(*s), fmt::join(broken, ", ")),
                             fmt::format("The server's KEXINIT offers algorithms that are not "
                                         "best-practice cryptography ({}); a client or "
                                         "attacker may negotiate them.",
                                         why),
                             Severity::kMedium),
        "ssh-alg:" + network::AddressPort(*s));
  }
  return Ok();
}

Status RunAuth(CheckContext& ctx) {
  for (const Fact* s : ctx.facts().OfKind(facts::kSshEndpoint)) {
    const auto& m = s->value.value("auth_methods", nlohmann::json());
    if (!m.is_array() || std::find(m.begin(), m.end(), "none") == m.end()) continue;
    ctx.Report(
        checkutil::FindingOn({s},
                             fmt::format("SSH on {} accepts logins without any credential",
                                         network::AddressPort(*s)),
                             "The server accepted the \"none\" authentication method: anyone "
                             "who connects is logged in.",
                             Severity::kCritical),
        "ssh-none:" + network::AddressPort(*s));
  }
  // Needing some credential is not needing a non-default one: net.login.* decide 5.1-1.
  if (ctx.findings().empty())
    ctx.Inconclusive("5.1-1",
                     "SSH asks for credentials; whether default ones work is for the "
                     "default-credential checks");
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeNetSshAlgorithmsCheck() {
  return checkutil::MakeFunctionCheck(
      {"net.ssh.algorithms",
       "Broken SSH algorithms offered",
       {"5.5-1"},
       {InputKind::kNetwork},
       {facts::kSshEndpoint},
       "Key exchange, host-key, cipher and MAC algorithms the SSH server offers are read from its "
       "KEXINIT, and each host key's type and size is read (one connection per key family, as "
       "ssh-audit does); broken ones (RFC 9142, ssh-audit's failures: RSA host keys under 2048 "
       "bits, DSA) are not best-practice cryptography (5.5-1). RSA under 3072 bits and ECDSA on "
       "NIST curves are recorded as warnings.",
       "Offer curve25519-sha256, ssh-ed25519 / rsa-sha2-256, chacha20-poly1305 or AES-GCM/CTR, "
       "and hmac-sha2-256-etm; remove DSA, 3DES, RC4, CBC aliases and MD5 MACs.",
       Severity::kMedium},
      RunAlgorithms);
}

std::unique_ptr<const Check> MakeNetSshAuthCheck() {
  return checkutil::MakeFunctionCheck(
      {"net.ssh.auth",
       "SSH without authentication",
       {"5.1-1"},
       {InputKind::kNetwork},
       {facts::kSshEndpoint},
       "An SSH server that accepts the \"none\" method has no password at all (5.1-1). Which "
       "methods are listed (password, publickey) is recorded in the ssh_endpoint fact.",
       "Require public-key or per-device password authentication.",
       Severity::kCritical},
      RunAuth);
}

}  // namespace iotcop
