#include "protocols/securitytxt.h"
#include "core/strings.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

namespace iotcop::securitytxt {
namespace {

constexpr std::time_t kYear = 366 * 24 * 3600;

bool ValidUtf8(std::string_view s, std::size_t& bad_at) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t extra = c < 0x80           ? 0
                              : (c >> 5) == 0x6  ? 1
                              : (c >> 4) == 0xE  ? 2
                              : (c >> 3) == 0x1E ? 3
                                                 : 4;
    if (extra == 4 || extra > s.size() - i - 1) {
      bad_at = i;
      return false;
    }
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
        bad_at = i;
        return false;
      }
    }
    i += extra + 1;
  }
  return true;
}

bool IsFieldNameChar(char c) {
  // RFC 5322 field-name: printable US-ASCII except ":".
  return c > 32 && c < 127 && c != ':';
}

bool IsLanguageTag(std::string_view t) {
  // A practical subset of RFC 5646: alphanumeric subtags of 1..8 joined by '-', first 2..8 letters.
  if (t.empty()) return false;
  std::size_t start = 0;
  bool first = true;
  while (start <= t.size()) {
    std::size_t end = t.find('-', start);
    if (end == std::string_view::npos) end = t.size();
    std::string_view sub = t.substr(start, end - start);
    if (sub.empty() || sub.size() > 8) return false;
    for (char c : sub) {
      if (!std::isalnum(static_cast<unsigned char>(c))) return false;
      if (first && !std::isalpha(static_cast<unsigned char>(c))) return false;
    }
    if (first && sub.size() < 2) return false;
    first = false;
    start = end + 1;
  }
  return true;
}

std::string Scheme(std::string_view uri) {
  const auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  for (char c : uri.substr(0, colon)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return {};
  }
  return Lower(uri.substr(0, colon));
}

}  // namespace

const char* LevelName(Level l) {
  switch (l) {
    case Level::kError:
      return "error";
    case Level::kWarning:
      return "warning";
    case Level::kNote:
      return "note";
  }
  return "error";
}

bool Report::valid() const { return Count(Level::kError) == 0; }

int Report::Count(Level l) const {
  return static_cast<int>(
      std::count_if(issues.begin(), issues.end(), [l](const Issue& i) { return i.level == l; }));
}

std::optional<std::time_t> ParseRfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  auto digits = [&](std::size_t pos, std::size_t n) -> std::optional<int> {
    if (pos + n > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[pos + i]))) return std::nullopt;
      v = v * 10 + (s[pos + i] - '0');
    }
    return v;
  };
  auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2), mi = digits(14, 2),
       se = digits(17, 2);
  if (!y || !mo || !d || !h || !mi || !se || s.size() < 20) return std::nullopt;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (*mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59 || *se > 60)
    return std::nullopt;
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
    if (pos == start) return std::nullopt;
  }
  long offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    auto oh = digits(pos + 1, 2), om = digits(pos + 4, 2);
    if (!oh || !om || pos + 3 >= s.size() || s[pos + 3] != ':' || *oh > 23 || *om > 59)
      return std::nullopt;
    offset = (s[pos] == '+' ? 1 : -1) * (*oh * 3600L + *om * 60L);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = *y - 1900;
  tm.tm_mon = *mo - 1;
  tm.tm_mday = *d;
  tm.tm_hour = *h;
  tm.tm_min = *mi;
  tm.tm_sec = *se;
  const std::time_t t = timegm(&tm);
  return t - offset;
}

