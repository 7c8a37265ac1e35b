// File: protocols/securitytxt.h
// A validator for security.txt (RFC 9116): the machine-readable pointer to a vendor's vulnerability
// disclosure contact (guideline 2, EN 303 645 5.2-1). Used by `iotcop securitytxt`, the firmware
// disclosure collector, the declaration checks and the live-device probe.
//
// Checked: UTF-8; line grammar (field ":" value, "#" comments, blank lines); Contact present, each
// an https:, mailto: or tel: URI; exactly one Expires, RFC 3339, in the future and (advised) within
// a year; web URIs of Encryption, Acknowledgments, Canonical, Hiring, Policy, CSAF use https;
// Preferred-Languages at most once with well-formed tags; Canonical lists the URL it was fetched
// from (when known); an OpenPGP cleartext signature is recognised (structure only: the key is the
// reader's to trust). Unknown fields are reported as notes, as the RFC says to ignore them.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace iotcop::securitytxt {

enum class Level { kError, kWarning, kNote };
const char* LevelName(Level l);

struct Issue {
  Level level = Level::kError;
  std::uint32_t line = 0;  // 1-based; 0 = the file as a whole
  std::string message;
};

struct Field {
  std::string name;  // as written
  std::string value;
  std::uint32_t line = 0;
};

struct Report {
  std::vector<Field> fields;
  std::vector<Issue> issues;
  std::vector<std::string> contacts;
  std::optional<std::time_t> expires;
  bool signed_message = false;
  bool valid() const;  // no errors
  int Count(Level l) const;
};

struct Options {
  std::time_t now = 0;                // 0 = the current time
  std::string fetched_from;           // the URL it was fetched from, for the Canonical check
  std::size_t max_bytes = 32 * 1024;  // the RFC sets no limit; anything larger is refused
};

Report Validate(std::string_view text, const Options& options = {});

// RFC 3339 date-time -> UTC seconds; nullopt if malformed.
std::optional<std::time_t> ParseRfc3339(std::string_view s);

void to_json(nlohmann::json& j, const Report& r);

}  // namespace iotcop::securitytxt
