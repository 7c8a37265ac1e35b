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
  // What the verdict rests on: "tests", "declaration", "declaration and tests", or "" when nothing
  // decided it (INCONCLUSIVE, or NOT_APPLICABLE from the provision's conditions alone).
  std::string rests_on;
  // Set on a PASS given on the manufacturer's word while a functional test ran and could not
  // decide: "declared; functional test inconclusive: <why>". Shown beside the verdict and counted
  // apart in summaries (CountDeclaredOnly).
  std::string caveat;
  std::vector<std::size_t> findings;   // findings that decide it
  std::vector<std::size_t> informing;  // findings that inform it without deciding it
  std::vector<FactId> facts;
  std::vector<std::string> checks;        // checks that covered it
  std::vector<std::string> derived_from;  // qualified ids whose verdicts were combined
};

void to_json(nlohmann::json& j, const ItemVerdict& v);

// How many of `verdicts` are a PASS with a caveat (declared; functional test inconclusive).
int CountDeclaredOnly(const std::vector<ItemVerdict>& verdicts);

// "PASS", or "PASS (declared; functional test inconclusive: ...)" when the verdict has a caveat.
std::string VerdictWithCaveat(const ItemVerdict& v);

}  // namespace iotcop
