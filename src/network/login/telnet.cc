// File: network/login/telnet.cc
// Telnet logins: wait for the login (or password) prompt, answer it, and tell a shell prompt from
// "Login incorrect". Options the server negotiates are refused (DecodeTelnet).
#include "network/login/telnet.h"

#include <algorithm>
#include <cctype>

#include "network/client.h"
#include "network/login/protocol.h"

namespace iotcop::network::login {

TelnetDecoded DecodeTelnet(std::string_view in) {
  constexpr unsigned char kIac = 255, kSb = 250, kSe = 240, kWill = 251, kWont = 252, kDo = 253,
                          kDont = 254;
  TelnetDecoded d;
  std::size_t i = 0;
  while (i < in.size()) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c != kIac) {
      d.text += in[i++];
      continue;
    }
    if (i + 1 >= in.size()) break;  // unfinished
    const auto cmd = static_cast<unsigned char>(in[i + 1]);
    if (cmd == kIac) {
      d.text += in[i + 1];
      i += 2;
    } else if (cmd == kWill || cmd == kWont || cmd == kDo || cmd == kDont) {
      if (i + 2 >= in.size()) break;
      const char opt = in[i + 2];
      if (cmd == kWill) d.reply += {static_cast<char>(kIac), static_cast<char>(kDont), opt};
      if (cmd == kDo) d.reply += {static_cast<char>(kIac), static_cast<char>(kWont), opt};
      i += 3;
    } else if (cmd == kSb) {
      // Subnegotiation: skip to IAC SE; unfinished when it has not arrived.
      std::size_t j = i + 2;
      bool end = false;
      while (j + 1 < in.size()) {
        if (static_cast<unsigned char>(in[j]) == kIac &&
            static_cast<unsigned char>(in[j + 1]) == kSe) {
          end = true;
          break;
        }
        ++j;
      }
      if (!end) break;
      i = j + 2;
    } else {
      i += 2;  // NOP, GA, AYT...: no data
    }
    d.used = i;
  }
  d.used = i;
  if (d.reply.size() > 3 * 64) d.reply.resize(3 * 64);  // never amplify a flood of offers
  return d;
}

namespace {

using Clock = std::chrono::steady_clock;

// The tail of the text, lower-case, trailing spaces removed.
std::string Tail(const std::string& text) {
  std::string t = Lower(text.size() > 200 ? text.substr(text.size() - 200) : text);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  return t;
}

bool AsksUser(const std::string& text) {
  const std::string t = Tail(text);
  return t.ends_with("login:") || t.ends_with("username:") || t.ends_with("user name:") ||
         t.ends_with("user:");
}
bool AsksPassword(const std::string& text) { return Tail(text).ends_with("password:"); }
bool Failed(const std::string& text) {
  const std::string t = Lower(text);
  for (const char* w : {"incorrect", "failed", "denied", "invalid", "bad password", "wrong"})
    if (t.find(w) != std::string::npos) return true;
  return false;
}
bool Locked(const std::string& text) {
  const std::string t = Lower(text);
  for (const char* w : {"locked", "too many", "try again later", "blocked"})
    if (t.find(w) != std::string::npos) return true;
  return false;
}
bool ShellPrompt(const std::string& text) {
  const std::string t = Tail(text);
  return !t.empty() && (t.back() == '#' || t.back() == '$' || t.back() == '>' || t.back() == '%');
}

class Telnet final : public EndpointProtocol {
 public:
  using EndpointProtocol::EndpointProtocol;
  std::string method() const override { return "telnet"; }

  Attempt Try(const Credential& c) override {
    Attempt a;
    auto conn = Connect(e_, l_, a);
    if (!conn) return a;
    std::string text, pending;
    const auto deadline = Clock::now() + l_.io_timeout;
    // Reads until `stop(text)` or the end; answers negotiation on the way.
    auto read = [&](auto stop) -> Received {
      Received last;
      while (!stop(text)) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
          last.timed_out = true;
          break;
        }
        last = conn->ReadUntil([](std::string_view d) { return !d.empty(); }, left);
        pending += last.data;
        TelnetDecoded d = DecodeTelnet(pending);
        pending.erase(0, d.used);
        text += d.text;
        if (!d.reply.empty()) (void)conn->Send(d.reply);
        if (last.closed || last.capped) break;
      }
      return last;
    };
    Received r = read([](const std::string& t) { return AsksUser(t) || AsksPassword(t); });
    if (!AsksUser(text) && !AsksPassword(text)) {
      a.outcome = Locked(text) || r.closed ? Outcome::kBlocked : Outcome::kError;
      a.excerpt = Printable(
          text.empty() ? (r.closed ? "connection closed before a login prompt" : "no login prompt")
                       : text);
      return a;
    }
    if (AsksUser(text)) {
      text.clear();
      (void)conn->Send(c.user + "\r\n");
      r = read([](const std::string& t) { return AsksPassword(t) || ShellPrompt(t) || Failed(t); });
      if (ShellPrompt(text) && !AsksPassword(text)) {  // no password asked at all
        a.outcome = Outcome::kAccepted;
        a.excerpt = Printable(text);
        return a;
      }
      if (!AsksPassword(text)) {
        a.outcome = Locked(text)   ? Outcome::kBlocked
                    : Failed(text) ? Outcome::kRejected
                                   : Outcome::kError;
        a.excerpt = Printable(text);
        return a;
      }
    }
    text.clear();
    const auto sent = Clock::now();
    (void)conn->Send(c.password + "\r\n");
    r = read([](const std::string& t) { return Failed(t) || AsksUser(t) || ShellPrompt(t); });
    a.latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent);
    a.excerpt = Printable(text);
    if (Locked(text))
      a.outcome = Outcome::kBlocked;
    else if (Failed(text) || AsksUser(text) || (r.closed && !ShellPrompt(text)))
      a.outcome = Outcome::kRejected;
    else if (ShellPrompt(text))
      a.outcome = Outcome::kAccepted;
    else
      a.outcome = Outcome::kError;
    return a;
  }
};

}  // namespace

Result<std::unique_ptr<Protocol>> MakeTelnet(const Endpoint& e, const Limits& l) {
  return std::unique_ptr<Protocol>(std::make_unique<Telnet>(e, l));
}

}  // namespace iotcop::network::login
