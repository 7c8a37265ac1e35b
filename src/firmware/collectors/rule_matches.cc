// Rule-matches collector: one YARA pass over every file of the image (files over 64 MiB are
// skipped and reported) with the rules in rules/credentials/*.yar (hard-coded passwords in
// programs) and rules/secrets/*.yar (API tokens, cloud credentials). A secret's value must also
// pass its rule's Shannon-entropy floor and not be an obvious placeholder. Emits `credential` and
// `secret` facts with the value redacted.
#include <fmt/format.h>

#include <cmath>
#include <set>

#include "core/bytes.h"
#include "core/evidence.h"
#include "core/fact_kinds.h"
#include "credentials/passwords.h"
#include "firmware/collector.h"
#include "firmware/text.h"
#include "firmware/yara_rules.h"

namespace iotcop::firmware {
namespace {

constexpr std::uint64_t kMaxScan = 64ull << 20;

std::string ValueOf(const RuleMatch& m) {
  std::string v = m.data;
  if (auto it = m.meta.find("value"); it != m.meta.end() && it->second == "after-separator") {
    const auto sep = v.find_first_of("=:");
    v = sep == std::string::npos ? v : v.substr(sep + 1);
  }
  while (!v.empty() &&
         (v.front() == ' ' || v.front() == '\t' || v.front() == '"' || v.front() == '\''))
    v.erase(0, 1);
  while (!v.empty() && (v.back() == '"' || v.back() == '\'')) v.pop_back();
  return v;
}

bool Placeholder(std::string_view v) {
  std::string up(v);
  for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (std::string_view word : {"YOUR", "XXXX", "CHANGEME", "EXAMPLE", "PLACEHOLDER", "REPLACE",
                                "<", "${", "DUMMY", "TODO"}) {
    if (up.find(word) != std::string::npos) return true;
  }
  return false;
}

// Line number of `offset` when the file is text.
std::optional<std::uint32_t> LineAt(std::string_view data, std::uint64_t offset) {
  if (!LooksLikeText(data) || offset > data.size()) return std::nullopt;
  return static_cast<std::uint32_t>(
      1 + std::count(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

void CollectRuleMatches(const FirmwareInput& in, FactStore& facts, std::vector<Problem>& problems) {
  auto rules = YaraRules::ForFolders({"credentials", "secrets"});
  if (!rules) {
    problems.push_back({"error", "collect", in.input, "", std::nullopt,
                        "rule-matches: " + rules.error().Describe()});
    return;
  }
  const auto dict = credentials::DictionaryFor(in.config, in.input, "rule-matches", problems);
  for (const auto& e : in.tree.entries()) {
    if (e.type != unpack::EntryType::kFile || e.disk.empty() || e.size == 0) continue;
    if (e.size > kMaxScan) {
      problems.push_back(
          {"warning", "collect", in.input, in.tree.DisplayPath(e), std::nullopt,
           fmt::format("rule-matches: not scanned: {} bytes is over the 64 MiB limit", e.size)});
      continue;
    }
    const auto data = ReadCapped(in.tree, e, kMaxScan);
    if (!data) continue;
    auto matches = (*rules)->Scan(AsBytes(*data));
    if (!matches) {
      problems.push_back({"warning", "collect", in.input, in.tree.DisplayPath(e), std::nullopt,
                          "rule-matches: " + matches.error().Describe()});
      continue;
    }
    std::set<std::string> seen;  // two rules on one value make one fact
    for (const RuleMatch& m : *matches) {
      const std::string value = ValueOf(m);
      if (!seen.insert(m.ns + "\n" + value).second) continue;
      const auto meta = [&](const char* k) {
        auto it = m.meta.find(k);
        return it == m.meta.end() ? std::string() : it->second;
      };
      const auto line = LineAt(*data, m.offset);
      const std::string excerpt = fmt::format("{} match: {}", m.rule, Redact(value));
      Evidence ev =
          FileEvidence(in, e, line, excerpt, line ? std::nullopt : std::optional(m.offset));
      if (m.ns == "secrets") {
        const double entropy = Entropy(AsBytes(value));
        const std::string floor = meta("min_entropy");
        if (Placeholder(value) || entropy < (floor.empty() ? 3.0 : std::stod(floor))) continue;
        facts.Add(facts::kSecret,
                  {{"kind", meta("kind")},
                   {"rule", m.rule},
                   {"description", meta("description")},
                   {"entropy", std::round(entropy * 100) / 100},
                   {"value", Redact(value)},
                   {"path", in.tree.DisplayPath(e)}},
                  ev, "rule-matches");
      } else {
        const auto match = credentials::MatchPlaintext(value, meta("user"), dict);
        nlohmann::json v = {
            {"user", meta("user")},
            {"kind", "binary"},
            {"service", std::string(Basename(e.path))},
            {"password_state", m.rule == "embedded_crypt_account_line" ? "hash" : "plaintext"},
            {"password", Redact(value)},
            {"cracked", match.has_value()},
            {"rule", m.rule},
            {"where", in.tree.DisplayPath(e)}};
        if (match) v["source"] = match->source;
        facts.Add(facts::kCredential, v, ev, "rule-matches");
      }
    }
  }
}

}  // namespace

std::unique_ptr<const Collector> MakeRuleMatchesCollector() {
  return MakeFunctionCollector({"rule-matches",
                                "YARA rules for hard-coded passwords (rules/credentials) and API "
                                "tokens (rules/secrets) over every file",
                                {facts::kCredential, facts::kSecret}},
                               CollectRuleMatches);
}

}  // namespace iotcop::firmware
