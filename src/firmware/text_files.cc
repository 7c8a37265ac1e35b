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

void ForEachCodeLine(std::string_view text,
                     const std::function<void(std::uint32_t, std::string_view)>& fn) {
  std::uint32_t no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++no;
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';' || line.starts_with("//")) continue;
    // A '#' after whitespace starts a comment unless it is inside quotes.
    char quote = 0;
    for (std::size_t i = 1; i < line.size(); ++i) {
      const char c = line[i];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '#' && std::isspace(static_cast<unsigned char>(line[i - 1]))) {
        line = Trim(line.substr(0, i));
        break;
      }
    }
    if (!line.empty()) fn(no, line);
  }
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
    if (!u.host.empty()) out.push_back(std::move(u));
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
