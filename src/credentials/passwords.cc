#include "credentials/passwords.h"

#include <crypt.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <utility>

#include "core/evidence.h"
#include "core/paths.h"
#include "core/strings.h"

namespace iotcop::credentials {

namespace {

// Splits one CSV line (RFC 4180 quoting) into fields.
std::vector<std::string> CsvFields(std::string_view line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back().push_back(c);
    }
  }
  return out;
}

}  // namespace

Result<std::vector<DefaultCredential>> LoadCredentialFile(const std::string& path,
                                                          const std::string& default_source) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(Errc::kIo, "cannot open the credential list", path);
  std::vector<DefaultCredential> out;
  std::string line;
  std::uint64_t number = 0;
  while (std::getline(in, line) && number < 100000) {
    ++number;
    const std::string_view t = Trim(line);
    if (t.empty() || t.front() == '#') continue;
    auto f = CsvFields(t);
    if (number == 1 && (f[0] == "username" || f[0] == "user")) continue;
    if (f.size() < 2) {
      return MakeError(Errc::kCorrupt,
                       "line " + std::to_string(number) + ": expected username,password[,source]",
                       path);
    }
    DefaultCredential c{f[0], f[1], f.size() > 2 && !f[2].empty() ? f[2] : default_source};
    // The Mirai reference list has a numeric weight in the third column, not a source.
    if (!c.source.empty() && c.source.find_first_not_of("0123456789") == std::string::npos)
      c.source = default_source;
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<DefaultCredential> LoadDictionary(const std::vector<std::string>& extra,
                                              std::vector<std::string>& errors) {
  std::vector<DefaultCredential> all;
  const std::string builtin = (DataDir() / "rules" / "default-credentials.csv").string();
  auto add = [&](const std::string& path, const std::string& source) {
    auto r = LoadCredentialFile(path, source);
    if (!r) {
      errors.push_back(r.error().Describe());
      return;
    }
    for (auto& c : *r) all.push_back(std::move(c));
  };
  add(builtin, "iotcop dictionary");
  for (const auto& f : extra) add(f, std::filesystem::path(f).filename().string());
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<DefaultCredential> out;
  for (auto& c : all) {
    if (seen.insert({c.username, c.password}).second) out.push_back(std::move(c));
  }
  return out;
}

std::vector<DefaultCredential> DictionaryFor(const CheckConfig* config, const std::string& input,
                                             const std::string& collector,
                                             std::vector<Problem>& problems) {
  std::vector<std::string> errors;
  auto dict =
      LoadDictionary(config ? config->extra_credentials_files : std::vector<std::string>{}, errors);
  for (auto& e : errors)
    problems.push_back({"warning", "collect", input, "", std::nullopt, collector + ": " + e});
  return dict;
}

std::string HashScheme(std::string_view h) {
  if (h.starts_with("$1$")) return "md5";
  if (h.starts_with("$apr1$")) return "apr1";
  if (h.starts_with("$5$")) return "sha256";
  if (h.starts_with("$6$")) return "sha512";
  if (h.starts_with("$2a$") || h.starts_with("$2b$") || h.starts_with("$2y$")) return "bcrypt";
  if (h.starts_with("$y$")) return "yescrypt";
  if (h.starts_with("$gy$")) return "gost-yescrypt";
  if (h.starts_with("$7$")) return "scrypt";
  if (h.starts_with("$md5")) return "sunmd5";
  if (h.size() == 20 && h[0] == '_') return "bsdi";
  static constexpr std::string_view kDesChars =
      "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  if (h.size() == 13 && h.find_first_not_of(kDesChars) == std::string_view::npos) return "des";
  return "";
}

bool IsWeakScheme(std::string_view s) {
  return s == "des" || s == "md5" || s == "apr1" || s == "bsdi";
}

bool VerifyCrypt(const std::string& password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();
  std::memset(data.get(), 0, sizeof(crypt_data));
  const char* out = crypt_r(password.c_str(), hash.c_str(), data.get());
  // libxcrypt returns "*0"/"*1" (or NULL) for an invalid setting: never a match.
  return out && out[0] != '*' && hash == out;
}

CrackResult CrackHash(const std::string& hash, std::string_view username,
                      const std::vector<DefaultCredential>& dict,
                      std::chrono::milliseconds budget) {
  CrackResult r;
  const auto deadline = std::chrono::steady_clock::now() + budget;
  std::set<std::string> tried;
  auto attempt = [&](const DefaultCredential& c) -> bool {
    if (!tried.insert(c.password).second) return false;
    if (std::chrono::steady_clock::now() > deadline) {
      r.exhausted = false;
      return false;
    }
    ++r.tried;
    if (!VerifyCrypt(c.password, hash)) return false;
    r.match = c;
    if (r.match->username != username) r.match->username = std::string(username);
    return true;
  };
  for (const auto& c : dict) {
    if (c.username == username && attempt(c)) return r;
  }
  for (const auto& c : dict) {
    if (attempt(c)) return r;
  }
  return r;
}

std::optional<DefaultCredential> MatchPlaintext(std::string_view password,
                                                std::string_view username,
                                                const std::vector<DefaultCredential>& dict) {
  const DefaultCredential* any = nullptr;
  for (const auto& c : dict) {
    if (c.password != password) continue;
    if (c.username == username) return c;
    if (!any) any = &c;
  }
  if (any) return *any;
  return std::nullopt;
}

namespace {

bool PasswordKey(std::string_view key) {
  std::string k(key);
  for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!k.empty() && k.front() == '-') k.erase(0, 1);
  return k.find("passw") != std::string::npos || k == "pass" || k == "pw" || k == "pwd" ||
         k.ends_with("_pass") || k.ends_with("_pwd");
}

}  // namespace

