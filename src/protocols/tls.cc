// File: protocols/tls.cc
// TLS handshake records of a reassembled connection: the ClientHello (legacy version,
// supported_versions, SNI, ALPN, cipher count), the ServerHello (negotiated version and cipher,
// supported_versions for TLS 1.3) and the server's Certificate message (TLS 1.2 and older; TLS 1.3
// encrypts it). Handshake messages split across records are joined, up to 256 KiB (see tls.h).
#include "protocols/tls.h"

#include <array>

#include <fmt/format.h>

#include "core/bytes.h"

namespace iotcop::protocols {
namespace {

constexpr std::size_t kTlsMaxHandshake = 256 * 1024;
constexpr std::size_t kTlsMaxCertificates = 8;

// The handshake bytes of the leading handshake records (content type 22).
std::string TlsHandshakeBytes(std::string_view stream) {
  std::string out;
  ByteReader r(AsBytes(stream));
  while (r.remaining() >= 5 && out.size() < kTlsMaxHandshake) {
    auto type = r.Read<std::uint8_t>();
    auto major = r.Read<std::uint8_t>();
    if (!type || !major || *major != 3) break;
    if (!r.Skip(1)) break;
    auto len = r.Read<std::uint16_t>(Endian::kBig);
    if (!len) break;
    if (*type == 20) {  // ChangeCipherSpec: what follows is encrypted
      break;
    }
    auto body = r.Bytes(std::min<std::uint64_t>(*len, r.remaining()));
    if (!body) break;
    if (*type != 22) break;
    out.append(AsString(*body));
  }
  return out;
}

// Calls fn(type, body) for each complete handshake message.
template <class Fn>
void ForEachTlsHandshake(std::string_view hs, Fn fn) {
  ByteReader r(AsBytes(hs));
  for (int i = 0; i < 32 && r.remaining() >= 4; ++i) {
    auto type = r.Read<std::uint8_t>();
    auto b = r.Bytes(3);
    if (!type || !b) return;
    const std::uint32_t len =
        LoadBe<std::uint32_t>(std::array<std::uint8_t, 4>{0, (*b)[0], (*b)[1], (*b)[2]}.data());
    auto body = r.Bytes(len);
    if (!body) return;
    fn(*type, *body);
  }
}

template <class Fn>
bool ForEachTlsExtension(ByteReader& r, Fn fn) {
  if (r.remaining() == 0) return true;  // no extensions
  auto total = r.Read<std::uint16_t>(Endian::kBig);
  if (!total) return false;
  auto block = r.Bytes(std::min<std::uint64_t>(*total, r.remaining()));
  if (!block) return false;
  ByteReader e(*block);
  while (e.remaining() >= 4) {
    auto type = e.Read<std::uint16_t>(Endian::kBig);
    auto len = e.Read<std::uint16_t>(Endian::kBig);
    if (!type || !len) return false;
    auto data = e.Bytes(*len);
    if (!data) return false;
    fn(*type, *data);
  }
  return true;
}

bool SkipTlsVector(ByteReader& r, int length_bytes) {
  std::uint64_t n = 0;
  if (length_bytes == 1) {
    auto v = r.Read<std::uint8_t>();
    if (!v) return false;
    n = *v;
  } else {
    auto v = r.Read<std::uint16_t>(Endian::kBig);
    if (!v) return false;
    n = *v;
  }
  return static_cast<bool>(r.Skip(n));
}

void TlsClientHello(ByteView body, TlsInfo& info) {
  ByteReader r(body);
  auto version = r.Read<std::uint16_t>(Endian::kBig);
  if (!version || !r.Skip(32) || !SkipTlsVector(r, 1)) return;
  auto cipher_len = r.Read<std::uint16_t>(Endian::kBig);
  if (!cipher_len || !r.Skip(*cipher_len) || !SkipTlsVector(r, 1)) return;
  info.client_hello = true;
  info.client_version = *version;
  info.offered_ciphers = *cipher_len / 2;
  ForEachTlsExtension(r, [&](std::uint16_t type, ByteView data) {
    ByteReader e(data);
    if (type == 0) {  // server_name
      if (!e.Skip(2)) return;
      auto kind = e.Read<std::uint8_t>();
      auto n = e.Read<std::uint16_t>(Endian::kBig);
      if (!kind || !n || *kind != 0) return;
      auto name = e.Bytes(std::min<std::uint64_t>(*n, 255));
      if (name) info.sni = std::string(AsString(*name));
    } else if (type == 16) {  // ALPN
      if (!e.Skip(2)) return;
      while (e.remaining() > 0 && info.alpn.size() < 8) {
        auto n = e.Read<std::uint8_t>();
        if (!n) return;
        auto p = e.Bytes(*n);
        if (!p) return;
        info.alpn.emplace_back(AsString(*p));
      }
    } else if (type == 43) {  // supported_versions
      auto n = e.Read<std::uint8_t>();
      if (!n) return;
      for (int i = 0; i + 1 < *n && info.offered_versions.size() < 16; i += 2) {
        auto v = e.Read<std::uint16_t>(Endian::kBig);
        if (!v) return;
        if ((*v & 0x0f0f) != 0x0a0a) info.offered_versions.push_back(*v);  // GREASE dropped
      }
    }
  });
}

void TlsServerHello(ByteView body, TlsInfo& info) {
  ByteReader r(body);
  auto version = r.Read<std::uint16_t>(Endian::kBig);
  if (!version || !r.Skip(32) || !SkipTlsVector(r, 1)) return;
  auto cipher = r.Read<std::uint16_t>(Endian::kBig);
  if (!cipher || !r.Skip(1)) return;
  info.server_hello = true;
  info.version = *version;
  info.cipher = *cipher;
  ForEachTlsExtension(r, [&](std::uint16_t type, ByteView data) {
    if (type == 43 && data.size() == 2) info.version = LoadBe<std::uint16_t>(data.data());
  });
}

void TlsCertificates(ByteView body, TlsInfo& info) {
  ByteReader r(body);
  if (!r.Skip(3)) return;  // total length: each entry is checked on its own
  while (r.remaining() >= 3 && info.certificates.size() < kTlsMaxCertificates) {
    auto b = r.Bytes(3);
    const std::uint32_t len =
        (std::uint32_t((*b)[0]) << 16) | (std::uint32_t((*b)[1]) << 8) | (*b)[2];
    auto der = r.Bytes(len);
    if (!der) return;
    info.certificates.emplace_back(AsString(*der));
  }
}

}  // namespace

bool LooksLikeTls(std::string_view s) {
  return s.size() >= 5 && s[0] == 0x16 && s[1] == 0x03 && static_cast<unsigned char>(s[2]) <= 4;
}

void ParseTlsClient(std::string_view stream, TlsInfo& info) {
  if (!LooksLikeTls(stream)) return;
  ForEachTlsHandshake(TlsHandshakeBytes(stream), [&](std::uint8_t type, ByteView body) {
    if (type == 1 && !info.client_hello) TlsClientHello(body, info);
  });
}

void ParseTlsServer(std::string_view stream, TlsInfo& info) {
  if (!LooksLikeTls(stream)) return;
  ForEachTlsHandshake(TlsHandshakeBytes(stream), [&](std::uint8_t type, ByteView body) {
    if (type == 2 && !info.server_hello) TlsServerHello(body, info);
    if (type == 11 && info.certificates.empty() && info.version < 0x0304)
      TlsCertificates(body, info);
  });
}

std::string TlsVersionName(std::uint16_t v) {
  switch (v) {
    case 0x0200:
      return "SSLv2";
    case 0x0300:
      return "SSLv3";
    case 0x0301:
      return "TLSv1.0";
    case 0x0302:
      return "TLSv1.1";
    case 0x0303:
      return "TLSv1.2";
    case 0x0304:
      return "TLSv1.3";
    default:
      return fmt::format("0x{:04x}", v);
  }
}

}  // namespace iotcop::protocols
