// File: firmware/web_auth.cc
// Reading web servers' authentication configuration: see web_auth.h.
#include "firmware/web_auth.h"

#include <algorithm>
#include <map>

#include "firmware/text.h"

namespace iotcop::firmware {
namespace {

using unpack::Entry;
using unpack::EntryType;

constexpr std::size_t kMaxWebConfig = 1u << 20;
constexpr std::size_t kMaxRealms = 2000;

// "key = \"value\"" -> value (quotes and blanks removed).
std::string WebConfValue(std::string_view line) {
  const auto eq = line.find('=');
  std::string_view v = Trim(line.substr(eq == std::string_view::npos ? line.size() : eq + 1));
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    v = v.substr(1, v.size() - 2);
  return std::string(v);
}

// key=value words of a GoAhead route.txt / auth.txt line.
std::map<std::string, std::string> GoaheadFields(const std::vector<std::string>& words) {
  std::map<std::string, std::string> out;
  for (const auto& w : words) {
    const auto eq = w.find('=');
    if (eq != std::string::npos && eq > 0) out[w.substr(0, eq)] = w.substr(eq + 1);
  }
  return out;
}

struct LighttpdToken {
  std::string text;
  bool quoted;
  std::uint32_t line;
};

// lighttpd's auth.require = ( "/path" => ( "method" => "basic", "realm" => "R", ... ), ... ).
void LighttpdRequire(const std::vector<LighttpdToken>& tokens, const Entry& conf,
                     const std::string& user_file, WebAuth& out) {
  int depth = 0;
  WebRealm* current = nullptr;
  std::string pending_key;
  for (std::size_t i = 0; i < tokens.size() && out.realms.size() < kMaxRealms; ++i) {
    const LighttpdToken& t = tokens[i];
    if (!t.quoted && t.text == "(") {
      ++depth;
      continue;
    }
    if (!t.quoted && t.text == ")") {
      if (--depth <= 0) depth = 0;  // the end of one auth.require: another may follow
      if (depth <= 1) current = nullptr;
      continue;
    }
    if (!t.quoted) continue;
    if (depth == 1 && i + 1 < tokens.size() && !tokens[i + 1].quoted && tokens[i + 1].text == "(") {
      out.realms.push_back({"lighttpd", &conf, t.line, t.text, "", "basic", user_file, {}});
      current = &out.realms.back();
    } else if (depth == 2 && current) {
      if (pending_key.empty()) {
        pending_key = t.text;
        continue;
      }
      if (pending_key == "method") current->method = t.text;
      if (pending_key == "realm") current->realm = t.text;
      pending_key.clear();
    }
  }
}

void ReadLighttpd(const unpack::Tree& tree, const Entry& e, WebAuth& out) {
  auto text = ReadCapped(tree, e, kMaxWebConfig);
  if (!text || !LooksLikeText(*text)) return;
  WebServerConfig server{"lighttpd", &e, ""};
  std::string user_file;
  std::vector<LighttpdToken> require;
  bool in_require = false;
  int depth = 0;
  for (const TextLine& l : SplitLines(*text, 20000)) {
    const std::string_view code = Trim(ShellCode(l.text));
    if (code.empty()) continue;
    if (!in_require) {
      if (code.starts_with("server.document-root")) server.docroot = WebConfValue(code);
      if (code.starts_with("auth.backend.") && code.find(".userfile") != std::string_view::npos)
        user_file = WebConfValue(code);
      if (!code.starts_with("auth.require")) continue;
      in_require = true;
    }
    // Tokens: quoted strings, ( and ).
    for (std::size_t i = 0; i < code.size(); ++i) {
      const char c = code[i];
      if (c == '"') {
        const auto end = code.find('"', i + 1);
        if (end == std::string_view::npos) break;
        if (require.size() < 20000)
          require.push_back({std::string(code.substr(i + 1, end - i - 1)), true, l.number});
        i = end;
      } else if (c == '(' || c == ')') {
        depth += c == '(' ? 1 : -1;
        require.push_back({std::string(1, c), false, l.number});
      }
    }
    if (depth <= 0 && !require.empty()) in_require = false;
  }
  LighttpdRequire(require, e, user_file, out);
  for (auto& r : out.realms) {
    if (r.config == &e && r.user_file.empty()) r.user_file = user_file;
  }
  out.servers.push_back(std::move(server));
}

// BusyBox httpd / uhttpd httpd.conf: "/path:user:password" protects /path.
void ReadHttpdConf(const unpack::Tree& tree, const Entry& e, WebAuth& out) {
  auto text = ReadCapped(tree, e, kMaxWebConfig);
  if (!text || !LooksLikeText(*text)) return;
  for (const TextLine& l : SplitLines(*text, 20000)) {
    const std::string_view t = Trim(l.text);
    if (!t.starts_with('/')) continue;
    const auto c1 = t.find(':');
    if (c1 == std::string_view::npos) continue;
    const auto c2 = t.find(':', c1 + 1);
    const std::string user(t.substr(c1 + 1, c2 == std::string_view::npos ? c2 : c2 - c1 - 1));
    if (out.realms.size() >= kMaxRealms) return;
    out.realms.push_back(
        {"httpd", &e, l.number, std::string(t.substr(0, c1)), "", "basic", e.path, {user}});
  }
}

void ReadBoa(const unpack::Tree& tree, const Entry& e, WebAuth& out) {
  auto text = ReadCapped(tree, e, kMaxWebConfig);
  if (!text || !LooksLikeText(*text)) return;
  WebServerConfig server{"boa", &e, ""};
  for (const TextLine& l : SplitLines(*text, 20000)) {
    const std::vector<std::string> w = ShellWords(ShellCode(l.text));
    if (w.size() >= 2 && w[0] == "DocumentRoot") server.docroot = w[1];
    if (w.size() >= 3 && w[0] == "Auth" && out.realms.size() < kMaxRealms)
      out.realms.push_back({"boa", &e, l.number, w[1], "", "basic", w[2], {}});
  }
  out.servers.push_back(std::move(server));
}

void ReadGoahead(const unpack::Tree& tree, const Entry& route, WebAuth& out) {
  auto text = ReadCapped(tree, route, kMaxWebConfig);
  if (!text || !LooksLikeText(*text)) return;
  // Users of auth.txt beside route.txt.
  std::vector<std::string> users;
  const std::string auth_path = std::string(Dirname(route.path)) + "/auth.txt";
  if (const Entry* a = tree.Find(route.root, auth_path); a && a->type == EntryType::kFile) {
    if (auto at = ReadCapped(tree, *a, kMaxWebConfig)) {
      for (const TextLine& l : SplitLines(*at, 20000)) {
        const std::vector<std::string> w = ShellWords(ShellCode(l.text));
        if (w.size() >= 2 && w[0] == "user") {
          auto f = GoaheadFields(w);
          if (f.count("name")) users.push_back(f["name"]);
        }
      }
    }
  }
  for (const TextLine& l : SplitLines(*text, 20000)) {
    const std::vector<std::string> w = ShellWords(ShellCode(l.text));
    if (w.size() < 2 || w[0] != "route") continue;
    auto f = GoaheadFields(w);
    if (!f.count("uri") || out.realms.size() >= kMaxRealms) continue;
    const std::string method = f.count("auth") ? f["auth"] : "none";
    out.realms.push_back({"goahead", &route, l.number, f["uri"], "", method,
                          method == "none" ? "" : auth_path,
                          method == "none" ? std::vector<std::string>{} : users});
  }
  out.servers.push_back({"goahead", &route, ""});
}

}  // namespace

bool IsAdminWebPath(std::string_view path) {
  std::string p = Lower(path);
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  // The login handler itself must answer without a login.
  if (p.find("login") != std::string::npos || p.find("logout") != std::string::npos) return false;
  for (std::string_view w : {"admin", "action", "cgi-bin", "goform", "setup", "config", "system",
                             "management", "manage", "maintenance", "firmware", "upgrade"}) {
    if (p.find(w) != std::string::npos) return true;
  }
  return p.ends_with(".cgi");
}

WebAuth DiscoverWebAuth(const unpack::Tree& tree, std::uint32_t root) {
  WebAuth out;
  std::vector<std::string> mini_dirs;
  for (const Entry& entry : tree.entries()) {
    const Entry* e = &entry;
    if (e->root != root || e->type != EntryType::kFile || e->size > kMaxWebConfig) continue;
    const std::string_view b = Basename(e->path);
    if (b == "lighttpd.conf" || (e->path.find("/lighttpd/") != std::string::npos &&
                                 b.ends_with(".conf") && e->path.starts_with("/etc/"))) {
      ReadLighttpd(tree, *e, out);
    } else if (b == "httpd.conf" && e->path.find("apache") == std::string::npos) {
      ReadHttpdConf(tree, *e, out);
    } else if (b == "boa.conf") {
      ReadBoa(tree, *e, out);
    } else if (b == "route.txt") {
      ReadGoahead(tree, *e, out);
    } else if (b == "mini_httpd.conf" || b == "thttpd.conf") {
      if (auto text = ReadCapped(tree, *e, kMaxWebConfig)) {
        WebServerConfig s{b == "thttpd.conf" ? "thttpd" : "mini_httpd", e, ""};
        for (const TextLine& l : SplitLines(*text, 20000)) {
          const std::string_view t = Trim(ShellCode(l.text));
          if (t.starts_with("dir=")) s.docroot = std::string(t.substr(4));
        }
        if (!s.docroot.empty()) mini_dirs.push_back(s.docroot);
        out.servers.push_back(std::move(s));
      }
    } else if (e->path == "/etc/config/uhttpd") {
      if (auto text = ReadCapped(tree, *e, kMaxWebConfig)) {
        WebServerConfig s{"uhttpd", e, ""};
        for (const TextLine& l : SplitLines(*text, 20000)) {
          const std::vector<std::string> w = ShellWords(ShellCode(l.text));
          if (w.size() >= 3 && w[0] == "option" && w[1] == "home") s.docroot = w[2];
        }
        out.servers.push_back(std::move(s));
      }
    }
  }
  // .htpasswd: protects its folder (mini_httpd, thttpd, Apache-style servers).
  for (const Entry& entry : tree.entries()) {
    const Entry* e = &entry;
    if (e->root != root || e->type != EntryType::kFile || Basename(e->path) != ".htpasswd" ||
        out.realms.size() >= kMaxRealms)
      continue;
    std::string dir(Dirname(e->path));
    std::string url = dir;
    for (const std::string& d : mini_dirs) {
      if (dir.starts_with(d)) url = dir.substr(d.size());
    }
    for (const char* d : {"/www", "/var/www", "/home/httpd", "/web"}) {
      if (url == dir && (dir == d || dir.starts_with(std::string(d) + "/")))
        url = dir.substr(std::string_view(d).size());
    }
    if (url.empty()) url = "/";
    out.realms.push_back({"mini_httpd", e, 0, url, "", "basic", e->path, {}});
  }
  return out;
}

}  // namespace iotcop::firmware
