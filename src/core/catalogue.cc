#include "core/catalogue.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>

#include "core/paths.h"

namespace iotcop {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string Str(const YAML::Node& n, const char* key) {
  const YAML::Node v = n[key];
  if (!v || v.IsNull()) return {};
  if (!v.IsScalar())
    throw YAML::RepresentationException(v.Mark(), std::string(key) + " must be text");
  return v.as<std::string>();
}

std::vector<std::string> StrList(const YAML::Node& n, const char* key) {
  std::vector<std::string> out;
  const YAML::Node v = n[key];
  if (!v || v.IsNull()) return out;
  if (v.IsScalar()) return {v.as<std::string>()};
  if (!v.IsSequence())
    throw YAML::RepresentationException(v.Mark(), std::string(key) + " must be a list");
  for (const auto& e : v) out.push_back(e.as<std::string>());
  return out;
}

nlohmann::json ToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Sequence: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& e : n) a.push_back(ToJson(e));
      return a;
    }
    case YAML::NodeType::Map: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& kv : n) o[kv.first.as<std::string>()] = ToJson(kv.second);
      return o;
    }
    case YAML::NodeType::Scalar: {
      const std::string s = n.as<std::string>();
      if (s == "true") return true;
      if (s == "false") return false;
      return s;
    }
    default:
      return nullptr;
  }
}

std::vector<CatalogueCondition> Conditions(const YAML::Node& n) {
  std::vector<CatalogueCondition> out;
  if (!n) return out;
  for (const auto& c : n) {
    CatalogueCondition cond;
    cond.id = Str(c, "id");
    cond.text = Str(c, "text");
    cond.property = Str(c, "property");
    cond.negate = c["negate"] && c["negate"].as<bool>();
    out.push_back(std::move(cond));
  }
  return out;
}

const std::set<std::string> kItemKeys = {"id",        "title",       "text",      "status",
                                         "group",     "decide_with", "relation",  "v2",
                                         "deemed_by", "links",       "unverified"};

Result<Standard> LoadFile(const fs::path& path) {
  Standard std_;
  std_.file = path.string();
  try {
    const YAML::Node root = YAML::LoadFile(path.string());
    const YAML::Node s = root["standard"];
    if (!s) return MakeError(Errc::kCorrupt, "no 'standard:' section", path.string());
    std_.id = Str(s, "id");
    std_.name = Str(s, "name");
    std_.version = Str(s, "version");
    std_.description = Str(s, "description");
    std_.sources = StrList(s, "sources");
    std_.unverified = s["unverified"] && s["unverified"].as<bool>();
    if (std_.id.empty()) return MakeError(Errc::kCorrupt, "standard.id is missing", path.string());
    std_.conditions = Conditions(root["conditions"]);
    std_.features = Conditions(root["features"]);
    if (root["groups"]) {
      for (const auto& g : root["groups"]) std_.groups.push_back({Str(g, "id"), Str(g, "title")});
    }
    std_.statement_of_compliance = StrList(root, "statement_of_compliance");
    std_.rules = StrList(root, "rules");
    std::set<std::string> seen;
    for (const auto& n : root["items"]) {
      CatalogueItem it;
      it.standard = std_.id;
      it.id = Str(n, "id");
      if (it.id.empty()) {
        return MakeError(Errc::kCorrupt,
                         "line " + std::to_string(n.Mark().line + 1) + ": item without id",
                         path.string());
      }
      if (!seen.insert(it.id).second) {
        return MakeError(Errc::kCorrupt,
                         "line " + std::to_string(n.Mark().line + 1) + ": duplicate id " + it.id,
                         path.string());
      }
      it.title = Str(n, "title");
      it.text = Str(n, "text");
      it.status = Str(n, "status");
      it.group = Str(n, "group");
      it.decide_with = Str(n, "decide_with");
      it.relation = Str(n, "relation");
      it.v2 = StrList(n, "v2");
      it.deemed_by = StrList(n, "deemed_by");
      it.links = StrList(n, "links");
      it.unverified = std_.unverified || (n["unverified"] && n["unverified"].as<bool>());
      if (!it.status.empty()) {
        auto st = ParseStatus(it.status);
        if (!st) {
          return MakeError(Errc::kCorrupt,
                           "line " + std::to_string(n.Mark().line + 1) + ": item " + it.id + ": " +
                               st.error().what,
                           path.string());
        }
        it.mandatory = st->mandatory;
        it.conditions = st->conditions;
        it.features = st->features;
      }
      for (const auto& kv : n) {
        const std::string key = kv.first.as<std::string>();
        if (!kItemKeys.count(key)) it.extra[key] = ToJson(kv.second);
      }
      std_.items.push_back(std::move(it));
    }
  } catch (const YAML::Exception& e) {
    return MakeError(Errc::kCorrupt, "line " + std::to_string(e.mark.line + 1) + ": " + e.msg,
                     path.string());
  }
  return std_;
}

}  // namespace

