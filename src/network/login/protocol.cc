// File: network/login/protocol.cc
// Names and excerpts shared by the login protocols.
#include "network/login/protocol.h"
#include "core/strings.h"

#include <cctype>

namespace iotcop::network::login {

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kAccepted:
      return "accepted";
    case Outcome::kRejected:
      return "rejected";
    case Outcome::kBlocked:
      return "blocked";
    case Outcome::kUnsupported:
      return "unsupported";
    case Outcome::kError:
      return "error";
  }
  return "error";
}

std::vector<std::string> PreferredUsers(const std::string& service) {
  if (service == "telnet" || service == "ssh" || service == "ftp") return {"root", "admin"};
  return {"admin", "root"};
}

std::vector<Credential> Anonymous(const std::string& service) {
  if (service == "ftp") return {{"anonymous", "iotcop@example.invalid", "anonymous", true}};
  if (service == "mqtt" || service == "mqtts" || service == "secure-mqtt")
    return {{"", "", "anonymous", true}};
  return {};
}

std::optional<Connection> Connect(const Endpoint& e, const Limits& l, Attempt& a) {
  auto c = Connection::Open(e, l);
  if (!c) {
    a.excerpt = c.error().Describe();
    return std::nullopt;
  }
  return std::move(*c);
}

std::string Printable(std::string_view s, std::size_t max) {
  std::string r;
  bool space = false;
  for (unsigned char c : s) {
    if (r.size() >= max) {
      r += "…";
      break;
    }
    if (c == '\r' || c == '\n' || c == '\t' || c == ' ') {
      if (!r.empty()) space = true;
      continue;
    }
    if (space) r += ' ';
    space = false;
    r += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
  }
  return r;
}

}  // namespace iotcop::network::login
