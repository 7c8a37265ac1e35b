#include "declaration/declaration.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "core/fact_kinds.h"
#include "core/strings.h"

namespace iotcop::declaration {
namespace {

bool Contains(const std::string& hay, std::initializer_list<const char*> needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](const char* n) { return hay.find(n) != std::string::npos; });
}

class Parser {
 public:
  Parser(const std::string& text, Declaration& d) : d_(d) {
    std::stringstream ss(text);
    std::string line;
    while (std::getline(ss, line)) lines_.push_back(line);
  }

  void Walk(const YAML::Node& node, const std::string& prefix) {
    for (const auto& kv : node) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      const std::string path = prefix.empty() ? key : prefix + "." + key;
      const auto line = static_cast<std::uint32_t>(kv.first.Mark().line + 1);
      if (const FieldSpec* spec = FindField(path)) {
        Read(*spec, kv.second, line);
      } else if (IsSection(path)) {
        if (kv.second.IsMap()) {
          Walk(kv.second, path);
        } else if (!kv.second.IsNull()) {
          Problem(line, path, "is a section: expected the fields under it, not a value");
        }
      } else {
        Problem(line, path, "unknown field (see `iotcop declare init` for the schema)");
      }
    }
  }

 private:
  void Problem(std::uint32_t line, const std::string& field, const std::string& what) {
    d_.problems.push_back({"warning", "declaration", d_.file, "", std::nullopt,
                           fmt::format("line {}: {}: {}", line, field, what)});
  }

  std::string Excerpt(std::uint32_t line) const {
    if (line == 0 || line > lines_.size()) return {};
    std::string l = lines_[line - 1];
    while (!l.empty() && (l.front() == ' ')) l.erase(l.begin());
    return BoundExcerpt(l);
  }

  void Read(const FieldSpec& spec, const YAML::Node& v, std::uint32_t line) {
    Claim c{&spec, nullptr, line, Excerpt(line)};
    const std::string field(spec.path);
    if (v.IsNull()) {
      Problem(line, field, "is empty");
      return;
    }
    switch (spec.type) {
      case FieldType::kBool: {
        if (!v.IsScalar()) return Problem(line, field, "expected true or false");
        const std::string s = Lower(v.Scalar());
        if (s == "true" || s == "yes")
          c.value = true;
        else if (s == "false" || s == "no")
          c.value = false;
        else
          return Problem(line, field, "expected true or false, not \"" + v.Scalar() + "\"");
        break;
      }
      case FieldType::kInt: {
        if (!v.IsScalar()) return Problem(line, field, "expected a whole number");
        const std::string& s = v.Scalar();
        if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), [](char ch) {
              return std::isdigit(static_cast<unsigned char>(ch));
            })) {
          return Problem(line, field, "expected a whole number, not \"" + s + "\"");
        }
        c.value = std::stoi(s);
        break;
      }
      case FieldType::kList: {
        if (v.IsScalar()) {
          c.value = nlohmann::json::array({v.Scalar()});  // "none" or a single item
        } else if (v.IsSequence()) {
          c.value = nlohmann::json::array();
          for (const auto& e : v) {
            if (!e.IsScalar()) return Problem(line, field, "expected a list of text items");
            c.value.push_back(e.Scalar());
          }
        } else {
          return Problem(line, field, "expected a list");
        }
        break;
      }
      case FieldType::kServices: {
        if (!v.IsSequence())
          return Problem(line, field,
                         "expected a list of services ({name, port, purpose, enabled})");
        c.value = nlohmann::json::array();
        for (const auto& e : v) {
          const auto el = static_cast<std::uint32_t>(e.Mark().line + 1);
          if (!e.IsMap() || !e["name"]) {
            Problem(el, field, "each service needs at least a name");
            continue;
          }
          nlohmann::json s = nlohmann::json::object();
          for (const auto& kv : e) {
            const std::string k = kv.first.Scalar();
            if (k == "name" || k == "purpose" || k == "note" || k == "protocol") {
              s[k] = kv.second.IsScalar() ? kv.second.Scalar() : "";
            } else if (k == "port") {
              try {
                s[k] = kv.second.as<int>();
              } catch (const YAML::Exception&) {
                Problem(el, field + ".port", "expected a port number");
              }
            } else if (k == "enabled") {
              s[k] = Lower(kv.second.Scalar()) == "true" || Lower(kv.second.Scalar()) == "yes";
            } else {
              Problem(static_cast<std::uint32_t>(kv.first.Mark().line + 1), field + "." + k,
                      "unknown service field");
            }
          }
          s["line"] = el;
          if (!s.contains("enabled")) s["enabled"] = true;
          c.value.push_back(s);
        }
        break;
      }
      default: {
        if (!v.IsScalar()) {
          if (spec.judge == Judge::kNoneOrList && v.IsSequence()) {
            c.value = nlohmann::json::array();
            for (const auto& e : v) c.value.push_back(e.IsScalar() ? e.Scalar() : std::string("?"));
            break;
          }
          return Problem(line, field, std::string("expected ") + FieldTypeName(spec.type));
        }
        c.value = v.Scalar();
      }
    }
    d_.claims.push_back(std::move(c));
  }

  Declaration& d_;
  std::vector<std::string> lines_;
};

