// File: declaration/schema.h
// The manufacturer's declaration (IXIT, after ETSI TS 103 701): every field it may hold, its type,
// the provisions it answers and how a conceptual test judges it. One table drives the parser
// (unknown keys, types), the conceptual checks, `iotcop declare init` (the commented template and
// the interactive walk-through) and docs/declaration.md.
#pragma once

#include <span>
#include <string_view>
#include <vector>

namespace iotcop::declaration {

inline constexpr std::string_view kSchemaId = "iotcop-declaration/1";

enum class FieldType { kText, kBool, kInt, kDate, kUrl, kContact, kList, kServices };
const char* FieldTypeName(FieldType t);

// How a conceptual test judges a present field.
enum class Judge {
  kInformative,   // product identity etc.: present or not, no verdict
  kSpecific,      // text that must be specific (not "yes", "TBD", "n/a", a few words at least)
  kMustBeTrue,    // a bool whose false means "not implemented"
  kFutureDate,    // a date that must be valid and not past
  kHttpsUrl,      // a URL that must use https
  kContact,       // an e-mail address or https URL
  kPositiveDays,  // a whole number of days, 1..365
  kNonEmptyList,  // a list with at least one entry
  kNoneOrList,    // "none" or a list describing each item with how it is disabled/protected
  kProperty,      // only sets a product property (applicability), no verdict on its own
};

struct FieldSpec {
  std::string_view path;  // "authentication.password_scheme"
  FieldType type;
  Judge judge;
  std::vector<std::string_view> provisions;  // EN 303 645 V2.1.1 ids it answers
  std::string_view topic;                    // IXIT topic, one conceptual check each
  std::string_view help;                     // what to write, one line
  std::string_view example;
  std::string_view property = {};  // product property it sets (applicability.h), if any
  // Words that, in a kSpecific text, show the provision is NOT met (lower case).
  std::vector<std::string_view> contradicting = {};
};

struct TopicSpec {
  std::string_view id;     // "authentication"
  std::string_view title;  // "Authentication mechanisms and the password scheme"
};

std::span<const FieldSpec> Fields();
std::span<const TopicSpec> Topics();
const FieldSpec* FindField(std::string_view path);
// True when `path` is a section (a prefix of some field path), e.g. "product.manufacturer".
bool IsSection(std::string_view path);

}  // namespace iotcop::declaration
