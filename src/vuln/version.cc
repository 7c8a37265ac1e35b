#include "vuln/version.h"

#include <cctype>
#include <cstdint>
#include <optional>
#include <vector>

namespace iotcop::vuln {
namespace {

struct Token {
  enum Kind { kNumber, kPre, kLetter } kind;
  std::string text;  // numbers without leading zeros
  int pre_rank = 0;  // dev < alpha < beta < pre < rc
};

int PreRank(std::string_view w, bool digit_follows) {
  if (w == "dev" || w == "snapshot") return 1;
  if (w == "alpha" || (w == "a" && digit_follows)) return 2;
  if (w == "beta" || (w == "b" && digit_follows)) return 3;
  if (w == "pre" || w == "preview") return 4;
  if (w == "rc" || w == "cr") return 5;
  return 0;
}

std::vector<Token> Tokenize(std::string_view v) {
  if (!v.empty() && (v[0] == 'v' || v[0] == 'V') && v.size() > 1 &&
      std::isdigit(static_cast<unsigned char>(v[1]))) {
    v.remove_prefix(1);
  }
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < v.size()) {
    const unsigned char c = static_cast<unsigned char>(v[i]);
    if (std::isdigit(c)) {
      std::size_t j = i;
      while (j < v.size() && std::isdigit(static_cast<unsigned char>(v[j]))) ++j;
      std::string n(v.substr(i, j - i));
      const auto nz = n.find_first_not_of('0');
      n = nz == std::string::npos ? "0" : n.substr(nz);
      out.push_back({Token::kNumber, n, 0});
      i = j;
    } else if (std::isalpha(c)) {
      std::size_t j = i;
      while (j < v.size() && std::isalpha(static_cast<unsigned char>(v[j]))) ++j;
      std::string w(v.substr(i, j - i));
      for (auto& ch : w) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      const bool digit_follows = j < v.size() && std::isdigit(static_cast<unsigned char>(v[j]));
      const int rank = PreRank(w, digit_follows);
      out.push_back({rank ? Token::kPre : Token::kLetter, w, rank});
      i = j;
    } else if (c == '~') {
      // Debian's "sorts before anything": a pre-release marker.
      out.push_back({Token::kPre, "~", 0});
      ++i;
    } else {
      ++i;  // separators . - _ + and anything else
    }
  }
  return out;
}

int CompareNumbers(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b) < 0 ? -1 : a.compare(b) > 0 ? 1 : 0;
}

// How a token compares with "nothing here" (the other version ended).
int AgainstEnd(const Token& t) {
  switch (t.kind) {
    case Token::kNumber:
      return t.text == "0" ? 0 : 1;
    case Token::kPre:
      return -1;
    case Token::kLetter:
      return 1;
  }
  return 0;
}

}  // namespace

int CompareVersions(std::string_view a, std::string_view b) {
  const auto ta = Tokenize(a), tb = Tokenize(b);
  const std::size_t n = std::max(ta.size(), tb.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (i >= ta.size()) {
      // Trailing zeros on the longer side do not matter: 1.0 == 1.0.0.
      const int r = AgainstEnd(tb[i]);
      if (r != 0) return -r;
      continue;
    }
    if (i >= tb.size()) {
      const int r = AgainstEnd(ta[i]);
      if (r != 0) return r;
      continue;
    }
    const Token& x = ta[i];
    const Token& y = tb[i];
    if (x.kind == Token::kNumber && y.kind == Token::kNumber) {
      if (int r = CompareNumbers(x.text, y.text)) return r;
      continue;
    }
    if (x.kind != y.kind) {
      // pre-release < letter < number
      auto order = [](Token::Kind k) { return k == Token::kPre ? 0 : k == Token::kLetter ? 1 : 2; };
      return order(x.kind) < order(y.kind) ? -1 : 1;
    }
    if (x.kind == Token::kPre && x.pre_rank != y.pre_rank) return x.pre_rank < y.pre_rank ? -1 : 1;
    if (int r = x.text.compare(y.text)) return r < 0 ? -1 : 1;
  }
  return 0;
}

