#include "core/assessment.h"

namespace iotcop {

bool Assessment::HasInput(InputKind k) const {
  for (const auto& i : inputs)
    if (i.kind == k && i.status != "failed") return true;
  return false;
}

int Assessment::CountFindingsAtLeast(Severity severity) const {
  int n = 0;
  for (const auto& f : findings)
    if (f.severity >= severity) ++n;
  return n;
}

void to_json(nlohmann::json& j, const Problem& p) {
  j = nlohmann::json{
      {"level", p.level}, {"stage", p.stage}, {"input", p.input}, {"message", p.message}};
  if (!p.path.empty()) j["path"] = p.path;
  if (p.offset) j["offset"] = *p.offset;
}

void to_json(nlohmann::json& j, const GuidelineVerdict& g) {
  j = nlohmann::json{{"id", g.id},
                     {"title", g.title},
                     {"verdict", VerdictName(g.verdict)},
                     {"counts",
                      {{"PASS", g.pass},
                       {"FAIL", g.fail},
                       {"INCONCLUSIVE", g.inconclusive},
                       {"NOT_APPLICABLE", g.not_applicable}}}};
}

}  // namespace iotcop
