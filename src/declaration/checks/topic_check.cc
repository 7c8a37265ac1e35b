// Conceptual checks (ETSI TS 103 701 "conceptual" test cases): one check per IXIT topic of the
// declaration schema, judging each provision from what the manufacturer declared: present,
// specific enough, satisfying the provision, and not contradicting another entry. Data-driven
// from schema/declaration.yaml, so a new field is a new entry there, not new code here.
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include "core/check.h"
#include "core/fact_kinds.h"
#include "core/strings.h"
#include "declaration/schema.h"

namespace iotcop {
namespace {

using declaration::FieldSpec;
using declaration::Judge;

struct Judgement {
  Verdict verdict = Verdict::kInconclusive;
  std::string reason;
};

std::string Text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const auto& e : v)
      out += (out.empty() ? "" : ", ") + (e.is_string() ? e.get<std::string>() : e.dump());
    return out;
  }
  return v.dump();
}

bool Vague(const std::string& lower) {
  static const std::set<std::string> kVague = {
      "yes",           "no",          "tbd",      "todo",
      "n/a",           "na",          "-",        "?",
      "secure",        "yes, secure", "standard", "industry standard",
      "best practice", "see manual",  "true"};
  if (kVague.count(lower)) return true;
  // Fewer than two words says too little to judge a provision by.
  return std::count(lower.begin(), lower.end(), ' ') < 1 && lower.size() < 12;
}

// `phrase` occurs in `text` as whole words ("none" is not in "nonetheless").
bool HasPhrase(const std::string& text, std::string_view phrase) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (std::size_t at = text.find(phrase); at != std::string::npos;
       at = text.find(phrase, at + 1)) {
    const bool start_ok = at == 0 || !word(text[at - 1]);
    const std::size_t end = at + phrase.size();
    const bool end_ok = end >= text.size() || !word(text[end]);
    if (start_ok && end_ok) return true;
  }
  return false;
}

std::time_t Today() { return std::time(nullptr); }

Judgement JudgeClaim(const FieldSpec& spec, const nlohmann::json& value) {
  const std::string text = Text(value);
  const std::string lower = Lower(text);
  switch (spec.judge) {
    case Judge::kInformative:
    case Judge::kProperty:
      return {Verdict::kPass, "declared"};
    case Judge::kSpecific: {
      if (spec.path == "secure_storage.hard_coded_credentials") {
        if (lower == "none" || lower == "no")
          return {Verdict::kPass, "declares no hard-coded credentials"};
        return {Verdict::kFail, "declares hard-coded credentials: " + text};
      }
      for (auto word : spec.contradicting) {
        if (HasPhrase(lower, word)) {
          return {
              Verdict::kFail,
              fmt::format("the declared \"{}\" does not meet the provision (\"{}\")", text, word)};
        }
      }
      if (lower == "none" || lower == "not implemented" || lower == "no") {
        return {Verdict::kFail, fmt::format("declared as not implemented: \"{}\"", text)};
      }
      if (Vague(lower))
        return {Verdict::kInconclusive,
                fmt::format("\"{}\" is not specific enough to judge", text)};
      return {Verdict::kPass, fmt::format("declared: \"{}\"", text)};
    }
    case Judge::kMustBeTrue:
      if (value.is_boolean() && value.get<bool>())
        return {Verdict::kPass, "declared as implemented"};
      return {Verdict::kFail, "declared as not implemented"};
    case Judge::kFutureDate: {
      std::tm tm{};
      if (text.size() != 10 || !strptime(text.c_str(), "%Y-%m-%d", &tm)) {
        return {Verdict::kFail,
                fmt::format("\"{}\" is not a date (YYYY-MM-DD): a support period needs an end date",
                            text)};
      }
      if (timegm(&tm) + 86400 < Today())
        return {Verdict::kFail, fmt::format("the support period ended on {}", text)};
      return {Verdict::kPass, fmt::format("support period ends {}", text)};
    }
    case Judge::kHttpsUrl:
      if (lower.rfind("https://", 0) == 0) return {Verdict::kPass, "published at " + text};
      if (lower.rfind("http://", 0) == 0)
        return {Verdict::kFail, "published over plain http: " + text};
      return {Verdict::kInconclusive, fmt::format("\"{}\" is not a URL", text)};
    case Judge::kContact: {
      const bool email = text.find('@') != std::string::npos && text.find(' ') == std::string::npos;
      if (email || lower.rfind("https://", 0) == 0 || lower.rfind("mailto:", 0) == 0)
        return {Verdict::kPass, "contact " + text};
      return {Verdict::kInconclusive,
              fmt::format("\"{}\" is neither an e-mail address nor an https URL", text)};
    }
    case Judge::kPositiveDays: {
      if (!value.is_number_integer()) return {Verdict::kInconclusive, "not a number"};
      const int n = value.get<int>();
      if (n < 1 || n > 365)
        return {Verdict::kFail, fmt::format("{} is not a credible number of days", n)};
      return {Verdict::kPass, fmt::format("{} days", n)};
    }
    case Judge::kNonEmptyList:
      if (value.is_array() && !value.empty()) return {Verdict::kPass, "declared: " + text};
      return {Verdict::kInconclusive, "the list is empty"};
    case Judge::kNoneOrList:
      if (lower == "none" || lower == "no")
        return {Verdict::kPass, "declares no physical debug interface"};
      if (Vague(lower))
        return {Verdict::kInconclusive,
                fmt::format("\"{}\" does not say how each interface is disabled", text)};
      return {Verdict::kPass, "declared: " + text};
  }
  return {};
}