std::string UpstreamVersion(std::string_view v) {
  if (auto colon = v.find(':'); colon != std::string_view::npos && colon < 6) {
    bool digits = colon > 0;
    for (std::size_t i = 0; i < colon; ++i) {
      digits = digits && std::isdigit(static_cast<unsigned char>(v[i]));
    }
    if (digits) v.remove_prefix(colon + 1);
  }
  // The package revision starts at the first '-' after a dotted upstream version that is
  // followed by a digit ("-4", "-1ubuntu2", "-1-d6597eb" of OpenWrt kernels) or "r<digit>".
  for (std::size_t dash = v.find('-'); dash != std::string_view::npos;
       dash = v.find('-', dash + 1)) {
    const std::string_view head = v.substr(0, dash), rev = v.substr(dash + 1);
    if (head.find('.') == std::string_view::npos || rev.empty()) continue;
    const bool digit = std::isdigit(static_cast<unsigned char>(rev[0]));
    const bool r_digit =
        rev[0] == 'r' && rev.size() > 1 && std::isdigit(static_cast<unsigned char>(rev[1]));
    if (digit || r_digit) return std::string(head);
  }
  return std::string(v);
}

namespace {

// dpkg's verrevcmp (lib/dpkg/version.c): letters sort before non-letters, '~' before everything,
// even the end of the part; digit runs compare numerically.
int DpkgOrder(int c) {
  if (std::isdigit(c)) return 0;
  if (std::isalpha(c)) return c;
  if (c == '~') return -1;
  if (c) return c + 256;
  return 0;
}

int DpkgPartCompare(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    int first_diff = 0;
    while ((i < a.size() && !std::isdigit(static_cast<unsigned char>(a[i]))) ||
           (j < b.size() && !std::isdigit(static_cast<unsigned char>(b[j])))) {
      const int ac = i < a.size() ? DpkgOrder(static_cast<unsigned char>(a[i])) : 0;
      const int bc = j < b.size() ? DpkgOrder(static_cast<unsigned char>(b[j])) : 0;
      if (ac != bc) return ac < bc ? -1 : 1;
      ++i;
      ++j;
    }
    while (i < a.size() && a[i] == '0') ++i;
    while (j < b.size() && b[j] == '0') ++j;
    while (i < a.size() && std::isdigit(static_cast<unsigned char>(a[i])) && j < b.size() &&
           std::isdigit(static_cast<unsigned char>(b[j]))) {
      if (!first_diff) first_diff = a[i] - b[j];
      ++i;
      ++j;
    }
    if (i < a.size() && std::isdigit(static_cast<unsigned char>(a[i]))) return 1;
    if (j < b.size() && std::isdigit(static_cast<unsigned char>(b[j]))) return -1;
    if (first_diff) return first_diff < 0 ? -1 : 1;
  }
  return 0;
}

struct DpkgVersion {
  std::uint64_t epoch = 0;
  std::string_view upstream, revision;
};

DpkgVersion SplitDpkg(std::string_view v) {
  DpkgVersion out;
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (const auto colon = v.find(':'); colon != std::string_view::npos) {
    std::uint64_t e = 0;
    bool digits = colon > 0 && colon <= 9;
    for (std::size_t i = 0; digits && i < colon; ++i) {
      digits = std::isdigit(static_cast<unsigned char>(v[i])) != 0;
      e = e * 10 + static_cast<std::uint64_t>(v[i] - '0');
    }
    if (digits) {
      out.epoch = e;
      v.remove_prefix(colon + 1);
    }
  }
  if (const auto dash = v.rfind('-'); dash != std::string_view::npos) {
    out.revision = v.substr(dash + 1);
    v = v.substr(0, dash);
  }
  out.upstream = v;
  return out;
}

// apk-tools' version grammar (apk-spec(5), the Gentoo-derived rules): numbers separated by '.',
// one optional letter, suffixes _alpha _beta _pre _rc (before the release) and _cvs _svn _git _hg
// _p (after it), each with an optional number, then an optional -r<revision>.
struct ApkVersion {
  std::vector<std::string> numbers;
  char letter = 0;
  std::vector<std::pair<int, std::uint64_t>> suffixes;  // rank (<0 pre, >0 post), number
  std::uint64_t revision = 0;
};

int ApkSuffixRank(std::string_view s) {
  static constexpr std::pair<std::string_view, int> kRanks[] = {
      {"alpha", -4}, {"beta", -3}, {"pre", -2}, {"rc", -1}, {"cvs", 1},
      {"svn", 2},    {"git", 3},   {"hg", 4},   {"p", 5}};
  for (const auto& [name, rank] : kRanks)
    if (s == name) return rank;
  return 0;
}

bool ApkDigits(std::string_view s, std::size_t& i, std::string& out) {
  const std::size_t start = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  out = std::string(s.substr(start, i - start));
  return i > start && i - start <= 18;
}

