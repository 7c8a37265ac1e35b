#include "firmware/text_files.h"
#include "core/strings.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace iotcop::firmware {
namespace {

constexpr std::array<std::string_view, 14> kFolders = {
    "/etc/", "/etc_ro/",  "/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/",  "/usr/share/",
    "/lib/", "/usr/lib/", "/www/", "/web/",  "/opt/",     "/usr/local/", "/home/"};

bool InFolders(std::string_view path) {
  return std::any_of(kFolders.begin(), kFolders.end(),
                     [&](std::string_view f) { return path.starts_with(f); });
}

}  // namespace

std::optional<std::string> ReadWhole(const FirmwareInput& in, const unpack::Entry& e,
                                     std::size_t max, std::string_view who,
                                     std::vector<Problem>& problems) {
  std::string why;
  if (e.size > max) {
    why = "file larger than " + std::to_string(max >> 20) + " MiB not analysed";
  } else if (auto content = in.tree.Read(e, max)) {
    return std::move(content).value();
  } else {
    why = content.error().Describe();
  }
  problems.push_back({"warning", "collect", in.input, in.tree.DisplayPath(e), std::nullopt,
                      std::string(who) + ": " + why});
  return std::nullopt;
}

void ForEachTextFile(const FirmwareInput& in,
                     const std::function<void(const unpack::Entry&, std::string_view)>& fn) {
  const auto roots = in.tree.SystemRoots();
  for (const auto& e : in.tree.entries()) {
    if (e.type != unpack::EntryType::kFile || e.disk.empty() || e.size == 0) continue;
    if (std::find(roots.begin(), roots.end(), e.root) == roots.end() || !InFolders(e.path))
      continue;
    if (e.size > kMaxTextBytes) continue;
    // Skip binaries cheaply: a NUL in the first 4 KiB. Libraries under /lib are mostly ELF.
    auto head = in.tree.Read(e, 4096);
    if (!head || head->find('\0') != std::string::npos) continue;
    auto content = e.size <= head->size() ? std::move(head) : in.tree.Read(e, kMaxTextBytes);
    if (!content) continue;
    fn(e, *content);
  }
}

CommentSyntax CommentSyntaxOf(std::string_view path, std::string_view text) {
  const std::string_view base = path.substr(path.rfind('/') + 1);
  const auto ext = base.rfind('.');
  const std::string_view e = ext == std::string_view::npos ? "" : base.substr(ext);
  if (e == ".lua") return CommentSyntax::kLua;
  for (std::string_view c :
       {".js", ".mjs", ".c", ".h", ".cc", ".cpp", ".css", ".json5", ".java", ".go", ".ts"}) {
    if (e == c) return CommentSyntax::kCLike;
  }
  for (std::string_view h : {".html", ".htm", ".xml", ".svg", ".xhtml", ".shtml", ".asp"}) {
    if (e == h) return CommentSyntax::kHtml;
  }
  if (text.starts_with("#!")) {
    const std::string_view first = text.substr(0, text.find('\n'));
    if (first.find("lua") != std::string_view::npos) return CommentSyntax::kLua;
    if (first.find("node") != std::string_view::npos) return CommentSyntax::kCLike;
  }
  return CommentSyntax::kShell;
}

