// File: credentials/passwords.h
// Password material: the default-credential dictionary (rules/default-credentials.csv plus the
// user's --credentials files), crypt(3) hash schemes, and verification of a hash against the
// dictionary with libcrypt's crypt_r (DES, MD5, SHA-256, SHA-512, bcrypt, yescrypt).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/assessment.h"
#include "core/result.h"

namespace iotcop::credentials {

struct DefaultCredential {
  std::string username;  // may be empty: the password is tried for every user
  std::string password;
  std::string source;  // "mirai", "TP-Link", the user's file name...
};

// Parses a CSV of username,password[,source] (a header line naming "username" is skipped;
// `default_source` fills a missing source). Bounded to 100000 lines; an Error names the file.
Result<std::vector<DefaultCredential>> LoadCredentialFile(const std::string& path,
                                                          const std::string& default_source);
// The built-in dictionary plus `extra` files, deduplicated (first source wins). Problems with
// extra files are appended to `errors`.
std::vector<DefaultCredential> LoadDictionary(const std::vector<std::string>& extra,
                                              std::vector<std::string>& errors);

// The dictionary a firmware collector uses: built-in plus config->extra_credentials_files
// (--credentials); a list that cannot be read becomes a warning naming `collector`.
std::vector<DefaultCredential> DictionaryFor(const CheckConfig* config, const std::string& input,
                                             const std::string& collector,
                                             std::vector<Problem>& problems);

// The scheme of a crypt(3) string: des, bsdi, md5, sha256, sha512, bcrypt, yescrypt, gost,
// sunmd5, apr1, or "" when it is not a hash.
std::string HashScheme(std::string_view hash);
// DES and MD5 (and apr1, bsdi) are weak: fast to brute force.
bool IsWeakScheme(std::string_view scheme);

// True when crypt_r(password, hash) reproduces `hash`.
bool VerifyCrypt(const std::string& password, const std::string& hash);

struct CrackResult {
  std::optional<DefaultCredential> match;
  bool exhausted = true;  // false: the time budget ran out before every candidate was tried
  std::size_t tried = 0;
};
// Tries the dictionary against `hash`: the username's own entries first, then every distinct
// password. Stops after `budget`.
CrackResult CrackHash(const std::string& hash, std::string_view username,
                      const std::vector<DefaultCredential>& dict,
                      std::chrono::milliseconds budget = std::chrono::milliseconds(3000));
// The dictionary entry equal to a plaintext password (username's own first), if any.
std::optional<DefaultCredential> MatchPlaintext(std::string_view password,
                                                std::string_view username,
                                                const std::vector<DefaultCredential>& dict);

// A credential written on a command line: `-u user:pass`, `--password=X`, `-pw X`,
// `http_passwd=X`, `scheme://user:pass@host`.
struct ArgCredential {
  std::size_t index = 0;  // argv index of the word holding the password
  std::string user;       // may be empty
  std::string password;
  std::string option;  // how it was given: "-u", "--password", "http_passwd", "url"
};
std::vector<ArgCredential> CredentialsInArgs(const std::vector<std::string>& argv);
// argv with every password found by CredentialsInArgs redacted.
std::vector<std::string> RedactedArgs(const std::vector<std::string>& argv);
// The command line joined by spaces with every password found by CredentialsInArgs redacted.
std::string RedactedCommand(const std::vector<std::string>& argv);

}  // namespace iotcop::credentials