Report Validate(std::string_view text, const Options& options) {
  Report r;
  auto add = [&r](Level l, std::uint32_t line, std::string msg) {
    r.issues.push_back({l, line, std::move(msg)});
  };
  const std::time_t now = options.now ? options.now : std::time(nullptr);

  if (text.size() > options.max_bytes) {
    add(Level::kError, 0,
        fmt::format("file is {} bytes; refusing more than {}", text.size(), options.max_bytes));
    return r;
  }
  std::size_t bad = 0;
  if (!ValidUtf8(text, bad)) {
    add(Level::kError, 0, fmt::format("not valid UTF-8 at byte offset {}", bad));
    return r;
  }
  if (text.empty()) {
    add(Level::kError, 0, "the file is empty");
    return r;
  }

  // Split lines (LF or CRLF).
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view l = text.substr(pos, nl - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    lines.push_back(l);
    pos = nl + 1;
  }

  // An OpenPGP cleartext-signed message: header, hash armour headers, blank, body, signature block.
  std::size_t first = 0, last = lines.size();
  if (!lines.empty() && lines[0] == "-----BEGIN PGP SIGNED MESSAGE-----") {
    r.signed_message = true;
    first = 1;
    while (first < lines.size() && !lines[first].empty()) {
      if (!lines[first].starts_with("Hash:"))
        add(Level::kError, static_cast<std::uint32_t>(first + 1),
            "unexpected armour header in signed message");
      ++first;
    }
    ++first;  // the blank line
    const auto sig =
        std::find(lines.begin(), lines.end(), std::string_view("-----BEGIN PGP SIGNATURE-----"));
    const auto end =
        std::find(lines.begin(), lines.end(), std::string_view("-----END PGP SIGNATURE-----"));
    if (sig == lines.end() || end == lines.end() || end < sig) {
      add(Level::kError, 0, "signed message without a complete PGP SIGNATURE block");
    }
    last = static_cast<std::size_t>(sig - lines.begin());
  }

  std::map<std::string, int> counts;
  for (std::size_t i = first; i < last && i < lines.size(); ++i) {
    const auto lineno = static_cast<std::uint32_t>(i + 1);
    std::string_view l = lines[i];
    if (r.signed_message && l.starts_with("- ")) l.remove_prefix(2);  // dash-escaping
    if (Trim(l).empty() || l.front() == '#') continue;
    const auto colon = l.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        !std::all_of(l.begin(), l.begin() + static_cast<std::ptrdiff_t>(colon), IsFieldNameChar)) {
      add(Level::kError, lineno,
          fmt::format("not a field or comment: \"{}\"", std::string(l.substr(0, 60))));
      continue;
    }
    const std::string name(l.substr(0, colon));
    const std::string_view value = Trim(l.substr(colon + 1));
    if (colon + 1 < l.size() && l[colon + 1] != ' ' && l[colon + 1] != '\t') {
      add(Level::kWarning, lineno, "a space should follow the colon");
    }
    r.fields.push_back({name, std::string(value), lineno});
    const std::string key = Lower(name);
    ++counts[key];
    if (value.empty()) {
      add(Level::kError, lineno, name + " has no value");
      continue;
    }
    const std::string scheme = Scheme(value);
    if (key == "contact") {
      r.contacts.emplace_back(value);
      if (scheme.empty()) {
        add(Level::kError, lineno, "Contact must be a URI (https:, mailto: or tel:)");
      } else if (scheme == "http") {
        add(Level::kError, lineno, "Contact web URI must use https");
      } else if (scheme != "https" && scheme != "mailto" && scheme != "tel") {
        add(Level::kWarning, lineno, "Contact uses an unusual scheme: " + scheme);
      }
    } else if (key == "expires") {
      auto t = ParseRfc3339(value);
      if (!t) {
        add(Level::kError, lineno,
            "Expires is not an RFC 3339 date-time (e.g. 2027-01-31T23:59:59Z)");
      } else {
        r.expires = *t;
        if (*t <= now)
          add(Level::kError, lineno, "Expires is in the past: the file is stale");
        else if (*t - now > kYear)
          add(Level::kWarning, lineno, "Expires is more than a year ahead (RFC 9116 advises less)");
      }
    } else if (key == "encryption" || key == "acknowledgments" || key == "canonical" ||
               key == "hiring" || key == "policy" || key == "csaf") {
      if (scheme.empty())
        add(Level::kError, lineno, name + " must be a URI");
      else if (scheme == "http")
        add(Level::kError, lineno, name + " web URI must use https");
    } else if (key == "acknowledgements") {
      add(Level::kWarning, lineno,
          "\"Acknowledgements\" is not the RFC 9116 field name (Acknowledgments)");
    } else if (key == "preferred-languages") {
      std::size_t start = 0;
      const std::string v(value);
      while (start <= v.size()) {
        std::size_t end = v.find(',', start);
        if (end == std::string::npos) end = v.size();
        const std::string_view tag = Trim(std::string_view(v).substr(start, end - start));
        if (!IsLanguageTag(tag))
          add(Level::kError, lineno, fmt::format("\"{}\" is not a language tag", std::string(tag)));
        start = end + 1;
      }
    } else {
      add(Level::kNote, lineno, "unknown field " + name + " (ignored, as RFC 9116 says)");
    }
  }

  if (counts["contact"] == 0) add(Level::kError, 0, "no Contact field (required)");
  if (counts["expires"] == 0) add(Level::kError, 0, "no Expires field (required)");
  if (counts["expires"] > 1) add(Level::kError, 0, "Expires appears more than once");
  if (counts["preferred-languages"] > 1)
    add(Level::kError, 0, "Preferred-Languages appears more than once");
  if (!options.fetched_from.empty() && counts["canonical"] > 0) {
    bool listed = false;
    for (const auto& f : r.fields)
      if (Lower(f.name) == "canonical" && f.value == options.fetched_from) listed = true;
    if (!listed) add(Level::kWarning, 0, "no Canonical field names " + options.fetched_from);
  }
  if (!r.signed_message)
    add(Level::kNote, 0, "not signed (RFC 9116 recommends an OpenPGP cleartext signature)");
  std::stable_sort(r.issues.begin(), r.issues.end(),
                   [](const Issue& a, const Issue& b) { return a.line < b.line; });
  return r;
}

void to_json(nlohmann::json& j, const Report& r) {
  nlohmann::json fields = nlohmann::json::array();
  for (const auto& f : r.fields)
    fields.push_back({{"name", f.name}, {"value", f.value}, {"line", f.line}});
  nlohmann::json issues = nlohmann::json::array();
  for (const auto& i : r.issues)
    issues.push_back({{"level", LevelName(i.level)}, {"line", i.line}, {"message", i.message}});
  j = {{"valid", r.valid()},
       {"signed", r.signed_message},
       {"contacts", r.contacts},
       {"fields", fields},
       {"issues", issues}};
  j["expires"] = r.expires ? nlohmann::json(*r.expires) : nlohmann::json();
}

}  // namespace iotcop::securitytxt
