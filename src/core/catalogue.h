// File: core/catalogue.h
// The standards as data: catalogue/*.yaml (schema in catalogue/README.md) loaded at run time.
// Every item has a qualified id "<standard>:<id>" ("en303645-v2:5.1-1"); links are given once in
// the data and the loader adds the reverse links, so `catalogue show` can walk both ways.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace iotcop {

struct CatalogueItem {
  std::string standard;  // "en303645-v2"
  std::string id;        // "5.1-1"
  std::string title;
  std::string text;
  std::string status;  // provisions only: "M", "R C (9, 12)", "M C (14) F (e)"
  bool mandatory = false;
  std::vector<std::string> conditions;  // parsed from status: {"9","12"}
  std::vector<std::string> features;    // parsed from status (V3): {"e"}
  std::string group;
  std::string decide_with;             // what evidence would decide it
  std::string relation;                // V3: same | split | new
  std::vector<std::string> v2;         // V3: V2.1.1 ids it derives from
  std::vector<std::string> deemed_by;  // PSTI: qualified ids whose compliance is deemed compliance
  std::vector<std::string> links;      // qualified ids, as written in the data
  std::vector<std::string> backlinks;  // qualified ids of items that link here
  bool unverified = false;
  nlohmann::json extra = nlohmann::json::object();  // other fields, kept for show/JSON

  std::string Qualified() const { return standard + ":" + id; }
  bool IsProvision() const { return !status.empty(); }
};

struct CatalogueCondition {
  std::string id;
  std::string text;
  std::string property;  // the product property it tests, e.g. "constrained" (see applicability.h)
  bool negate = false;   // the condition holds when the property is false
};

struct CatalogueGroup {
  std::string id;
  std::string title;
};

struct Standard {
  std::string id;
  std::string name;
  std::string version;
  std::string description;
  std::vector<std::string> sources;
  bool unverified = false;
  std::vector<CatalogueCondition> conditions;
  std::vector<CatalogueCondition> features;
  std::vector<CatalogueGroup> groups;
  std::vector<CatalogueItem> items;
  std::vector<std::string> statement_of_compliance;  // PSTI: minimum content
  std::vector<std::string> rules;                    // RFC 9116: rules in prose
  std::string file;                                  // where it was loaded from

  const CatalogueItem* Item(std::string_view id) const;
  const CatalogueCondition* Condition(std::string_view id) const;
  const CatalogueGroup* Group(std::string_view id) const;
};

class Catalogue {
 public:
  // Loads every *.yaml in `dir`. Errors name the file and the line.
  static Result<Catalogue> Load(const std::string& dir);
  // Finds the catalogue next to the binary (../share/iotcop/catalogue), or $IOTCOP_DATA.
  static std::string DefaultDir();

  const std::vector<Standard>& standards() const { return standards_; }
  const Standard* Find(std::string_view standard_id) const;
  // "en303645-v2:5.1-1" -> item.
  const CatalogueItem* Resolve(std::string_view qualified) const;
  // "5.1-1" in every standard that has it; a qualified id resolves to at most one.
  std::vector<const CatalogueItem*> Lookup(std::string_view id) const;
  // The CoP 2018 guideline ("1".."13") an item belongs to, following links up to two steps.
  std::optional<std::string> GuidelineOf(const CatalogueItem& item) const;
  // Every link that does not resolve (empty for a sound catalogue).
  std::vector<std::string> DanglingLinks() const;

 private:
  std::vector<Standard> standards_;
};

// "M C (9, 12)" -> mandatory, {"9","12"}, {}; an Error for anything else.
struct ParsedStatus {
  bool mandatory = false;
  std::vector<std::string> conditions;
  std::vector<std::string> features;
};
Result<ParsedStatus> ParseStatus(std::string_view status);

// Ids of the standards an assessment can be judged against.
inline constexpr std::string_view kDefaultStandard = "en303645-v2";

}  // namespace iotcop
