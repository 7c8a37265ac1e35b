// File: store/diff.h
// What changed between two runs (two firmware versions, or two runs of one): findings new,
// fixed and changed (matched by StableFingerprint: check and subject, never a position or a
// count; a matched finding whose title or message differs is "changed", with both texts), verdict
// changes per item, components added, removed, upgraded or downgraded (versions compared by
// store/version.h), and services that appeared or vanished. Rendered as text, JSON or one
// self-contained HTML page (diff_render.cc).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/assessment.h"
#include "core/result.h"
#include "store/store.h"

namespace iotcop::store {

struct DiffFinding {
  std::string fingerprint, check_id, severity, title, message, locator;
  std::vector<std::string> provisions;
};
// One finding in both runs whose text changed ("49 of 49 binaries" -> "70 of 70"): the same
// problem, still there, described anew.
struct ChangedFinding {
  DiffFinding before, after;
};
struct VerdictChange {
  std::string standard, item, title, before, after;
};
struct ComponentChange {
  std::string name, before, after;  // before empty: added; after empty: removed
  std::string change;               // added | removed | upgraded | downgraded | changed
};
struct ServiceChange {
  std::string name, detail, change;  // appeared | vanished
};

struct RunDiff {
  RunSummary a, b;
  std::vector<DiffFinding> new_findings, fixed_findings;
  std::vector<ChangedFinding> changed_findings;  // matched, with another title or message
  int unchanged_findings = 0;                    // matched, same text
  std::vector<VerdictChange> verdicts;
  std::vector<ComponentChange> components;
  std::vector<ServiceChange> services;
};

RunDiff DiffRuns(const RunSummary& sa, const Assessment& a, const RunSummary& sb,
                 const Assessment& b);

nlohmann::json DiffJson(const RunDiff& d);
void DiffText(const RunDiff& d, std::ostream& out);
void DiffHtml(const RunDiff& d, std::ostream& out);

}  // namespace iotcop::store