std::optional<ApkVersion> ParseApk(std::string_view s) {
  ApkVersion v;
  std::size_t i = 0;
  std::string n;
  if (!ApkDigits(s, i, n)) return std::nullopt;
  v.numbers.push_back(n);
  while (i < s.size() && s[i] == '.') {
    ++i;
    if (!ApkDigits(s, i, n)) return std::nullopt;
    v.numbers.push_back(n);
  }
  if (i < s.size() && std::islower(static_cast<unsigned char>(s[i]))) v.letter = s[i++];
  while (i < s.size() && s[i] == '_') {
    const std::size_t start = ++i;
    while (i < s.size() && std::islower(static_cast<unsigned char>(s[i]))) ++i;
    const int rank = ApkSuffixRank(s.substr(start, i - start));
    if (!rank) return std::nullopt;
    std::uint64_t num = 0;
    if (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (!ApkDigits(s, i, n)) return std::nullopt;
      num = std::stoull(n);
    }
    v.suffixes.emplace_back(rank, num);
  }
  if (i + 2 < s.size() + 1 && s.substr(i).starts_with("-r")) {
    i += 2;
    if (!ApkDigits(s, i, n)) return std::nullopt;
    v.revision = std::stoull(n);
  }
  if (i != s.size()) return std::nullopt;
  return v;
}

int Sign(std::int64_t x) { return x < 0 ? -1 : x > 0 ? 1 : 0; }

}  // namespace

int CompareDpkgVersions(std::string_view a, std::string_view b) {
  const DpkgVersion x = SplitDpkg(a), y = SplitDpkg(b);
  if (x.epoch != y.epoch) return x.epoch < y.epoch ? -1 : 1;
  if (int r = DpkgPartCompare(x.upstream, y.upstream)) return r;
  return DpkgPartCompare(x.revision, y.revision);
}

int CompareApkVersions(std::string_view a, std::string_view b) {
  const auto x = ParseApk(a), y = ParseApk(b);
  if (!x || !y) return CompareVersions(a, b);
  const std::size_t n = std::min(x->numbers.size(), y->numbers.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::string &p = x->numbers[i], &q = y->numbers[i];
    // After the first number, a part with a leading zero compares as a fraction (1.01 < 1.1).
    if (i > 0 && (p.starts_with('0') || q.starts_with('0'))) {
      std::string_view ps = p, qs = q;
      while (!ps.empty() && ps.back() == '0') ps.remove_suffix(1);
      while (!qs.empty() && qs.back() == '0') qs.remove_suffix(1);
      if (int r = ps.compare(qs)) return Sign(r);
      continue;
    }
    if (int r = CompareNumbers(p.substr(std::min(p.find_first_not_of('0'), p.size() - 1)),
                               q.substr(std::min(q.find_first_not_of('0'), q.size() - 1))))
      return r;
  }
  if (x->numbers.size() != y->numbers.size()) return x->numbers.size() < y->numbers.size() ? -1 : 1;
  if (x->letter != y->letter) return x->letter < y->letter ? -1 : 1;
  const std::size_t m = std::max(x->suffixes.size(), y->suffixes.size());
  for (std::size_t i = 0; i < m; ++i) {
    // A missing suffix is the release: after every pre-release suffix, before every post one.
    const auto sx = i < x->suffixes.size() ? x->suffixes[i] : std::pair<int, std::uint64_t>{0, 0};
    const auto sy = i < y->suffixes.size() ? y->suffixes[i] : std::pair<int, std::uint64_t>{0, 0};
    if (sx.first != sy.first) return sx.first < sy.first ? -1 : 1;
    if (sx.second != sy.second) return sx.second < sy.second ? -1 : 1;
  }
  if (x->revision != y->revision) return x->revision < y->revision ? -1 : 1;
  return 0;
}

VersionScheme SchemeOfEcosystem(std::string_view ecosystem) {
  const std::string_view family = ecosystem.substr(0, ecosystem.find(':'));
  if (family == "Debian" || family == "Ubuntu" || family == "OpenWrt") return VersionScheme::kDpkg;
  if (family == "Alpine") return VersionScheme::kApk;
  return VersionScheme::kGeneric;
}

int CompareVersions(std::string_view a, std::string_view b, VersionScheme scheme) {
  switch (scheme) {
    case VersionScheme::kDpkg:
      return CompareDpkgVersions(a, b);
    case VersionScheme::kApk:
      return CompareApkVersions(a, b);
    case VersionScheme::kGeneric:
      break;
  }
  return CompareVersions(a, b);
}

}  // namespace iotcop::vuln
