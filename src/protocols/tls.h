// File: protocols/tls.h
// TLS handshake records of a reassembled connection: the ClientHello (legacy version,
// supported_versions, SNI, ALPN, cipher count), the ServerHello (negotiated version and cipher,
// supported_versions for TLS 1.3) and the server's Certificate message (TLS 1.2 and older; TLS 1.3
// encrypts it), and the names of protocol versions. Handshake messages split across records are
// joined, up to 256 KiB. (Cipher suite names and their strength are nDPI's: traffic/dpi.h.)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace iotcop::protocols {

struct TlsInfo {
  bool client_hello = false, server_hello = false;
  std::uint16_t client_version = 0;             // legacy_version of the ClientHello
  std::vector<std::uint16_t> offered_versions;  // supported_versions of the ClientHello
  std::string sni;
  std::vector<std::string> alpn;
  std::size_t offered_ciphers = 0;
  std::uint16_t version = 0;  // negotiated (ServerHello, supported_versions when present)
  std::uint16_t cipher = 0;
  std::vector<std::string> certificates;  // DER, server's chain (TLS <= 1.2 only: 1.3 encrypts it)
  std::uint64_t client_offset = 0, server_offset = 0;
};
// True when the stream starts like a TLS record (handshake, version 3.x).
bool LooksLikeTls(std::string_view stream);
void ParseTlsClient(std::string_view stream, TlsInfo& info);
void ParseTlsServer(std::string_view stream, TlsInfo& info);
// "TLSv1.2", "SSLv3", or "0x1234".
std::string TlsVersionName(std::uint16_t v);

}  // namespace iotcop::protocols