class TopicCheck final : public Check {
 public:
  explicit TopicCheck(const declaration::TopicSpec& topic) : topic_(topic) {
    doc_.id = fmt::format("decl.{}", topic.id);
    std::replace(doc_.id.begin(), doc_.id.end(), '_', '-');
    doc_.title = fmt::format("Declaration: {}", topic.title);
    std::set<std::string> seen;
    for (const auto& f : declaration::Fields()) {
      if (f.topic != topic.id) continue;
      for (auto p : f.provisions)
        if (seen.insert(std::string(p)).second) doc_.provisions.emplace_back(p);
    }
    doc_.inputs = {InputKind::kDeclaration};
    doc_.needs = {facts::kClaim};
    doc_.rationale =
        "ETSI TS 103 701 judges each provision conceptually from the manufacturer's declaration "
        "(IXIT): the "
        "entry must be present, specific enough to test, and satisfy the provision.";
    doc_.remediation = "Complete the declaration's \"" + std::string(topic.id) +
                       "\" entries with specific statements (see `iotcop declare init`).";
    doc_.severity = Severity::kMedium;
  }

  const CheckDoc& doc() const override { return doc_; }

  Status Run(CheckContext& ctx) const override {
    std::map<std::string, const Fact*> claims;
    for (const Fact* f : ctx.facts().OfKind(facts::kClaim)) {
      if (f->value.value("topic", "") == topic_.id) claims.emplace(f->value.value("field", ""), f);
    }
    for (const auto& provision : doc_.provisions) {
      std::vector<std::string> missing, passed, vague;
      bool failed = false;
      std::vector<FactId> basis;
      for (const auto& spec : declaration::Fields()) {
        if (spec.topic != topic_.id) continue;
        if (std::find(spec.provisions.begin(), spec.provisions.end(), provision) ==
            spec.provisions.end())
          continue;
        auto it = claims.find(std::string(spec.path));
        if (it == claims.end()) {
          missing.emplace_back(spec.path);
          continue;
        }
        const Fact* claim = it->second;
        basis.push_back(claim->id);
        Judgement j = JudgeClaim(spec, claim->value["value"]);
        if (j.verdict == Verdict::kFail) {
          failed = true;
          Finding f;
          f.title = fmt::format("Declaration: {} does not meet {}", spec.path, provision);
          f.message = j.reason;
          f.provisions = {provision};
          f.evidence = {claim->evidence};
          f.facts = {claim->id};
          ctx.Report(std::move(f), fmt::format("{}:{}", spec.path, provision));
        } else if (j.verdict == Verdict::kPass) {
          passed.push_back(fmt::format("{}: {}", spec.path, j.reason));
        } else {
          vague.push_back(fmt::format("{}: {}", spec.path, j.reason));
        }
      }
      if (failed) continue;  // the runner turns the findings into FAIL
      std::string missing_list;
      for (const auto& m : missing) missing_list += (missing_list.empty() ? "" : ", ") + m;
      if (!passed.empty() && vague.empty()) {
        std::string reason = "declared: ";
        for (std::size_t i = 0; i < passed.size(); ++i) reason += (i ? "; " : "") + passed[i];
        if (!missing.empty()) reason += " (not declared: " + missing_list + ")";
        ctx.Pass(provision, reason, basis);
      } else if (!vague.empty()) {
        std::string reason;
        for (const auto& v : vague) reason += (reason.empty() ? "" : "; ") + v;
        ctx.Inconclusive(provision, "declaration too vague: " + reason, basis);
      } else {
        ctx.Inconclusive(provision, "the declaration does not say: " + missing_list);
      }
    }
    return Ok();
  }

 private:
  const declaration::TopicSpec& topic_;
  CheckDoc doc_;
};

}  // namespace

std::vector<std::unique_ptr<const Check>> MakeDeclarationTopicChecks() {
  std::vector<std::unique_ptr<const Check>> out;
  for (const auto& t : declaration::Topics()) {
    auto c = std::make_unique<TopicCheck>(t);
    if (!c->doc().provisions.empty()) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace iotcop
