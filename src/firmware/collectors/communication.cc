// Communication collector: what the product's configs and scripts say about how it talks to the
// network. Every remote URL becomes an `endpoint` fact (scheme, host, purpose: update, cloud,
// mqtt or other, whether TLS protects it); TLS certificate verification switched off (curl -k,
// wget --no-check-certificate, verify=0, ssl_verify no, tls_insecure true), obsolete protocol
// versions (SSLv2/3, TLS 1.0/1.1) and weak ciphers (RC4, DES, NULL, EXPORT, MD5) in server and
// client configs become `comm_setting` facts. Only what a program reads as an address is an
// endpoint: values in configuration files, code (strings of shell, Lua, JavaScript...), fetch
// commands (wget, curl, uclient-fetch) and opkg feeds. Not endpoints: comments of each language
// (shell and ini #, Lua -- and --[[ ]], C-like // and /* */, HTML <!-- -->), files written for
// people (IsProseFile: documentation, licences, man pages, login banners, help pages), strings of
// binaries (only text files are read: a binary's string table mixes help text, format strings
// and URLs it never opens; the live probes and captures see what it really contacts), local
// addresses and XML namespace or DTD URLs.
#include <array>
#include <regex>
#include <set>

#include "core/fact_kinds.h"
#include "core/strings.h"
#include "firmware/collector.h"
#include "firmware/text_files.h"

namespace iotcop::firmware {
namespace {

const std::regex& InsecureRe() {
  static const std::regex re(
      R"((\bcurl\b.*\s(-k|--insecure)\b)|(\bwget\b.*--no-check-certificate)|(\b(ssl_?verify|verify_?peer|verify_?ssl|tls_?verify|ssl_verify_?peer|check_?cert(ificate)?|verify)\s*[=:]?\s*["']?(0|false|no|off|none)["']?\s*$)|(\btls_insecure\s*[=:]?\s*["']?(true|1|yes)\b)|(\binsecure\s*[=:]\s*["']?(true|1|yes)\b)|(CURLOPT_SSL_VERIFY(PEER|HOST)\s*,\s*0))",
      std::regex::ECMAScript | std::regex::icase);
  return re;
}

// Configuration keys that name TLS protocol versions or cipher lists.
const std::regex& ProtocolKeyRe() {
  static const std::regex re(
      R"(^\s*(ssl_protocols|sslVersion\w*|MinProtocol|SSLProtocol|tls_version|ssl\.openssl\.ssl-conf-cmd|ssl-min-ver|ssl\.use-sslv[23]|options)\b)",
      std::regex::ECMAScript | std::regex::icase);
  return re;
}
const std::regex& CipherKeyRe() {
  static const std::regex re(
      R"(^\s*(ssl_ciphers|ssl\.cipher-list|ciphers|CipherString|SSLCipherSuite|tls_ciphers|ssl_cipher_list)\b)",
      std::regex::ECMAScript | std::regex::icase);
  return re;
}

// Weak protocol versions named (and not excluded with ! or -) in a line.
std::vector<std::string> WeakProtocols(const std::string& line) {
  std::vector<std::string> out;
  std::string lower = line;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.find("ssl.use-sslv3") != std::string::npos ||
      lower.find("ssl.use-sslv2") != std::string::npos) {
    if (lower.find("enable") != std::string::npos)
      out.push_back(lower.find("sslv3") != std::string::npos ? "SSLv3" : "SSLv2");
    return out;
  }
  static const std::regex tok(R"(([!\-+]?)(sslv2|sslv3|tlsv1(\.[0-3])?|tls1(\.[0-3]|_[0-3])?)\b)",
                              std::regex::ECMAScript);
  for (auto it = std::sregex_iterator(lower.begin(), lower.end(), tok);
       it != std::sregex_iterator(); ++it) {
    const std::string neg = (*it)[1];
    std::string v = (*it)[2];
    if (neg == "!" || neg == "-") continue;
    if (v.find("1.2") != std::string::npos || v.find("1.3") != std::string::npos ||
        v.find("1_2") != std::string::npos || v.find("1_3") != std::string::npos) {
      continue;
    }
    // "MinProtocol = TLSv1" allows 1.0 and up: weak; "ssl_protocols TLSv1.2" handled above.
    out.push_back(v);
  }
  return out;
}

std::vector<std::string> WeakCiphers(const std::string& value) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty() && cur[0] != '!' && cur[0] != '-') {
      std::string up = cur;
      for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      for (const char* bad : {"RC4", "DES", "NULL", "EXPORT", "EXP-", "MD5", "ANON"}) {
        if (up.find(bad) != std::string::npos) {
          out.push_back(cur);
          break;
        }
      }
    }
    cur.clear();
  };
  for (char c : value) {
    if (c == ':' || c == ',' || c == ' ' || c == '"' || c == '\'' || c == ';' || c == '=') {
      flush();
    } else {
      cur.push_back(c);
    }
  }
  flush();
  return out;
}

