// File: verdict/verdict_engine.h
// Turns check outcomes, findings and applicability into a verdict for every item of the chosen
// standard. Checks cite EN 303 645 V2.1.1 provisions; other standards are projections:
//   en303645-v3: each provision from the V2.1.1 provisions it derives from (new ones: not assessed)
//   psti:        each requirement from the provisions that give deemed compliance
//   cop2018:     each guideline from its provisions
// Order of precedence for one provision: FAIL (a finding) > NOT_APPLICABLE (a condition does not
// hold) > PASS > NOT_APPLICABLE (said by a check) > INCONCLUSIVE (with what would decide it).
#pragma once

#include <string_view>

#include "core/assessment.h"
#include "core/catalogue.h"
#include "core/result.h"

namespace iotcop {

// Fills a.provision_verdicts (always EN 303 645 V2.1.1), a.verdicts (for `standard`) and
// a.guidelines. Error: unknown standard.
Status DecideVerdicts(const Catalogue& catalogue, std::string_view standard, Assessment& a);

// The verdicts of `standard` from the EN 303 645 V2.1.1 provision verdicts.
std::vector<ItemVerdict> ProjectVerdicts(const Catalogue& catalogue,
                                         const std::vector<ItemVerdict>& v2_verdicts,
                                         std::string_view standard);

// Combination used for guidelines, projections and the PSTI requirements.
Verdict Combine(const std::vector<Verdict>& parts);

}  // namespace iotcop