namespace {

// The code of one line of a shell or ini file: "" for a comment line, the text before a '#'
// that follows whitespace (outside quotes) otherwise.
std::string ShellIniCode(std::string_view line) {
  line = Trim(line);
  if (line.empty() || line[0] == '#' || line[0] == ';' || line.starts_with("//")) return {};
  char quote = 0;
  for (std::size_t i = 1; i < line.size(); ++i) {
    const char c = line[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && std::isspace(static_cast<unsigned char>(line[i - 1]))) {
      return std::string(Trim(line.substr(0, i)));
    }
  }
  return std::string(line);
}

// Removes Lua, C-like or HTML comments from one line; `block` is the closing delimiter of the
// block comment the line starts in ("" when none) and is updated for the next line.
std::string StripBlockComments(std::string_view line, CommentSyntax syntax, std::string& block) {
  std::string out;
  char quote = 0;
  for (std::size_t i = 0; i < line.size();) {
    if (!block.empty()) {
      const auto end = line.find(block, i);
      if (end == std::string_view::npos) return out;
      i = end + block.size();
      block.clear();
      out.push_back(' ');
      continue;
    }
    const char c = line[i];
    if (quote) {
      if (c == '\\' && i + 1 < line.size()) {
        out.append(line.substr(i, 2));
        i += 2;
        continue;
      }
      if (c == quote) quote = 0;
      out.push_back(c);
      ++i;
      continue;
    }
    const std::string_view rest = line.substr(i);
    if (syntax == CommentSyntax::kLua && rest.starts_with("--")) {
      // --[[ or --[==[ opens a block that the matching ]] or ]==] closes; else a line comment.
      std::size_t eq = 0;
      if (rest.size() > 2 && rest[2] == '[') {
        while (3 + eq < rest.size() && rest[3 + eq] == '=') ++eq;
        if (3 + eq < rest.size() && rest[3 + eq] == '[') {
          block = "]" + std::string(eq, '=') + "]";
          i += 4 + eq;
          continue;
        }
      }
      return out;
    }
    if (syntax == CommentSyntax::kCLike && rest.starts_with("//")) return out;
    if (syntax == CommentSyntax::kCLike && rest.starts_with("/*")) {
      block = "*/";
      i += 2;
      continue;
    }
    if (syntax == CommentSyntax::kHtml && rest.starts_with("<!--")) {
      block = "-->";
      i += 4;
      continue;
    }
    // Quotes delimit strings in code; in HTML only attribute values use them, and text such as
    // "don't" must not open one, so HTML keeps no quote state.
    if (syntax != CommentSyntax::kHtml && (c == '"' || c == '\'' || c == '`')) quote = c;
    out.push_back(c);
    ++i;
  }
  return out;
}

}  // namespace

void ForEachCodeLine(std::string_view text,
                     const std::function<void(std::uint32_t, std::string_view)>& fn,
                     CommentSyntax syntax) {
  std::uint32_t no = 0;
  std::size_t pos = 0;
  std::string block;  // the closing delimiter of the open block comment
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view raw = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++no;
    if (no == 1 && raw.starts_with("#!")) continue;
    const std::string code = syntax == CommentSyntax::kShell
                                 ? ShellIniCode(raw)
                                 : StripBlockComments(raw, syntax, block);
    const std::string_view line = Trim(code);
    if (!line.empty()) fn(no, line);
  }
}

bool IsProseFile(std::string_view path) {
  for (std::string_view folder :
       {"/usr/share/doc/", "/usr/share/man/", "/usr/man/", "/usr/share/info/",
        "/usr/share/licenses/", "/usr/share/common-licenses/", "/usr/doc/"}) {
    if (path.starts_with(folder)) return true;
  }
  const std::string_view base = path.substr(path.rfind('/') + 1);
  std::string upper(base);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (std::string_view name : {"COPYING", "LICENSE", "LICENCE", "README", "NOTICE", "AUTHORS",
                                "CHANGELOG", "CHANGES", "HISTORY", "NEWS", "THANKS", "CREDITS"}) {
    if (upper.starts_with(name)) return true;
  }
  for (std::string_view name : {"BANNER", "MOTD", "ISSUE", "ISSUE.NET"}) {
    if (upper == name || (upper.starts_with(name) && upper.size() > name.size() &&
                          (upper[name.size()] == '.' || upper[name.size()] == '-'))) {
      const std::string_view dir = path.substr(0, path.size() - base.size());
      if (dir == "/etc/" || dir == "/etc_ro/") return true;
    }
  }
  for (std::string_view ext :
       {".TXT", ".MD", ".RST", ".HTML", ".HTM", ".CSS", ".SVG", ".PO", ".POT", ".LMO"}) {
    if (upper.ends_with(ext)) return true;
  }
  return false;
}

bool MentionsAny(std::string_view line, std::initializer_list<std::string_view> words) {
  std::string lower(line);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto w : words) {
    if (lower.find(w) != std::string::npos) return true;
  }
  return false;
}