void AddProperty(FactStore& facts, const Declaration& d, const Claim& c, const char* name,
                 bool value, const std::string& reason) {
  Evidence ev;
  ev.source = InputKind::kDeclaration;
  ev.input = d.file;
  ev.line = c.line;
  ev.excerpt = c.excerpt;
  facts.Add(facts::kProperty, {{"name", name}, {"value", value}, {"reason", reason}}, ev,
            "declaration");
}

}  // namespace

const Claim* Declaration::Get(std::string_view path) const {
  for (const auto& c : claims)
    if (c.spec->path == path) return &c;
  return nullptr;
}

nlohmann::json Declaration::ToJson() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& c : claims) j[std::string(c.spec->path)] = c.value;
  return j;
}

std::string ClaimText(const Claim& c) {
  if (c.value.is_string()) return Lower(c.value.get<std::string>());
  if (c.value.is_array()) {
    std::string out;
    for (const auto& e : c.value)
      out += (out.empty() ? "" : ", ") + Lower(e.is_string() ? e.get<std::string>() : e.dump());
    return out;
  }
  return Lower(c.value.dump());
}

Result<Declaration> Parse(const std::string& text, const std::string& file) {
  if (const auto& schema = BuiltinSchema(); !schema) return schema.error();
  Declaration d;
  d.file = file;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return MakeError(Errc::kCorrupt,
                     fmt::format("line {}: not valid YAML: {}", e.mark.line + 1, e.msg), file);
  }
  if (root.IsNull()) {
    d.problems.push_back(
        {"warning", "declaration", file, "", std::nullopt, "the declaration is empty"});
    return d;
  }
  if (!root.IsMap())
    return MakeError(Errc::kCorrupt, "the top level must be a mapping of topics", file);
  Parser p(text, d);
  try {
    p.Walk(root, "");
  } catch (const YAML::Exception& e) {
    return MakeError(Errc::kCorrupt, fmt::format("line {}: {}", e.mark.line + 1, e.msg), file);
  }
  const Claim* schema = d.Get("schema");
  if (!schema) {
    d.problems.push_back({"warning", "declaration", file, "", std::nullopt,
                          fmt::format("no schema field (expected \"schema: {}\")", kSchemaId)});
  } else if (schema->value != std::string(kSchemaId)) {
    d.problems.push_back({"warning", "declaration", file, "", std::nullopt,
                          fmt::format("line {}: schema: expected {}", schema->line, kSchemaId)});
  }
  return d;
}

Result<Declaration> Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(Errc::kIo, "cannot read", path);
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().size() > (1u << 20))
    return MakeError(Errc::kLimitExceeded, "larger than 1 MiB", path);
  return Parse(ss.str(), path);
}

void AddFacts(const Declaration& d, FactStore& facts) {
  for (const auto& c : d.claims) {
    Evidence ev;
    ev.source = InputKind::kDeclaration;
    ev.input = d.file;
    ev.line = c.line;
    ev.excerpt = c.excerpt;
    facts.Add(facts::kClaim,
              {{"field", c.spec->path},
               {"topic", c.spec->topic},
               {"value", c.value},
               {"provisions", c.spec->provisions}},
              ev, "declaration");
    if (c.spec->property.empty()) continue;
    const std::string text = ClaimText(c);
    const std::string prop(c.spec->property);
    if (c.value.is_boolean()) {
      AddProperty(facts, d, c, prop.c_str(), c.value.get<bool>(),
                  fmt::format("declared {}: {}", c.spec->path, c.value.dump()));
    } else if (prop == "preinstalled_passwords") {
      const bool user_chosen = Contains(text, {"chosen by the user", "user-defined", "user defined",
                                               "set by the user", "no password"});
      AddProperty(facts, d, c, "passwords_used", !Contains(text, {"no password"}),
                  "declared password scheme");
      AddProperty(facts, d, c, "preinstalled_passwords", !user_chosen,
                  fmt::format("declared password scheme: {}", c.excerpt));
    } else if (prop == "consent_basis") {
      AddProperty(facts, d, c, "consent_basis", Contains(text, {"consent"}),
                  fmt::format("declared legal basis: {}", text));
    } else if (prop == "debug_interface_physical") {
      const bool none = text == "none" || text == "no" || text == "[]";
      AddProperty(facts, d, c, "debug_interface_physical", !none,
                  fmt::format("declared debug interfaces: {}", text));
    } else if (prop == "update_mechanism") {
      const bool none = text == "none" || text == "no";
      AddProperty(facts, d, c, "update_mechanism", !none,
                  fmt::format("declared update mechanism: {}", c.excerpt));
      AddProperty(facts, d, c, "software_updatable", !none, "declared update mechanism");
    } else if (prop == "updates_over_network") {
      AddProperty(facts, d, c, "updates_over_network",
                  Contains(text, {"http", "network", "online", "ota", "over the air", "server",
                                  "cloud", "internet", "wi-fi", "wifi"}),
                  fmt::format("declared update delivery: {}", c.excerpt));
    } else if (prop == "hardcoded_identity") {
      const bool none = text == "none" || text == "no";
      AddProperty(facts, d, c, "hardcoded_identity", !none, "declared device identity");
    }
  }
}

}  // namespace iotcop::declaration