std::vector<ArgCredential> CredentialsInArgs(const std::vector<std::string>& argv) {
  std::vector<ArgCredential> out;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "-u" && i + 1 < argv.size()) {
      const std::string& v = argv[i + 1];
      const auto colon = v.find(':');
      if (colon != std::string::npos && colon > 0 && colon + 1 < v.size())
        out.push_back({i + 1, v.substr(0, colon), v.substr(colon + 1), "-u"});
      ++i;
      continue;
    }
    if (a.starts_with('-') && PasswordKey(a) && a.find('=') == std::string::npos &&
        i + 1 < argv.size()) {
      out.push_back({i + 1, "", argv[i + 1], a});
      ++i;
      continue;
    }
    if (const auto eq = a.find('=');
        eq != std::string::npos && eq > 0 && PasswordKey(a.substr(0, eq))) {
      if (eq + 1 < a.size()) out.push_back({i, "", a.substr(eq + 1), a.substr(0, eq)});
      continue;
    }
    // scheme://user:pass@host
    if (const auto sep = a.find("://"); sep != std::string::npos) {
      const auto at = a.find('@', sep + 3);
      const auto colon = a.find(':', sep + 3);
      if (at != std::string::npos && colon != std::string::npos && colon < at && colon + 1 < at)
        out.push_back(
            {i, a.substr(sep + 3, colon - sep - 3), a.substr(colon + 1, at - colon - 1), "url"});
    }
  }
  return out;
}

std::vector<std::string> RedactedArgs(const std::vector<std::string>& argv) {
  std::vector<std::string> words = argv;
  for (const ArgCredential& c : CredentialsInArgs(argv)) {
    std::string& w = words[c.index];
    const auto pos = w.rfind(c.password);
    if (pos != std::string::npos) w.replace(pos, c.password.size(), Redact(c.password));
  }
  return words;
}

std::string RedactedCommand(const std::vector<std::string>& argv) {
  std::string out;
  const std::vector<std::string> words = RedactedArgs(argv);
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

}  // namespace iotcop::credentials
