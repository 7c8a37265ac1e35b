// File: traffic/parsers.h
// What the capture analysis looks for in reassembled streams and datagrams, beyond the protocol
// parsers of protocols/ (HTTP, MQTT, TLS, DNS, CoAP, telnet) it reads them with: cleartext
// credentials (credentials.cc: telnet, FTP, POP3, IMAP, SMTP, and HTTP/MQTT through their
// parsers), HTTP requests and responses as the analysis sees them and the fields of forms and JSON
// (http.cc), personal data (personal_data.cc). Each is bounded (item counts, field lengths, the
// input itself) and returns what it could read before the data stopped making sense.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

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
  std::string body_start;            // first 512 bytes of the body (magic numbers)
  std::uint64_t offset = 0;
};
// Requests (responses) one after another on a connection, at most `max` (protocols::
// ParseHttpStream, read leniently: heads of 32 KiB, 128 headers, 64 KiB of each body); stops at
// the first thing that is not HTTP/1.x.
std::vector<HttpRequest> ParseHttpRequests(std::string_view stream, std::size_t max = 256);
std::vector<HttpResponse> ParseHttpResponses(std::string_view stream, std::size_t max = 256);
// Calls fn(key, value, offset) for each key=value of a form body or query string (a=1&b=2), each
// "key": value of JSON text and each key: value / key=value line, at most `max` of them; keys are
// lower-cased, values unquoted and percent-decoded (forms).
void ForEachField(std::string_view text,
                  const std::function<void(std::string_view key, std::string_view value,
                                           std::uint64_t offset)>& fn,
                  std::size_t max = 4096);

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
