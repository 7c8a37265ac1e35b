// File: core/verdict.h
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/fact.h"

namespace iotcop {

enum class Verdict { kPass, kFail, kInconclusive, kNotApplicable };
const char* VerdictName(Verdict v);  // "PASS", "FAIL", "INCONCLUSIVE", "NOT_APPLICABLE"

// What one check said about one provision.
struct Outcome {
  std::string check_id;
  std::string provision;  // EN 303 645 V2.1.1 id
  Verdict verdict = Verdict::kInconclusive;
  std::string reason;
  std::vector<FactId> basis;          // facts the outcome rests on
  std::vector<std::size_t> findings;  // indices into Assessment::findings
};

// The verdict on one item of the chosen standard (a provision, a PSTI requirement, a guideline).
struct ItemVerdict {
  std::string standard;  // "en303645-v2"
  std::string id;        // "5.1-1"
  std::string title;
  std::string status;  // "M C (1)" where the item has one
  bool mandatory = false;
  std::string guideline;  // CoP 2018 guideline number
  Verdict verdict = Verdict::kInconclusive;
  std::string reason;  // always set: why this verdict, or what evidence would decide it
  std::optional<Verdict> functional;  // from tests (firmware, network, traffic)
  std::optional<Verdict> conceptual;  // from the manufacturer's declaration
  std::vector<std::size_t> findings;
  std::vector<FactId> facts;
  std::vector<std::string> checks;        // checks that covered it
  std::vector<std::string> derived_from;  // qualified ids whose verdicts were combined
};

void to_json(nlohmann::json& j, const ItemVerdict& v);

}  // namespace iotcop
