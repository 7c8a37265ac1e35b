#include "core/verdict.h"

#include <nlohmann/json.hpp>

namespace iotcop {

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return "PASS";
    case Verdict::kFail:
      return "FAIL";
    case Verdict::kInconclusive:
      return "INCONCLUSIVE";
    case Verdict::kNotApplicable:
      return "NOT_APPLICABLE";
  }
  return "INCONCLUSIVE";
}

void to_json(nlohmann::json& j, const ItemVerdict& v) {
  j = nlohmann::json{{"standard", v.standard}, {"id", v.id},
                     {"title", v.title},       {"verdict", VerdictName(v.verdict)},
                     {"reason", v.reason},     {"mandatory", v.mandatory},
                     {"findings", v.findings}, {"facts", v.facts},
                     {"checks", v.checks}};
  if (!v.status.empty()) j["status"] = v.status;
  if (!v.guideline.empty()) j["guideline"] = v.guideline;
  j["functional"] = v.functional ? nlohmann::json(VerdictName(*v.functional)) : nlohmann::json();
  j["conceptual"] = v.conceptual ? nlohmann::json(VerdictName(*v.conceptual)) : nlohmann::json();
  if (!v.derived_from.empty()) j["derived_from"] = v.derived_from;
  if (!v.rests_on.empty()) j["rests_on"] = v.rests_on;
  if (!v.caveat.empty()) j["caveat"] = v.caveat;
  if (!v.informing.empty()) j["informing"] = v.informing;
}

int CountDeclaredOnly(const std::vector<ItemVerdict>& verdicts) {
  int n = 0;
  for (const auto& v : verdicts) n += !v.caveat.empty() && v.verdict == Verdict::kPass;
  return n;
}

std::string VerdictWithCaveat(const ItemVerdict& v) {
  std::string s = VerdictName(v.verdict);
  if (!v.caveat.empty()) s += " (" + v.caveat + ")";
  return s;
}

}  // namespace iotcop
