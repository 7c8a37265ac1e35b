// File: protocols/ssh.cc
// SSH identification line and KEXINIT packet (see ssh.h).
#include "protocols/ssh.h"

#include <fmt/format.h>

#include "core/bytes.h"

namespace iotcop::protocols {
namespace {

std::vector<std::string> SplitSshNameList(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const auto c = s.find(',');
    out.emplace_back(s.substr(0, c));
    if (c == std::string_view::npos) break;
    s.remove_prefix(c + 1);
  }
  return out;
}

// An mpint's size in bits (RFC 4251 5: two's complement, big-endian, a leading 0 for positives).
int SshMpintBits(ByteView v) {
  std::size_t i = 0;
  while (i < v.size() && v[i] == 0) ++i;
  if (i == v.size()) return 0;
  int top = 0;
  for (unsigned b = v[i]; b != 0; b >>= 1) ++top;
  return static_cast<int>((v.size() - i - 1) * 8) + top;
}

}  // namespace

Result<SshHostKey> ParseSshHostKeyBlob(std::string_view blob, const std::string& input) {
  if (blob.size() > kSshMaxKeyBlob)
    return MakeError(Errc::kCorrupt, fmt::format("key blob of {} bytes", blob.size()), input, 0);
  ByteReader r(AsBytes(blob), input);
  auto field = [&]() -> Result<ByteView> {
    auto n = r.Read<std::uint32_t>(Endian::kBig);
    if (!n) return n.error();
    return r.Bytes(*n);
  };
  auto type = field();
  if (!type) return type.error();
  SshHostKey k;
  k.type = std::string(AsString(*type));
  if (k.type.size() > 64 || k.type.empty())
    return MakeError(Errc::kCorrupt, "key type name of " + std::to_string(k.type.size()) + " bytes",
                     input, 4);
  const auto at = r.pos();
  if (k.type == "ssh-rsa" || k.type == "ssh-dss") {
    if (k.type == "ssh-rsa") {  // e, then n
      if (auto e = field(); !e) return e.error();
    }
    auto n = field();  // RSA n, DSA p
    if (!n) return n.error();
    k.bits = SshMpintBits(*n);
  } else if (k.type.starts_with("ecdsa-sha2-")) {
    auto curve = field();
    if (!curve) return curve.error();
    k.curve = std::string(AsString(*curve));
    if (k.curve == "nistp256")
      k.bits = 256;
    else if (k.curve == "nistp384")
      k.bits = 384;
    else if (k.curve == "nistp521")
      k.bits = 521;
    else
      return MakeError(Errc::kUnsupported, "unknown ECDSA curve", input, at);
  } else if (k.type == "ssh-ed25519") {
    k.bits = 256;
  } else if (k.type == "ssh-ed448") {
    k.bits = 456;
  } else {
    return MakeError(Errc::kUnsupported, "unknown key type " + k.type, input, 0);
  }
  if (k.bits == 0) return MakeError(Errc::kCorrupt, "empty key", input, at);
  return k;
}

Result<std::pair<std::string, std::size_t>> ParseSshIdent(std::string_view data,
                                                          const std::string& input) {
  std::size_t pos = 0;
  while (pos < data.size() && pos < kSshMaxIdentArea) {
    const auto nl = data.find('\n', pos);
    if (nl == std::string_view::npos)
      return MakeError(Errc::kTruncated, "no complete SSH identification line", input, pos);
    std::string_view line = data.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.starts_with("SSH-")) {
      if (line.size() > 255)
        return MakeError(Errc::kCorrupt, "SSH identification longer than 255 bytes", input, pos);
      return std::pair<std::string, std::size_t>{std::string(line), nl + 1};
    }
    pos = nl + 1;
  }
  return MakeError(Errc::kCorrupt, "no SSH identification line in the first 8 KiB", input, 0);
}

Result<Kexinit> ParseKexinitPacket(std::string_view data, const std::string& input) {
  ByteReader r(AsBytes(data), input);
  auto len = r.Read<std::uint32_t>(Endian::kBig);
  if (!len) return len.error();
  if (*len < 2 || *len > kSshMaxPacket)
    return MakeError(Errc::kCorrupt, fmt::format("packet length {} out of range", *len), input, 0);
  auto pad = r.Read<std::uint8_t>();
  if (!pad) return pad.error();
  if (*pad + 1u > *len)
    return MakeError(Errc::kCorrupt, "padding longer than the packet", input, 4);
  auto payload = r.Bytes(*len - *pad - 1u);
  if (!payload) return payload.error();
  ByteReader p(*payload, input, 5);
  auto msg = p.Read<std::uint8_t>();
  if (!msg) return msg.error();
  if (*msg != 20)
    return MakeError(Errc::kCorrupt, fmt::format("message {} where KEXINIT (20) belongs", *msg),
                     input, 5);
  if (auto st = p.Skip(16); !st) return st.error();  // cookie
  Kexinit k;
  std::vector<std::string>* lists[] = {
      &k.kex,      &k.host_keys, &k.ciphers_c2s,     &k.ciphers_s2c,
      &k.macs_c2s, &k.macs_s2c,  &k.compression_c2s, &k.compression_s2c};
  for (auto* l : lists) {
    auto n = p.Read<std::uint32_t>(Endian::kBig);
    if (!n) return n.error();
    auto s = p.Bytes(*n);
    if (!s) return s.error();
    *l = SplitSshNameList(AsString(*s));
  }
  for (int i = 0; i < 2; ++i) {  // languages, ignored
    auto n = p.Read<std::uint32_t>(Endian::kBig);
    if (!n) return n.error();
    if (auto st = p.Skip(*n); !st) return st.error();
  }
  auto follows = p.Read<std::uint8_t>();
  if (!follows) return follows.error();
  k.first_kex_follows = *follows != 0;
  return k;
}

}  // namespace iotcop::protocols
