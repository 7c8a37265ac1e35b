// File: declaration/declaration.h
// Reads a manufacturer's declaration (schema.h) into claims with line numbers. Unknown keys and
// wrong types are reported (line and field), never silently ignored; a broken file still yields
// every claim that could be read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/assessment.h"
#include "core/fact.h"
#include "core/result.h"
#include "declaration/schema.h"

namespace iotcop::declaration {

struct Claim {
  const FieldSpec* spec = nullptr;
  nlohmann::json value;  // typed per spec: string, bool, number, array
  std::uint32_t line = 0;
  std::string excerpt;  // the line as written, bounded
};

struct Declaration {
  std::string file;
  std::vector<Claim> claims;
  std::vector<Problem> problems;  // schema errors and unknown keys, each naming line and field

  const Claim* Get(std::string_view path) const;
  // The declaration as JSON (for reports and the PSTI statement).
  nlohmann::json ToJson() const;
};

// Parses `text` (named `file` in messages). Fails only when the text is not YAML at all or its top
// level is not a mapping; everything else is a Problem.
Result<Declaration> Parse(const std::string& text, const std::string& file);
Result<Declaration> Load(const std::string& path);

// Adds one `claim` fact per claim and `property` facts for applicability.
void AddFacts(const Declaration& d, FactStore& facts);

// Lower-cased text of a claim value (lists joined by ", ").
std::string ClaimText(const Claim& c);

}  // namespace iotcop::declaration
