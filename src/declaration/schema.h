// File: declaration/schema.h
// The manufacturer's declaration (IXIT, after ETSI TS 103 701): every field it may hold, its type,
// the provisions it answers and how a conceptual test judges it. One table, schema/declaration.yaml
// (loaded at run time, described in schema/README.md), drives the parser (unknown keys, types), the
// conceptual checks, `iotcop declare init` (the commented template and the interactive
// walk-through) and docs/declaration.md.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace iotcop {
class Catalogue;
}

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
  std::string path;  // "authentication.password_scheme"
  FieldType type = FieldType::kText;
  Judge judge = Judge::kInformative;
  std::vector<std::string> provisions;  // EN 303 645 V2.1.1 ids it answers
  std::string topic;                    // IXIT topic, one conceptual check each
  std::string help;                     // what to write, one line
  std::string example;
  std::string property;  // product property it sets (applicability.h), if any
  // Words that, in a kSpecific text, show the provision is NOT met (lower case).
  std::vector<std::string> contradicting;
};

struct TopicSpec {
  std::string id;     // "authentication"
  std::string title;  // "Authentication mechanisms and the password scheme"
};

struct Schema {
  std::string file;  // where it was loaded from
  std::vector<TopicSpec> topics;
  std::vector<FieldSpec> fields;  // grouped by topic, in the order of `topics`
};

// Reads a schema file and checks it: unknown or repeated keys, wrong types, missing keys, unknown
// types, judges, properties and topics, repeated topics and fields, and provisions that are not
// provisions of EN 303 645 V2.1.1 in `catalogue` each give an error naming the file and the line.
Result<Schema> LoadSchema(const std::string& file, const Catalogue& catalogue);
// The same for YAML text (`file` names it in errors).
Result<Schema> ParseSchema(const std::string& text, const std::string& file,
                           const Catalogue& catalogue);
// schema/declaration.yaml of DataDir(), loaded once, on first use, and checked against `catalogue`
// (the first call's; without one, the catalogue of DataDir() is loaded for it). Commands that need
// it load it at start with the catalogue they loaded, and report its error (cli/common.h).
const Result<Schema>& BuiltinSchema(const Catalogue* catalogue = nullptr);

// The built-in schema's tables (empty when it could not be loaded: see BuiltinSchema()).
std::span<const FieldSpec> Fields();
std::span<const TopicSpec> Topics();
const FieldSpec* FindField(std::string_view path);
// True when `path` is a section (a prefix of some field path), e.g. "product.manufacturer".
bool IsSection(std::string_view path);

}  // namespace iotcop::declaration
