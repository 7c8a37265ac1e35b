// File: traffic/credentials.cc
// Cleartext credentials in a reassembled connection: telnet login/password prompts, FTP and POP3
// USER/PASS, POP3 APOP and AUTH PLAIN, IMAP LOGIN and AUTHENTICATE PLAIN, SMTP AUTH PLAIN/LOGIN,
// HTTP Basic and Digest Authorization and login forms, MQTT CONNECT username/password. The
// protocol is told by the server's greeting and the client's commands, the port only as a hint.
#include <algorithm>
#include <cctype>

#include "core/hash.h"
#include "core/strings.h"
#include "protocols/mqtt.h"
#include "protocols/telnet.h"
#include "traffic/parsers.h"

namespace iotcop::traffic {
namespace {

constexpr std::size_t kMaxLines = 4096;
constexpr std::size_t kMaxField = 512;

struct Line {
  std::string_view text;
  std::uint64_t offset;
};

std::vector<Line> Lines(std::string_view s) {
  std::vector<Line> out;
  std::size_t pos = 0;
  while (pos < s.size() && out.size() < kMaxLines) {
    std::size_t nl = s.find('\n', pos);
    if (nl == std::string_view::npos) nl = s.size();
    std::string_view l = s.substr(pos, nl - pos);
    while (!l.empty() && (l.back() == '\r' || l.back() == '\0')) l.remove_suffix(1);
    out.push_back({l.substr(0, kMaxField * 4), pos});
    pos = nl + 1;
  }
  return out;
}

bool StartsWithWord(std::string_view line, std::string_view word) {
  if (line.size() < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(line[i])) != word[i]) return false;
  }
  return line.size() == word.size() || line[word.size()] == ' ';
}

std::string_view Arg(std::string_view line, std::size_t skip) {
  std::string_view a = line.substr(std::min(skip, line.size()));
  while (!a.empty() && a.front() == ' ') a.remove_prefix(1);
  return a.substr(0, kMaxField);
}

// What a telnet user saw or typed: option negotiation removed (protocols::DecodeTelnet), and
// backspace / delete applied to the line.
std::string StripTelnet(std::string_view s) {
  const std::string text = protocols::DecodeTelnet(s).text;
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\x08' || c == '\x7f') {
      if (!out.empty() && out.back() != '\n') out.pop_back();
      continue;
    }
    out.push_back(c);
  }
  return out;
}

// AUTH PLAIN: [authzid] NUL authcid NUL passwd.
bool SplitPlain(const std::string& decoded, Credential& c) {
  const auto a = decoded.find('\0');
  if (a == std::string::npos) return false;
  const auto b = decoded.find('\0', a + 1);
  if (b == std::string::npos) return false;
  c.user = decoded.substr(a + 1, b - a - 1);
  c.secret = decoded.substr(b + 1);
  return !c.secret.empty();
}

// IMAP atom or quoted string at the start of `s`; advances `s`.
std::string ImapString(std::string_view& s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  std::string out;
  if (!s.empty() && s.front() == '"') {
    std::size_t i = 1;
    for (; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      out.push_back(s[i]);
    }
    s.remove_prefix(std::min(i + 1, s.size()));
  } else {
    const std::size_t sp = std::min(s.find(' '), s.size());
    out = std::string(s.substr(0, sp));
    s.remove_prefix(sp);
  }
  return out.substr(0, kMaxField);
}

void Telnet(std::string_view client, std::string_view server, std::vector<Credential>& out) {
  const std::string srv = Lower(StripTelnet(server));
  if (srv.find("login:") == std::string::npos && srv.find("username:") == std::string::npos &&
      srv.find("user name:") == std::string::npos)
    return;
  if (srv.find("password:") == std::string::npos) return;
  const std::string cli = StripTelnet(client);
  Credential c{"telnet", "login", "", "", 0};
  int field = 0;
  for (const auto& l : Lines(cli)) {
    if (l.text.empty()) continue;
    if (field == 0) {
      c.user = std::string(l.text.substr(0, kMaxField));
      c.offset = l.offset;
      field = 1;
    } else {
      c.secret = std::string(l.text.substr(0, kMaxField));
      out.push_back(c);
      return;
    }
  }
}

