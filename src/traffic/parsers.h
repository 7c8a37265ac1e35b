// File: traffic/parsers.h
// Parsers of the application protocols seen in reassembled streams and datagrams. Each one is
// bounded (item counts, field lengths, the input itself), treats every length as untrusted and
// returns what it could read before the data stopped making sense. One file per protocol:
// credentials.cc (telnet, FTP, POP3, IMAP, SMTP, and HTTP/MQTT through their parsers), http.cc,
// mqtt.cc, tls.cc, dns.cc, coap.cc, personal_data.cc.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "traffic/packet.h"

namespace iotcop::traffic {

// A credential sent in cleartext. `secret` is the raw value: whoever turns it into a fact or a
// message redacts it (core/evidence.h Redact).
struct Credential {
  std::string protocol;  // telnet | ftp | pop3 | imap | smtp | http | mqtt
  std::string method;    // login | user-pass | basic | digest | form | plain | apop | connect ...
  std::string user;
  std::string secret;
  std::uint64_t offset = 0;  // in the client's stream
};
// `client`: bytes from the connecting side; `server`: the other direction.
std::vector<Credential> FindCredentials(std::string_view client, std::string_view server,
                                        std::uint16_t server_port);

struct HttpRequest {
  std::string method, target, version, host, user_agent, content_type, authorization;
  std::string body;          // at most 64 KiB of it
  std::uint64_t offset = 0;  // of the request line in the stream
};
struct HttpResponse {
  int status = 0;
  std::string content_type, content_disposition;
  std::uint64_t content_length = 0;  // declared, or what the stream held
  std::string body_start;            // first bytes of the body (magic numbers)
  std::uint64_t offset = 0;
};
// Requests (responses) one after another on a connection, at most `max`; stops at the first
// thing that is not HTTP/1.x.
std::vector<HttpRequest> ParseHttpRequests(std::string_view stream, std::size_t max = 256);
std::vector<HttpResponse> ParseHttpResponses(std::string_view stream, std::size_t max = 256);
// Percent-decoding of a form or query value ('+' is a space).
std::string UrlDecode(std::string_view s);
// Calls fn(key, value, offset) for each key=value of a form body or query string (a=1&b=2), each
// "key": value of JSON text and each key: value / key=value line, at most `max` of them; keys are
// lower-cased, values unquoted and percent-decoded (forms).
void ForEachField(std::string_view text,
                  const std::function<void(std::string_view key, std::string_view value,
                                           std::uint64_t offset)>& fn,
                  std::size_t max = 4096);

struct MqttPacket {
  int type = 0;  // 1 CONNECT, 3 PUBLISH ...
  int level = 0;
  std::string client_id, user, password, topic, payload;
  bool has_user = false, has_password = false;
  std::uint64_t offset = 0;
};
std::vector<MqttPacket> ParseMqtt(std::string_view stream, std::size_t max = 512);

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
std::string TlsVersionName(std::uint16_t v);
std::string TlsCipherName(std::uint16_t id);  // IANA name, or "0x1234"
bool WeakTlsCipher(std::uint16_t id);

struct DnsAnswer {
  std::string name;  // the question's name (the one the device asked for)
  Address address;
};
// A/AAAA answers of one DNS response (UDP payload), following CNAMEs back to the question.
std::vector<DnsAnswer> ParseDnsResponse(ByteView message);
// A (possibly compressed) DNS name at r's position in `message`, r advanced past it; pointers are
// followed only backwards, at most 32 times (also read by network/mdns.cc).
Result<std::string> ReadDnsName(ByteView message, ByteReader& r);

struct CoapMessage {
  int type = 0;  // 0 CON, 1 NON, 2 ACK, 3 RST
  int code = 0;  // class * 32 + detail (1 GET, 2 POST, 3 PUT...)
  std::string uri;
  std::string payload;
};
std::optional<CoapMessage> ParseCoap(ByteView datagram);

struct PersonalData {
  std::string type;  // email | phone | gps | wifi-ssid | wifi-psk | mac
  std::string value;
  std::uint64_t offset = 0;
};
// Personal data in a cleartext payload: e-mail addresses, phone numbers (international form or
// in a field named like phone/tel/mobile), GPS coordinates (lat/lon fields), Wi-Fi SSIDs and keys
// (ssid / psk / passphrase fields), MAC addresses. At most `max` hits.
std::vector<PersonalData> FindPersonalData(std::string_view text, std::size_t max = 64);

}  // namespace iotcop::traffic
