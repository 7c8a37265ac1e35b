// File: network/vulnerabilities.cc
// Live services matched against the vulnerability database (see vulnerabilities.h).
#include "network/vulnerabilities.h"

#include <fmt/format.h>

#include <regex>

#include "core/fact_kinds.h"
#include "vuln/components.h"
#include "vuln/match.h"

namespace iotcop::network {

std::vector<std::pair<std::string, std::string>> ServerTokens(std::string_view header) {
  static const std::regex kToken(R"(([A-Za-z][A-Za-z0-9_. -]{0,63}?)/v?([0-9][0-9A-Za-z.]{0,31}))");
  std::vector<std::pair<std::string, std::string>> out;
  const std::string h(header.substr(0, 512));
  for (auto it = std::sregex_iterator(h.begin(), h.end(), kToken);
       it != std::sregex_iterator() && out.size() < 8; ++it) {
    std::string name = (*it)[1].str();
    while (!name.empty() && name.back() == ' ') name.pop_back();
    out.emplace_back(std::move(name), (*it)[2].str());
  }
  return out;
}

void MatchServiceVulnerabilities(const CheckConfig& config, Assessment& a) {
  const auto& rules = vuln::BuiltinComponentRules();
  if (!rules) {
    a.problems.push_back(
        {"error", "collect", rules.error().input, "", std::nullopt, rules.error().Describe()});
    return;
  }
  std::vector<vuln::MatchTarget> targets;
  std::string input;
  for (const Fact* f : a.facts.OfKind(facts::kNetworkService)) {
    if (f->evidence.source != InputKind::kNetwork) continue;
    std::vector<std::pair<std::string, std::string>> said;
    said.emplace_back(f->value.value("product", ""), f->value.value("version", ""));
    for (auto& t : ServerTokens(f->value.value("server", ""))) said.push_back(std::move(t));
    std::vector<std::string> seen;  // one target per component per service
    for (const auto& [product, version] : said) {
      const vuln::ComponentRule* r = vuln::FindServiceComponent(*rules, product);
      // An operating system named in a header (Linux/3.14 of an SSDP SERVER) is often a constant
      // of the UPnP stack, not the kernel that runs: only applications are matched.
      if (r == nullptr || r->part != "a" || version.empty()) continue;
      if (std::find(seen.begin(), seen.end(), r->name) != seen.end()) continue;
      seen.push_back(r->name);
      vuln::MatchTarget t;
      t.component = {r->name,
                     version,
                     vuln::MakePurl("generic", "", r->name, version),
                     vuln::MakeCpe(*r, version),
                     r->vendor,
                     r->product,
                     {},
                     {}};
      t.fact = f->id;
      t.evidence = f->evidence;
      t.extra = {{"live", true},
                 {"endpoint", f->evidence.endpoint},
                 {"announced", fmt::format("{}/{}", product, version)},
                 {"banner", f->evidence.excerpt},
                 {"cpe", t.component.cpe}};
      targets.push_back(std::move(t));
    }
    if (input.empty()) input = f->evidence.input;
  }
  Evidence scan;
  scan.source = InputKind::kNetwork;
  scan.input = input;
  vuln::MatchIntoFacts(&config, targets, scan, "live services", "network", a.facts, a.problems);
}

}  // namespace iotcop::network
