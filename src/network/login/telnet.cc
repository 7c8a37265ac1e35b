// File: network/login/telnet.cc
// Telnet logins: wait for the login (or password) prompt, answer it, and tell a shell prompt from
// "Login incorrect"; a shell offered with no prompt at all is proven by a command it evaluates.
// Options the server negotiates are refused (protocols::DecodeTelnet).
#include <algorithm>
#include <cctype>

#include "network/client.h"
#include "network/login/protocol.h"
#include "protocols/telnet.h"

namespace iotcop::network::login {

namespace {

using Clock = std::chrono::steady_clock;

// `text` without terminal control sequences (ESC [ ... final byte): BusyBox's line editor asks
// for the cursor position (ESC [ 6 n) right after its prompt.
std::string WithoutEscapes(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
      i += 2;
      while (i < text.size() && !(text[i] >= 0x40 && text[i] <= 0x7e)) ++i;
      continue;
    }
    out += text[i];
  }
  return out;
}

// The tail of the text, lower-case, control sequences and trailing spaces removed.
std::string Tail(const std::string& text) {
  std::string t = Lower(WithoutEscapes(text.size() > 200 ? text.substr(text.size() - 200) : text));
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
// A prompt waiting for input: it ends the text, with no line break after it (a banner line of
// '#' characters ends with one).
bool WaitingPrompt(const std::string& text) {
  const std::string t = WithoutEscapes(text.size() > 200 ? text.substr(text.size() - 200) : text);
  return !t.empty() && t.back() != '\n' && t.back() != '\r' && ShellPrompt(t);
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
    auto deadline = Clock::now() + l_.io_timeout;
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
        protocols::TelnetDecoded d = protocols::DecodeTelnet(pending);
        pending.erase(0, d.used);
        text += d.text;
        if (!d.reply.empty()) (void)conn->Send(d.reply);
        if (last.closed || last.capped) break;
      }
      return last;
    };
    Received r = read(
        [](const std::string& t) { return AsksUser(t) || AsksPassword(t) || WaitingPrompt(t); });
    if (!AsksUser(text) && !AsksPassword(text) && WaitingPrompt(text) && !r.closed) {
      // A shell prompt where a login prompt belongs: proven when the shell evaluates a command
      // (the terminal's echo of the command holds the expression, not its value).
      deadline = Clock::now() + l_.io_timeout;
      (void)conn->Send("echo iotcop-$((6*7))\r\n");
      read([](const std::string& t) { return t.find("iotcop-42") != std::string::npos; });
      if (text.find("iotcop-42") != std::string::npos) {
        a.outcome = Outcome::kAccepted;
        a.without_credentials = true;
        // The end of the exchange: the prompt, the command and its answer (banners run long).
        a.excerpt = "…" + Printable(text.size() > 120 ? text.substr(text.size() - 120) : text);
        return a;
      }
    }
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
