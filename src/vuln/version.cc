#include "vuln/version.h"

#include <cctype>
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

}  // namespace iotcop::vuln