std::vector<Url> FindUrls(std::string_view line) {
  static constexpr std::array<std::string_view, 11> kSchemes = {
      "https", "http", "ftps", "ftp", "tftp", "mqtts", "mqtt", "wss", "ws", "coaps", "coap"};
  std::vector<Url> out;
  std::size_t pos = 0;
  while ((pos = line.find("://", pos)) != std::string_view::npos) {
    std::size_t s = pos;
    while (s > 0 && std::isalpha(static_cast<unsigned char>(line[s - 1]))) --s;
    std::string scheme(line.substr(s, pos - s));
    for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::size_t e = pos + 3;
    while (e < line.size() && !std::isspace(static_cast<unsigned char>(line[e])) &&
           line[e] != '"' && line[e] != '\'' && line[e] != '<' && line[e] != '>' &&
           line[e] != ')' && line[e] != ';' && line[e] != '`') {
      ++e;
    }
    pos += 3;
    if (std::find(kSchemes.begin(), kSchemes.end(), scheme) == kSchemes.end()) continue;
    Url u;
    u.pos = s;
    u.scheme = scheme;
    u.url = std::string(line.substr(s, e - s));
    std::string_view rest = line.substr(s + scheme.size() + 3, e - s - scheme.size() - 3);
    if (auto at = rest.find('@'); at != std::string_view::npos && at < rest.find('/')) {
      rest.remove_prefix(at + 1);  // user:password@ (never kept)
      u.url = scheme + "://" + std::string(rest);
    }
    std::string_view hostport = rest.substr(0, rest.find_first_of("/?#"));
    std::string_view host = hostport;
    if (!host.empty() && host[0] == '[') {
      host = host.substr(
          1, host.find(']') == std::string_view::npos ? host.size() - 1 : host.find(']') - 1);
    } else if (auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
      host = hostport.substr(0, colon);
      int port = 0;
      for (char c : hostport.substr(colon + 1)) {
        if (!std::isdigit(static_cast<unsigned char>(c)) || port > 65535) break;
        port = port * 10 + (c - '0');
      }
      if (port > 0 && port <= 65535) u.port = static_cast<std::uint16_t>(port);
    }
    u.host = std::string(host);
    for (auto& c : u.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool bracketed = !hostport.empty() && hostport[0] == '[';
    const bool name_like = std::all_of(u.host.begin(), u.host.end(), [&](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
             (bracketed && (c == ':' || c == '%'));
    });
    // Shell and template placeholders ($HOST, %s, {host}, <ip>) are left to IsLocalHost.
    const bool placeholder = u.host.find_first_of("${%<") != std::string::npos;
    if (!u.host.empty() && (name_like || placeholder)) out.push_back(std::move(u));
  }
  return out;
}

bool IsLocalHost(std::string_view host) {
  return host == "localhost" || host.starts_with("127.") || host == "::1" || host == "0.0.0.0" ||
         host.find('$') != std::string_view::npos || host.find('%') != std::string_view::npos ||
         host.find('{') != std::string_view::npos || host.find('<') != std::string_view::npos;
}

bool IsIdentifierUrl(const Url& u) {
  static constexpr std::array<std::string_view, 10> kHosts = {
      "www.w3.org",  "w3.org",         "schemas.xmlsoap.org", "schemas.microsoft.com",
      "purl.org",    "xmlns.com",      "ns.adobe.com",        "www.apache.org",
      "www.gnu.org", "json-schema.org"};
  if (std::find(kHosts.begin(), kHosts.end(), u.host) != kHosts.end()) return true;
  return u.url.ends_with(".dtd") || u.url.ends_with(".xsd") ||
         u.url.find("/xmlns") != std::string::npos || u.host == "example.com" ||
         u.host.ends_with(".example.com") || u.host == "schemas.upnp.org";
}

bool IsTlsScheme(std::string_view scheme) {
  return scheme == "https" || scheme == "ftps" || scheme == "mqtts" || scheme == "wss" ||
         scheme == "coaps";
}

}  // namespace iotcop::firmware