std::string Purpose(const Url& u, std::string_view line, std::string_view path) {
  std::string l(line);
  l += " ";
  l += path;
  for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (u.scheme.starts_with("mqtt") || l.find("mqtt") != std::string::npos) return "mqtt";
  for (const char* w : {"update", "upgrade", "firmware", "fw-", "fw_", "ota", "opkg", "src/gz"}) {
    if (l.find(w) != std::string::npos) return "update";
  }
  for (const char* w : {"cloud", "api", "server", "upload", "report", "telemetry", "push"}) {
    if (l.find(w) != std::string::npos) return "cloud";
  }
  return "other";
}

// True when the URL at `pos` is inside a quoted string that has text before it ("See
// http://... for help", "eg. ftp://...", "<a href=...>"): a sentence or markup for people, not
// an address a program reads. A string that is the URL, or an option before it
// ("--url=http://..."), and a fetch command quoted for sh -c ("wget http://...") still count.
bool InProseString(std::string_view line, std::size_t pos) {
  char quote = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < pos && i < line.size(); ++i) {
    const char c = line[i];
    if (quote) {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'' || c == '`') {
      quote = c;
      start = i + 1;
    }
  }
  if (!quote) return false;
  const std::string_view before = Trim(line.substr(start, pos - start));
  if (before.empty()) return false;
  if (before.find_first_of(" \t<>") == std::string_view::npos && before.back() == '=') return false;
  return !MentionsAny(before,
                      {"wget", "curl", "uclient-fetch", "tftp", "ftpget", "src/gz", "src "});
}

class CommunicationCollector : public Collector {
 public:
  const CollectorDoc& doc() const override { return doc_; }

  void Collect(const FirmwareInput& in, FactStore& facts, std::vector<Problem>&) const override {
    std::set<std::string> seen_urls;
    ForEachTextFile(in, [&](const unpack::Entry& e, std::string_view text) {
      // Documentation, licences, banners and help pages mention URLs for people, not as
      // endpoints; the comments of each language are removed from what is left.
      if (IsProseFile(e.path)) return;
      ForEachCodeLine(
          text,
          [&](std::uint32_t no, std::string_view line) {
            const std::string l(line);
            for (const auto& u : FindUrls(line)) {
              if (IsLocalHost(u.host) || IsIdentifierUrl(u) || InProseString(line, u.pos)) continue;
              if (!seen_urls.insert(e.path + '\0' + u.url).second) continue;
              const bool tls = IsTlsScheme(u.scheme);
              nlohmann::json v = {{"url", u.url},
                                  {"scheme", u.scheme},
                                  {"host", u.host},
                                  {"port", u.port},
                                  {"purpose", Purpose(u, line, e.path)},
                                  {"tls", tls},
                                  {"file", e.path}};
              facts.Add(facts::kEndpoint, v, FileEvidence(in, e, no, l), doc_.name);
            }
            std::smatch m;
            if (MentionsAny(line, {"curl", "wget", "verify", "insecure", "check_cert"}) &&
                std::regex_search(l, m, InsecureRe())) {
              facts.Add(facts::kCommSetting,
                        {{"setting", "tls-verification-off"},
                         {"value", m.str(0)},
                         {"meaning", "TLS certificates are not verified: any server is accepted"},
                         {"file", e.path}},
                        FileEvidence(in, e, no, l), doc_.name);
            }
            if (!MentionsAny(line, {"ssl", "tls", "protocol", "cipher", "options"})) return;
            if (std::regex_search(l, ProtocolKeyRe())) {
              for (const auto& p : WeakProtocols(l)) {
                facts.Add(facts::kCommSetting,
                          {{"setting", "weak-protocol"},
                           {"value", p},
                           {"meaning", "obsolete TLS/SSL protocol version enabled"},
                           {"file", e.path}},
                          FileEvidence(in, e, no, l), doc_.name);
              }
            }
            if (std::regex_search(l, m, CipherKeyRe())) {
              const auto weak = WeakCiphers(m.suffix().str());
              if (!weak.empty()) {
                std::string list;
                for (const auto& w : weak) list += (list.empty() ? "" : ":") + w;
                facts.Add(facts::kCommSetting,
                          {{"setting", "weak-cipher"},
                           {"value", list},
                           {"meaning", "weak or broken cipher suites enabled"},
                           {"file", e.path}},
                          FileEvidence(in, e, no, l), doc_.name);
              }
            }
          },
          CommentSyntaxOf(e.path, text));
    });
  }

 private:
  CollectorDoc doc_{"communication",
                    "network endpoints in configs and scripts, disabled TLS verification, weak "
                    "TLS protocols and ciphers",
                    {facts::kEndpoint, facts::kCommSetting}};
};

}  // namespace

std::unique_ptr<const Collector> MakeCommunicationCollector() {
  return std::make_unique<CommunicationCollector>();
}

}  // namespace iotcop::firmware
