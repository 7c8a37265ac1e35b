// The declaration schema as data: schema/declaration.yaml (keys in schema/README.md), read once and
// checked as strictly as the catalogue, so that a mistake in the data is an error naming its line
// rather than a field the parser silently misreads.
#include "declaration/schema.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/catalogue.h"
#include "core/paths.h"

namespace iotcop::declaration {
namespace {

// The standard whose provisions a field may answer.
constexpr std::string_view kSchemaStandard = "en303645-v2";
constexpr std::size_t kMaxSchemaBytes = 1u << 20;

// The words schema/declaration.yaml uses for the enums of schema.h.
constexpr std::pair<std::string_view, FieldType> kSchemaTypes[] = {
    {"text", FieldType::kText}, {"bool", FieldType::kBool},        {"int", FieldType::kInt},
    {"date", FieldType::kDate}, {"url", FieldType::kUrl},          {"contact", FieldType::kContact},
    {"list", FieldType::kList}, {"services", FieldType::kServices}};
constexpr std::pair<std::string_view, Judge> kSchemaJudges[] = {
    {"informative", Judge::kInformative},    {"specific", Judge::kSpecific},
    {"must_be_true", Judge::kMustBeTrue},    {"future_date", Judge::kFutureDate},
    {"https_url", Judge::kHttpsUrl},         {"contact", Judge::kContact},
    {"positive_days", Judge::kPositiveDays}, {"non_empty_list", Judge::kNonEmptyList},
    {"none_or_list", Judge::kNoneOrList},    {"property", Judge::kProperty}};

// Whether `judge` makes sense for a field of type `type` (a must_be_true text would always fail).
bool JudgeFits(Judge judge, FieldType type) {
  switch (judge) {
    case Judge::kMustBeTrue:
    case Judge::kProperty:
      return type == FieldType::kBool;
    case Judge::kPositiveDays:
      return type == FieldType::kInt;
    case Judge::kFutureDate:
      return type == FieldType::kDate;
    case Judge::kHttpsUrl:
      return type == FieldType::kUrl;
    case Judge::kContact:
      return type == FieldType::kContact;
    case Judge::kNonEmptyList:
      return type == FieldType::kList || type == FieldType::kServices;
    default:
      return true;
  }
}

// Product properties (core/applicability.h) a field may set: a true/false answer sets the one it
// names; a text answer only those declaration.cc (AddFacts) knows how to read.
constexpr std::string_view kSchemaProperties[] = {
    "passwords_used",       "preinstalled_passwords", "software_updatable",
    "constrained",          "telemetry_collected",    "consent_basis",
    "user_authentication",  "automatic_updates",      "hardcoded_identity",
    "updates_over_network", "update_mechanism",       "debug_interface_physical"};
constexpr std::string_view kSchemaTextProperties[] = {
    "preinstalled_passwords", "consent_basis",        "debug_interface_physical",
    "update_mechanism",       "updates_over_network", "hardcoded_identity"};

// A mistake in the schema file and its line (1-based; 0 when it has none).
struct SchemaFault {
  int line = 0;
  std::string what;
};

[[noreturn]] void Fault(const YAML::Node& at, std::string what) {
  const YAML::Mark mark = at.Mark();
  throw SchemaFault{mark.is_null() ? 0 : mark.line + 1, std::move(what)};
}

std::string JoinWords(std::span<const std::string_view> words) {
  std::string out;
  for (auto w : words) out += (out.empty() ? "" : ", ") + std::string(w);
  return out;
}

// `node` must be a mapping with only `allowed` keys, each once.
void CheckKeys(const YAML::Node& node, const std::string& what,
               std::initializer_list<std::string_view> allowed) {
  if (!node.IsMap()) Fault(node, what + ": expected a mapping");
  std::set<std::string> seen;
  for (const auto& kv : node) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      Fault(kv.first, fmt::format("{}: unknown key '{}' (expected {})", what, key,
                                  JoinWords({allowed.begin(), allowed.size()})));
    }
    if (!seen.insert(key).second) Fault(kv.first, fmt::format("{}: '{}' given twice", what, key));
  }
}

// The node whose line an error about the value of `key` names: an empty value has the line of what
// follows it, so then the key's.
YAML::Node Blame(const YAML::Node& map, const char* key) {
  const YAML::Node v = map[key];
  if (v && !v.IsNull()) return v;
  for (const auto& kv : map)
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.first;
  return map;
}

// The text of `key` in `map`: empty when absent and optional; never empty when present.
std::string TextOf(const YAML::Node& map, const char* key, const std::string& what, bool required) {
  const YAML::Node v = map[key];
  if (!v) {
    if (required) Fault(map, fmt::format("{}: missing key '{}'", what, key));
    return {};
  }
  if (v.IsNull() || (v.IsScalar() && v.Scalar().empty()))
    Fault(Blame(map, key), fmt::format("{}: {}: is empty", what, key));
  if (!v.IsScalar()) Fault(v, fmt::format("{}: {}: expected text", what, key));
  return v.Scalar();
}

