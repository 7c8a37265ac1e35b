#include "report/util.h"

#include <algorithm>
#include <cstdint>

namespace iotcop::report {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one (overlong forms,
// surrogates and code points above U+10FFFF are invalid).
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t n;
  std::uint32_t cp;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (n > 1) {
      // U+FFFE and U+FFFF are not XML characters either.
      const std::string_view seq = s.substr(i, n);
      out += (seq == "\xEF\xBF\xBE" || seq == "\xEF\xBF\xBF") ? kReplacement : seq;
      i += n;
      continue;
    }
    const char c = s[i++];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\t':
      case '\n':
      case '\r':
        out += c;
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += kReplacement;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::array<int, 5> CountBySeverity(const Assessment& a) {
  std::array<int, 5> n{};
  for (const auto& f : a.findings) ++n[static_cast<int>(f.severity)];
  return n;
}

std::array<int, 4> CountByVerdict(const std::vector<ItemVerdict>& verdicts) {
  std::array<int, 4> n{};
  for (const auto& v : verdicts) ++n[static_cast<int>(v.verdict)];
  return n;
}

const char* VerdictLabel(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return "Pass";
    case Verdict::kFail:
      return "Fail";
    case Verdict::kInconclusive:
      return "Inconclusive";
    case Verdict::kNotApplicable:
      return "Not applicable";
  }
  return "Inconclusive";
}

std::vector<std::size_t> FindingsBySeverity(const Assessment& a) {
  std::vector<std::size_t> order(a.findings.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return a.findings[x].severity > a.findings[y].severity;
  });
  return order;
}

std::vector<GuidelineGroup> VerdictsByGuideline(const Assessment& a) {
  std::vector<GuidelineGroup> groups;
  for (const auto& g : a.guidelines) groups.push_back({g.id, g.title, {}});
  GuidelineGroup other{"", "Not linked to a guideline", {}};
  for (const auto& v : a.verdicts) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const GuidelineGroup& g) { return g.id == v.guideline; });
    (it == groups.end() || v.guideline.empty() ? other : *it).verdicts.push_back(&v);
  }
  std::erase_if(groups, [](const GuidelineGroup& g) { return g.verdicts.empty(); });
  if (!other.verdicts.empty()) groups.push_back(std::move(other));
  return groups;
}

std::vector<std::pair<std::string, std::string>> ConditionsOf(const Catalogue& catalogue,
                                                              const ItemVerdict& v) {
  std::vector<std::pair<std::string, std::string>> out;
  const Standard* s = catalogue.Find(v.standard);
  const CatalogueItem* item = s ? s->Item(v.id) : nullptr;
  if (!item) return out;
  for (const auto& c : item->conditions) {
    const CatalogueCondition* cc = s->Condition(c);
    out.emplace_back(c, cc ? cc->text : "");
  }
  return out;
}

const CheckDoc* CheckDocOf(const Assessment& a, std::string_view check_id) {
  for (const auto& c : a.checks)
    if (c.check_id == check_id) return &c.doc;
  return nullptr;
}

}  // namespace iotcop::report
