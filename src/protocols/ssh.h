// File: protocols/ssh.h
// SSH's cleartext start (RFC 4253): the server's identification line and its KEXINIT, the first
// binary packet, sent before any key exchange, read with ByteReader. Judging the algorithms and
// logging in (libssh) are the live probe's (network/ssh.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace iotcop::protocols {

constexpr std::size_t kSshMaxPacket = 35000;    // RFC 4253 6.1: at least this must be accepted
constexpr std::size_t kSshMaxIdentArea = 8192;  // lines before the identification, and it

struct Kexinit {
  std::vector<std::string> kex, host_keys, ciphers_c2s, ciphers_s2c, macs_c2s, macs_s2c,
      compression_c2s, compression_s2c;
  bool first_kex_follows = false;
};

// The identification line ("SSH-2.0-dropbear_2022.83") at the start of `data` (lines before it
// are allowed, RFC 4253 4.2), and the offset just after it; an error if none within 8 KiB.
Result<std::pair<std::string, std::size_t>> ParseSshIdent(std::string_view data,
                                                          const std::string& input);
// A public key in the SSH wire format (RFC 4253 6.6, RFC 5656 3.1, RFC 8709 4): its type and
// size in bits (RSA: the modulus n, DSA: the prime p, ECDSA: the curve's, Ed25519/Ed448: 256/456).
struct SshHostKey {
  std::string type;   // "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ssh-ed25519", ...
  std::string curve;  // ECDSA: "nistp256"
  int bits = 0;
};
constexpr std::size_t kSshMaxKeyBlob = 16384;
Result<SshHostKey> ParseSshHostKeyBlob(std::string_view blob, const std::string& input);

// One unencrypted binary packet holding SSH_MSG_KEXINIT at the start of `data`.
Result<Kexinit> ParseKexinitPacket(std::string_view data, const std::string& input);

}  // namespace iotcop::protocols