// The texts of optional list `key` in `map`, each given once.
std::vector<std::string> TextsOf(const YAML::Node& map, const char* key, const std::string& what) {
  std::vector<std::string> out;
  const YAML::Node v = map[key];
  if (!v || v.IsNull()) return out;
  if (!v.IsSequence()) Fault(v, fmt::format("{}: {}: expected a list", what, key));
  for (const auto& e : v) {
    if (!e.IsScalar() || e.Scalar().empty())
      Fault(e, fmt::format("{}: {}: expected a list of text", what, key));
    if (std::find(out.begin(), out.end(), e.Scalar()) != out.end())
      Fault(e, fmt::format("{}: {}: '{}' listed twice", what, key, e.Scalar()));
    out.push_back(e.Scalar());
  }
  return out;
}

template <typename E, std::size_t N>
E EnumOf(const YAML::Node& map, const char* key, const std::string& what,
         const std::pair<std::string_view, E> (&values)[N]) {
  const std::string v = TextOf(map, key, what, true);
  std::vector<std::string_view> names;
  for (const auto& [name, e] : values) {
    if (name == v) return e;
    names.push_back(name);
  }
  Fault(map[key], fmt::format("{}: {}: unknown value '{}' (expected one of: {})", what, key, v,
                              JoinWords(names)));
}

// A topic id or one part of a field path: lower case letters, digits and '_'.
bool IsName(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IsPath(std::string_view path) {
  std::size_t start = 0;
  for (std::size_t dot; (dot = path.find('.', start)) != std::string_view::npos; start = dot + 1)
    if (!IsName(path.substr(start, dot - start))) return false;
  return IsName(path.substr(start));
}

bool Under(std::string_view path, std::string_view section) {
  return path.size() > section.size() && path.starts_with(section) && path[section.size()] == '.';
}

FieldSpec ReadField(const YAML::Node& n, const std::string& topic,
                    const std::set<std::string>& provisions) {
  if (!n.IsMap()) Fault(n, "field: expected a mapping");
  const YAML::Node path = n["path"];
  const std::string what = path && path.IsScalar() ? "field " + path.Scalar() : "field";
  CheckKeys(
      n, what,
      {"path", "type", "judge", "provisions", "help", "example", "property", "contradicting"});
  FieldSpec f;
  f.path = TextOf(n, "path", what, true);
  if (!IsPath(f.path)) {
    Fault(n["path"], what + ": path: expected lower-case names joined by '.' (a-z, 0-9, _)");
  }
  f.topic = topic;
  f.type = EnumOf(n, "type", what, kSchemaTypes);
  f.judge = EnumOf(n, "judge", what, kSchemaJudges);
  if (!JudgeFits(f.judge, f.type)) {
    Fault(n["judge"], fmt::format("{}: judge {} does not fit type {}", what, n["judge"].Scalar(),
                                  n["type"].Scalar()));
  }
  f.provisions = TextsOf(n, "provisions", what);
  if (const YAML::Node list = n["provisions"]) {
    for (std::size_t i = 0; i < f.provisions.size(); ++i) {
      if (!provisions.count(f.provisions[i])) {
        Fault(list[i], fmt::format("{}: provisions: '{}' is not a provision of ETSI EN 303 645 "
                                   "V2.1.1 (catalogue standard {})",
                                   what, f.provisions[i], kSchemaStandard));
      }
    }
  }
  f.help = TextOf(n, "help", what, true);
  f.example = TextOf(n, "example", what, true);
  f.property = TextOf(n, "property", what, false);
  if (!f.property.empty()) {
    const std::span<const std::string_view> known =
        f.type == FieldType::kBool ? std::span<const std::string_view>(kSchemaProperties)
                                   : std::span<const std::string_view>(kSchemaTextProperties);
    if (std::find(known.begin(), known.end(), f.property) == known.end()) {
      Fault(n["property"],
            fmt::format("{}: property: unknown value '{}' for a {} field (expected one of: {})",
                        what, f.property, n["type"].Scalar(), JoinWords(known)));
    }
  } else if (f.judge == Judge::kProperty) {
    Fault(n, what + ": judge property needs the property it sets");
  }
  f.contradicting = TextsOf(n, "contradicting", what);
  return f;
}

Schema ReadSchema(const YAML::Node& root, const std::set<std::string>& provisions) {
  CheckKeys(root, "the schema", {"format", "topics"});
  const std::string format = TextOf(root, "format", "the schema", true);
  if (format != kSchemaId) {
    Fault(root["format"], fmt::format("format: expected {}, not {}", kSchemaId, format));
  }
  const YAML::Node topics = root["topics"];
  if (!topics) Fault(root, "the schema: missing key 'topics'");
  if (!topics.IsSequence() || topics.size() == 0)
    Fault(Blame(root, "topics"), "topics: expected a list of topics");
  Schema s;
  std::map<std::string, int> topic_lines, field_lines;  // 1-based
  for (const auto& t : topics) {
    if (!t.IsMap()) Fault(t, "topic: expected a mapping");
    const YAML::Node id = t["id"];
    const std::string what = id && id.IsScalar() ? "topic " + id.Scalar() : "topic";
    CheckKeys(t, what, {"id", "title", "fields"});
    TopicSpec topic;
    topic.id = TextOf(t, "id", what, true);
    if (!IsName(topic.id)) Fault(t["id"], what + ": id: expected a lower-case name (a-z, 0-9, _)");
    if (auto [it, fresh] = topic_lines.emplace(topic.id, t.Mark().line + 1); !fresh)
      Fault(t, fmt::format("{}: defined twice (first at line {})", what, it->second));
    topic.title = TextOf(t, "title", what, true);
    const YAML::Node fields = t["fields"];
    if (!fields) Fault(t, what + ": missing key 'fields'");
    if (!fields.IsSequence() || fields.size() == 0)
      Fault(Blame(t, "fields"), what + ": fields: expected a list of fields");
    for (const auto& n : fields) {
      FieldSpec f = ReadField(n, topic.id, provisions);
      if (auto [it, fresh] = field_lines.emplace(f.path, n.Mark().line + 1); !fresh)
        Fault(n, fmt::format("field {}: defined twice (first at line {})", f.path, it->second));
      s.fields.push_back(std::move(f));
    }
    s.topics.push_back(std::move(topic));
  }
  // A field cannot also be a section: the parser would never reach the fields under it.
  for (const auto& f : s.fields) {
    for (const auto& [path, line] : field_lines) {
      if (Under(path, f.path)) {
        throw SchemaFault{line, fmt::format("field {} is under {}, which is a field itself "
                                            "(line {})",
                                            path, f.path, field_lines[f.path])};
      }
    }
  }
  if (!field_lines.count("schema")) {
    throw SchemaFault{0,
                      fmt::format("no field 'schema' (the declaration's format, {})", kSchemaId)};
  }
  return s;
}

}  // namespace