Result<ParsedStatus> ParseStatus(std::string_view status) {
  static const std::regex kRe(R"(^(M|R)(?: C \(([0-9, ]+)\))?(?: F \(([a-z, ]+)\))?$)");
  std::cmatch m;
  if (!std::regex_match(status.begin(), status.end(), m, kRe)) {
    return MakeError(Errc::kCorrupt, "status '" + std::string(status) +
                                         "' is not of the form M | R [C (n, ...)] [F (x, ...)]");
  }
  ParsedStatus p;
  p.mandatory = m[1] == "M";
  if (m[2].matched) p.conditions = SplitList(m[2].str());
  if (m[3].matched) p.features = SplitList(m[3].str());
  return p;
}

const CatalogueItem* Standard::Item(std::string_view want) const {
  for (const auto& it : items)
    if (it.id == want) return &it;
  return nullptr;
}
const CatalogueCondition* Standard::Condition(std::string_view want) const {
  for (const auto& c : conditions)
    if (c.id == want) return &c;
  return nullptr;
}
const CatalogueGroup* Standard::Group(std::string_view want) const {
  for (const auto& g : groups)
    if (g.id == want) return &g;
  return nullptr;
}

std::string Catalogue::DefaultDir() {
  if (const char* env = std::getenv("IOTCOP_DATA")) return (fs::path(env) / "catalogue").string();
  return (DataDir() / "catalogue").string();
}

Result<Catalogue> Catalogue::Load(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return MakeError(
        Errc::kIo,
        "catalogue folder not found (set IOTCOP_DATA to the folder that holds catalogue/)", dir);
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  Catalogue cat;
  for (const auto& f : files) {
    auto s = LoadFile(f);
    if (!s) return s.error();
    if (cat.Find(s->id))
      return MakeError(Errc::kCorrupt, "standard " + s->id + " defined twice", f.string());
    cat.standards_.push_back(std::move(s).value());
  }
  if (cat.standards_.empty()) return MakeError(Errc::kCorrupt, "no *.yaml standards", dir);
  // Reverse links.
  std::vector<std::pair<std::string, std::string>> edges;  // from -> to
  for (const auto& s : cat.standards_)
    for (const auto& it : s.items) {
      std::set<std::string> targets(it.links.begin(), it.links.end());
      targets.insert(it.deemed_by.begin(), it.deemed_by.end());
      for (const auto& t : targets) edges.emplace_back(it.Qualified(), t);
    }
  for (const auto& [from, to] : edges) {
    if (auto* target = const_cast<CatalogueItem*>(cat.Resolve(to)))
      target->backlinks.push_back(from);
  }
  return cat;
}

const Standard* Catalogue::Find(std::string_view standard_id) const {
  for (const auto& s : standards_)
    if (s.id == standard_id) return &s;
  return nullptr;
}

const CatalogueItem* Catalogue::Resolve(std::string_view qualified) const {
  const auto colon = qualified.find(':');
  if (colon == std::string_view::npos) return nullptr;
  const Standard* s = Find(qualified.substr(0, colon));
  return s ? s->Item(qualified.substr(colon + 1)) : nullptr;
}

std::vector<const CatalogueItem*> Catalogue::Lookup(std::string_view id) const {
  if (const CatalogueItem* q = Resolve(id)) return {q};
  std::vector<const CatalogueItem*> out;
  for (const auto& s : standards_)
    if (const CatalogueItem* it = s.Item(id)) out.push_back(it);
  return out;
}

std::optional<std::string> Catalogue::GuidelineOf(const CatalogueItem& item) const {
  if (item.standard == "cop2018") return item.id;
  for (const auto& l : item.links) {
    if (l.rfind("cop2018:", 0) == 0) return l.substr(8);
  }
  for (const auto& l : item.links) {
    if (const CatalogueItem* next = Resolve(l)) {
      for (const auto& l2 : next->links)
        if (l2.rfind("cop2018:", 0) == 0) return l2.substr(8);
    }
  }
  return std::nullopt;
}

std::vector<std::string> Catalogue::DanglingLinks() const {
  std::vector<std::string> out;
  for (const auto& s : standards_)
    for (const auto& it : s.items) {
      for (const auto& l : it.links)
        if (!Resolve(l)) out.push_back(it.Qualified() + " -> " + l);
      for (const auto& l : it.deemed_by)
        if (!Resolve(l)) out.push_back(it.Qualified() + " -> " + l);
      if (!it.group.empty() && !s.Group(it.group))
        out.push_back(it.Qualified() + " group " + it.group);
      for (const auto& c : it.conditions)
        if (!s.Condition(c)) out.push_back(it.Qualified() + " condition " + c);
    }
  return out;
}

}  // namespace iotcop