// FTP, POP3, IMAP and SMTP: line commands from the client.
void LineProtocols(std::string_view client, std::string_view proto, std::vector<Credential>& out) {
  const auto lines = Lines(client);
  std::string pending_user;
  std::uint64_t pending_offset = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view l = lines[i].text;
    const std::uint64_t off = lines[i].offset;
    auto next = [&](std::size_t k) -> std::string_view {
      return i + k < lines.size() ? lines[i + k].text.substr(0, kMaxField) : std::string_view{};
    };
    if (proto == "ftp" || proto == "pop3") {
      if (StartsWithWord(l, "USER")) {
        pending_user = std::string(Arg(l, 4));
        pending_offset = off;
      } else if (StartsWithWord(l, "PASS")) {
        out.push_back({std::string(proto), "user-pass", pending_user, std::string(Arg(l, 4)),
                       pending_user.empty() ? off : pending_offset});
        pending_user.clear();
      } else if (proto == "pop3" && StartsWithWord(l, "APOP")) {
        std::string_view a = Arg(l, 4);
        const std::size_t sp = std::min(a.find(' '), a.size());
        out.push_back({"pop3", "apop", std::string(a.substr(0, sp)), std::string(Arg(a, sp)), off});
      }
    }
    if (proto == "pop3" || proto == "smtp") {
      if (StartsWithWord(l, "AUTH")) {
        std::string_view a = Arg(l, 4);
        const std::string mech = Lower(a.substr(0, std::min(a.find(' '), a.size())));
        std::string_view inline_arg = Arg(a, mech.size());
        if (mech == "plain") {
          Credential c{std::string(proto), "plain", "", "", off};
          if (SplitPlain(Base64Decode(inline_arg.empty() ? next(1) : inline_arg), c))
            out.push_back(c);
        } else if (mech == "login") {
          // User (inline or next line) then password, both base64.
          std::string user = Base64Decode(inline_arg.empty() ? next(1) : inline_arg);
          std::string pass = Base64Decode(inline_arg.empty() ? next(2) : next(1));
          if (!pass.empty()) out.push_back({std::string(proto), "login", user, pass, off});
        }
      }
    }
    if (proto == "imap") {
      // tag LOGIN user pass | tag AUTHENTICATE PLAIN [initial response]
      std::string_view rest = l.substr(std::min(l.find(' '), l.size()));
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      if (StartsWithWord(rest, "LOGIN")) {
        std::string_view a = rest.substr(5);
        Credential c{"imap", "login", ImapString(a), "", off};
        c.secret = ImapString(a);
        if (!c.secret.empty()) out.push_back(c);
      } else if (StartsWithWord(rest, "AUTHENTICATE")) {
        std::string_view a = Arg(rest, 12);
        if (Lower(a.substr(0, 5)) == "plain") {
          Credential c{"imap", "plain", "", "", off};
          std::string_view inline_arg = Arg(a, 5);
          if (SplitPlain(Base64Decode(inline_arg.empty() ? next(1) : inline_arg), c))
            out.push_back(c);
        }
      }
    }
  }
}

bool UserField(std::string_view k) {
  return k == "user" || k == "username" || k == "login" || k == "email" || k == "uname" ||
         k == "account" || k == "user_name" || k == "userid" || k == "usr";
}
bool PassField(std::string_view k) {
  return k == "pass" || k == "password" || k == "passwd" || k == "pwd" || k == "secret" ||
         k == "passphrase" || k == "pw";
}

