// File: network/login/protocol.h
// What every login protocol (one file each in this folder) offers the dictionary runner in
// network/login.cc: try one credential on a fresh connection and say how the service answered.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/strings.h"
#include "network/client.h"
#include "network/endpoint.h"

namespace iotcop::network::login {

struct Credential {
  std::string user;
  std::string password;
  std::string source;      // the dictionary entry's source, or "anonymous"
  bool anonymous = false;  // no credential at all (MQTT) or the anonymous convention (FTP)
};

enum class Outcome {
  kAccepted,     // logged in
  kRejected,     // the service said no
  kBlocked,      // the service refused to even ask (locked out, 429, closed before the prompt)
  kUnsupported,  // the service offers no password login (SSH keys only)
  kError,        // could not talk to it (refused, timeout, garbage)
};
const char* OutcomeName(Outcome o);

struct Attempt {
  Outcome outcome = Outcome::kError;
  std::string method;                    // http-basic, ssh-password... (when it varies)
  std::string excerpt;                   // the service's answer, bounded, printable
  std::chrono::milliseconds latency{0};  // from sending the secret to the answer
  // Accepted before any credential was asked for (a telnet shell with no login prompt, proven by
  // a command it ran): the credential tried was never sent.
  bool without_credentials = false;
};

class Protocol {
 public:
  virtual ~Protocol() = default;
  virtual std::string method() const = 0;
  virtual Attempt Try(const Credential& c) = 0;
};

// User names to try first with entries of a service (telnet, ssh, ftp: root; web, mqtt: admin).
std::vector<std::string> PreferredUsers(const std::string& service);
// Logins without a dictionary credential, tried first: anonymous FTP, MQTT without credentials.
std::vector<Credential> Anonymous(const std::string& service);

// Each factory looks at the service first when it must (HTTP: does / ask for a login, and which
// scheme?). Errc::kNotThisFormat: nothing to try there (no login asked); other Errors: a problem.
Result<std::unique_ptr<Protocol>> MakeTelnet(const Endpoint& e, const Limits& l);
Result<std::unique_ptr<Protocol>> MakeSsh(const Endpoint& e, const Limits& l);
Result<std::unique_ptr<Protocol>> MakeFtp(const Endpoint& e, const Limits& l);
Result<std::unique_ptr<Protocol>> MakeMqtt(const Endpoint& e, const Limits& l);
// `form`: "PATH:BODY:F=failure text" or "PATH:BODY:S=success text" (hydra's http-post-form
// syntax; ^USER^ and ^PASS^ in BODY are replaced, URL-encoded). Empty: only basic / digest.
Result<std::unique_ptr<Protocol>> MakeHttp(const Endpoint& e, const Limits& l,
                                           const std::string& form);
Result<std::unique_ptr<Protocol>> MakeRtsp(const Endpoint& e, const Limits& l);

// The request a challenge login sends, given the Authorization value ("" for none).
using RequestBuilder = std::function<std::string(const std::string& authorization)>;
// HTTP and RTSP: ask once without credentials; a 401 with a Basic or Digest challenge makes a
// protocol whose method is PREFIX-basic or PREFIX-digest; no 401 is Errc::kNotThisFormat.
Result<std::unique_ptr<Protocol>> MakeChallengeLogin(const Endpoint& e, const Limits& l,
                                                     RequestBuilder build, std::string verb,
                                                     std::string uri, std::string prefix);

// Opens a connection for an attempt; when it cannot, says why in a.excerpt (outcome stays kError).
std::optional<Connection> Connect(const Endpoint& e, const Limits& l, Attempt& a);

// A protocol that keeps its endpoint and limits.
class EndpointProtocol : public Protocol {
 public:
  EndpointProtocol(Endpoint e, Limits l) : e_(std::move(e)), l_(l) {}

 protected:
  Endpoint e_;
  Limits l_;
};

// Printable, bounded excerpt of a service's answer (control bytes shown as '.').
std::string Printable(std::string_view s, std::size_t max = 160);

}  // namespace iotcop::network::login
