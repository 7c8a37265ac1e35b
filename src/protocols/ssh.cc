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

}  // namespace

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