const char* FieldTypeName(FieldType t) {
  switch (t) {
    case FieldType::kText:
      return "text";
    case FieldType::kBool:
      return "true/false";
    case FieldType::kInt:
      return "whole number";
    case FieldType::kDate:
      return "date (YYYY-MM-DD)";
    case FieldType::kUrl:
      return "URL";
    case FieldType::kContact:
      return "e-mail address or URL";
    case FieldType::kList:
      return "list";
    case FieldType::kServices:
      return "list of services";
  }
  return "text";
}

Result<Schema> ParseSchema(const std::string& text, const std::string& file,
                           const Catalogue& catalogue) {
  const Standard* standard = catalogue.Find(kSchemaStandard);
  if (!standard) {
    return MakeError(Errc::kCorrupt,
                     fmt::format("the catalogue has no standard {} to check the provisions against",
                                 kSchemaStandard),
                     file);
  }
  std::set<std::string> provisions;
  for (const auto& item : standard->items)
    if (item.IsProvision()) provisions.insert(item.id);
  try {
    Schema s = ReadSchema(YAML::Load(text), provisions);
    s.file = file;
    return s;
  } catch (const SchemaFault& e) {
    const std::string where = e.line > 0 ? fmt::format("line {}: ", e.line) : "";
    return MakeError(Errc::kCorrupt, where + e.what, file);
  } catch (const YAML::Exception& e) {
    return MakeError(Errc::kCorrupt, fmt::format("line {}: {}", e.mark.line + 1, e.msg), file);
  }
}

Result<Schema> LoadSchema(const std::string& file, const Catalogue& catalogue) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return MakeError(Errc::kIo,
                     "cannot read the declaration schema (set IOTCOP_DATA to the folder that "
                     "holds schema/)",
                     file);
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kMaxSchemaBytes)
    return MakeError(Errc::kLimitExceeded, "larger than 1 MiB", file);
  return ParseSchema(text.str(), file, catalogue);
}

const Result<Schema>& BuiltinSchema(const Catalogue* catalogue) {
  static const Result<Schema> kSchema = [catalogue]() -> Result<Schema> {
    const std::string file = (DataDir() / "schema" / "declaration.yaml").string();
    if (catalogue) return LoadSchema(file, *catalogue);
    auto own = Catalogue::Load(Catalogue::DefaultDir());
    if (!own) return own.error();
    return LoadSchema(file, *own);
  }();
  return kSchema;
}

std::span<const FieldSpec> Fields() {
  const auto& s = BuiltinSchema();
  return s ? std::span<const FieldSpec>(s->fields) : std::span<const FieldSpec>();
}

std::span<const TopicSpec> Topics() {
  const auto& s = BuiltinSchema();
  return s ? std::span<const TopicSpec>(s->topics) : std::span<const TopicSpec>();
}

const FieldSpec* FindField(std::string_view path) {
  for (const auto& f : Fields())
    if (f.path == path) return &f;
  return nullptr;
}

bool IsSection(std::string_view path) {
  for (const auto& f : Fields())
    if (Under(f.path, path)) return true;
  return false;
}

}  // namespace iotcop::declaration