// value of name="value" or name=value in a Digest header
std::string DigestParam(std::string_view h, std::string_view name) {
  const std::string lower = Lower(h);
  std::size_t pos = 0;
  while ((pos = lower.find(name, pos)) != std::string::npos) {
    const bool boundary = pos == 0 || lower[pos - 1] == ' ' || lower[pos - 1] == ',';
    std::size_t eq = pos + name.size();
    while (eq < h.size() && h[eq] == ' ') ++eq;
    if (!boundary || eq >= h.size() || h[eq] != '=') {
      pos += name.size();
      continue;
    }
    std::string_view v = h.substr(eq + 1);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    if (!v.empty() && v.front() == '"') {
      v.remove_prefix(1);
      return std::string(v.substr(0, std::min(v.find('"'), kMaxField)));
    }
    return std::string(v.substr(0, std::min(v.find(','), kMaxField)));
  }
  return {};
}

void Http(std::string_view client, std::vector<Credential>& out) {
  for (const auto& r : ParseHttpRequests(client)) {
    const std::string auth = Lower(r.authorization.substr(0, 7));
    if (auth.starts_with("basic ")) {
      const std::string dec = Base64Decode(std::string_view(r.authorization).substr(6));
      const auto colon = dec.find(':');
      if (colon != std::string::npos) {
        out.push_back({"http", "basic", dec.substr(0, colon), dec.substr(colon + 1), r.offset});
      }
    } else if (auth.starts_with("digest ")) {
      out.push_back({"http", "digest", DigestParam(r.authorization, "username"),
                     DigestParam(r.authorization, "response"), r.offset});
    }
    // Login forms: a user-like and a password-like field in the body or the query string.
    std::string user, pass;
    auto take = [&](std::string_view k, std::string_view v, std::uint64_t) {
      if (UserField(k) && user.empty()) user = std::string(v.substr(0, kMaxField));
      if (PassField(k) && pass.empty()) pass = std::string(v.substr(0, kMaxField));
    };
    ForEachField(r.body, take);
    const auto q = r.target.find('?');
    if (q != std::string::npos) ForEachField(std::string_view(r.target).substr(q + 1), take);
    if (!pass.empty()) out.push_back({"http", "form", user, pass, r.offset});
  }
}

void Mqtt(std::string_view client, std::vector<Credential>& out) {
  for (const auto& m : protocols::ParseMqtt(client, 16)) {
    if (m.type != 1) continue;
    if (m.has_user || m.has_password)
      out.push_back({"mqtt", "connect", m.user, m.password, m.offset});
    break;  // one CONNECT per connection
  }
}

}  // namespace

std::vector<Credential> FindCredentials(std::string_view client, std::string_view server,
                                        std::uint16_t server_port) {
  std::vector<Credential> out;
  if (client.empty()) return out;
  const bool http = client.starts_with("GET ") || client.starts_with("POST ") ||
                    client.starts_with("PUT ") || client.starts_with("HEAD ") ||
                    client.starts_with("PATCH ") || client.starts_with("DELETE ") ||
                    client.starts_with("OPTIONS ");
  if (http) {
    Http(client, out);
  } else if (static_cast<unsigned char>(client[0]) == 0x10) {
    Mqtt(client, out);
  } else if (server.starts_with("+OK")) {
    LineProtocols(client, "pop3", out);
  } else if (server.starts_with("* OK") || server.starts_with("* PREAUTH")) {
    LineProtocols(client, "imap", out);
  } else if (server.starts_with("220")) {
    const bool smtp = StartsWithWord(client, "EHLO") || StartsWithWord(client, "HELO");
    LineProtocols(client, smtp ? "smtp" : "ftp", out);
  } else if (server_port == 23 || server_port == 2323 ||
             (!client.empty() && static_cast<unsigned char>(client[0]) == 0xff) ||
             (!server.empty() && static_cast<unsigned char>(server[0]) == 0xff)) {
    Telnet(client, server, out);
  } else if (server_port == 21) {
    LineProtocols(client, "ftp", out);
  } else if (server_port == 110) {
    LineProtocols(client, "pop3", out);
  } else if (server_port == 143) {
    LineProtocols(client, "imap", out);
  } else if (server_port == 25 || server_port == 587) {
    LineProtocols(client, "smtp", out);
  } else {
    Telnet(client, server, out);  // a login prompt on any port
  }
  if (out.size() > 64) out.resize(64);
  return out;
}

}  // namespace iotcop::traffic
