// File: report/util.h
// Helpers the renderers share, kept in one place: escaping of untrusted text for XML/HTML, valid
// UTF-8, severity and verdict ordering and counts, the grouping of verdicts by CoP 2018 guideline,
// and the metadata of the checks an assessment ran.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/assessment.h"
#include "core/catalogue.h"
#include "core/check.h"
#include "core/severity.h"
#include "core/verdict.h"

namespace iotcop::report {

// Where people learn about iotcop (SARIF tool.driver.informationUri). The project has no public
// home yet: ".invalid" (RFC 2606) marks the placeholder; set it here, once, when it has one.
inline constexpr const char* kProjectUri = "https://iotcop.invalid/";

// Every byte sequence that is not valid UTF-8 becomes U+FFFD, so the text can go into XML or JSON.
std::string ValidUtf8(std::string_view s);

// Text for XML 1.0 / HTML element content and quoted attribute values: & < > " ' escaped, invalid
// UTF-8 and the control characters XML forbids (all below U+0020 except tab, LF, CR) replaced by
// U+FFFD. All report text is untrusted (firmware file names, excerpts, banners).
std::string XmlEscape(std::string_view s);

// Severities from the most to the least severe; the order of charts, tables and sorting.
inline constexpr std::array<Severity, 5> kSeveritiesDescending = {
    Severity::kCritical, Severity::kHigh, Severity::kMedium, Severity::kLow, Severity::kInfo};
// Verdicts in the order reports list them.
inline constexpr std::array<Verdict, 4> kVerdictOrder = {Verdict::kFail, Verdict::kInconclusive,
                                                         Verdict::kPass, Verdict::kNotApplicable};

// Findings per severity, indexed by static_cast<int>(Severity).
std::array<int, 5> CountBySeverity(const Assessment& a);
// Verdicts per kind, indexed by static_cast<int>(Verdict).
std::array<int, 4> CountByVerdict(const std::vector<ItemVerdict>& verdicts);

// "Pass", "Fail", "Inconclusive", "Not applicable": the words people read next to a colour.
const char* VerdictLabel(Verdict v);

// Indices of a.findings, most severe first (stable within a severity).
std::vector<std::size_t> FindingsBySeverity(const Assessment& a);

// The assessment's verdicts grouped by CoP 2018 guideline, in guideline order; items that belong to
// no guideline come last under an empty id. The title is the guideline's title.
struct GuidelineGroup {
  std::string id;
  std::string title;
  std::vector<const ItemVerdict*> verdicts;
};
std::vector<GuidelineGroup> VerdictsByGuideline(const Assessment& a);

// The catalogue text of each condition of an item's status: {"1", "passwords are used"}.
std::vector<std::pair<std::string, std::string>> ConditionsOf(const Catalogue& catalogue,
                                                              const ItemVerdict& v);

// The metadata of a check the assessment considered (recorded in a.checks), or nullptr.
const CheckDoc* CheckDocOf(const Assessment& a, std::string_view check_id);

}  // namespace iotcop::report
