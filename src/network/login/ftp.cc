// File: network/login/ftp.cc
// FTP logins (RFC 959): USER / PASS and the reply codes; anonymous login first.
#include <cctype>

#include "network/client.h"
#include "network/login/protocol.h"

namespace iotcop::network::login {
namespace {

// The code of the last line of a complete reply ("220-..." lines continue until "220 ..."), or 0
// while it has not all arrived.
int ReplyCode(std::string_view d) {
  std::size_t pos = 0;
  while (pos < d.size()) {
    const auto nl = d.find('\n', pos);
    if (nl == std::string_view::npos) return 0;
    const std::string_view line = d.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.size() >= 4 && std::isdigit(static_cast<unsigned char>(line[0])) &&
        std::isdigit(static_cast<unsigned char>(line[1])) &&
        std::isdigit(static_cast<unsigned char>(line[2])) && line[3] == ' ')
      return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (line.size() == 3 || (line.size() == 4 && line[3] == '\r')) {
      if (std::isdigit(static_cast<unsigned char>(line[0])))
        return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    }
  }
  return 0;
}

class Ftp final : public EndpointProtocol {
 public:
  using EndpointProtocol::EndpointProtocol;
  std::string method() const override { return "ftp"; }

  Attempt Try(const Credential& c) override {
    Attempt a;
    auto conn = Connect(e_, l_, a);
    if (!conn) return a;
    auto reply = [&](std::string& text) {
      Received r =
          conn->ReadUntil([](std::string_view d) { return ReplyCode(d) != 0; }, l_.io_timeout);
      text = r.data;
      return ReplyCode(r.data);
    };
    std::string text;
    int code = reply(text);
    if (code != 220) {
      // 421: too many connections / locked out; anything else: not an FTP greeting.
      a.outcome = code == 421 || code == 0 ? Outcome::kBlocked : Outcome::kError;
      a.excerpt = Printable(text.empty() ? "no greeting" : text);
      return a;
    }
    (void)conn->Send("USER " + c.user + "\r\n");
    code = reply(text);
    const auto sent = std::chrono::steady_clock::now();
    if (code == 331 || code == 332) {
      (void)conn->Send("PASS " + c.password + "\r\n");
      code = reply(text);
    }
    a.latency = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - sent);
    a.excerpt = Printable(text);
    if (code == 230)
      a.outcome = Outcome::kAccepted;
    else if (code == 421)
      a.outcome = Outcome::kBlocked;
    else if (code == 530 || code == 430 || code == 332)
      a.outcome = Outcome::kRejected;
    else
      a.outcome = Outcome::kError;
    (void)conn->Send("QUIT\r\n");
    return a;
  }
};

}  // namespace

Result<std::unique_ptr<Protocol>> MakeFtp(const Endpoint& e, const Limits& l) {
  return std::unique_ptr<Protocol>(std::make_unique<Ftp>(e, l));
}

}  // namespace iotcop::network::login
