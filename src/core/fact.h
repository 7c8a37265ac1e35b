// File: core/fact.h
// A Fact is one thing iotcop learned about the product, with the evidence for it. Collectors
// (firmware, network probes, traffic, declaration) add facts; checks only read them.
//
// The value is typed JSON: each fact kind documents its fields in fact_kinds.h, and the same
// value is what the JSON report prints, so there is one representation from collector to report.
#pragma once

#include <cstddef>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/evidence.h"

namespace iotcop {

using FactId = std::size_t;

struct Fact {
  FactId id = 0;
  std::string kind;      // one of fact_kinds.h
  nlohmann::json value;  // fields documented per kind
  Evidence evidence;
  std::string collector;  // which collector produced it
};

// Append-only store of facts with an index by kind. Not synchronised: parallel collectors fill
// stores of their own and Merge() them in a fixed order, so fact ids are deterministic.
// Adding never moves a fact (a deque): a collector may hold the `const Fact*` of OfKind() while it
// adds facts of its own.
class FactStore {
 public:
  FactId Add(std::string kind, nlohmann::json value, Evidence evidence, std::string collector);

  const std::deque<Fact>& all() const { return facts_; }
  const Fact& at(FactId id) const { return facts_.at(id); }
  // Facts of one kind, in the order they were added.
  std::vector<const Fact*> OfKind(std::string_view kind) const;
  bool Has(std::string_view kind) const;
  std::size_t size() const { return facts_.size(); }
  // Appends every fact of `other` (ids renumbered).
  void Merge(FactStore&& other);

 private:
  std::deque<Fact> facts_;
  std::unordered_map<std::string, std::vector<FactId>> by_kind_;
};

void to_json(nlohmann::json& j, const Fact& f);

// A fact value's field as text: strings as they are, null or absent as "", anything else (numbers,
// booleans, arrays, objects) as compact JSON, invalid UTF-8 replaced.
std::string FieldText(const nlohmann::json& value, const char* key);

}  // namespace iotcop
