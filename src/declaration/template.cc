#include "declaration/template.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "declaration/schema.h"

namespace iotcop::declaration {
namespace {

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    std::string part(s.substr(start, end - start));
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (!part.empty()) out.push_back(part);
    start = end + 1;
  }
  return out;
}

// The answer as a YAML value: JSON-quoted text is valid YAML.
std::string YamlValue(const FieldSpec& f, const std::string& raw) {
  switch (f.type) {
    case FieldType::kBool:
    case FieldType::kInt:
      return raw;
    case FieldType::kList: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& p : Split(raw, ',')) a.push_back(p);
      return a.dump();
    }
    case FieldType::kServices: {
      // "https:443:web UI; ssh:22:maintenance"
      std::string out = "\n";
      for (const auto& svc : Split(raw, ';')) {
        auto parts = Split(svc, ':');
        if (parts.empty()) continue;
        out += fmt::format("  - name: {}\n", nlohmann::json(parts[0]).dump());
        if (parts.size() > 1) out += fmt::format("    port: {}\n", parts[1]);
        if (parts.size() > 2)
          out += fmt::format("    purpose: {}\n", nlohmann::json(parts[2]).dump());
      }
      if (!out.empty() && out.back() == '\n') out.pop_back();
      return out;
    }
    default:
      return nlohmann::json(raw).dump();
  }
}

std::string Render(const std::map<std::string, std::string>* answers) {
  std::string out =
      "# iotcop manufacturer declaration (IXIT, after ETSI TS 103 701).\n"
      "# Each entry answers the EN 303 645 provisions named in its comment. Uncomment and "
      "complete\n"
      "# what applies; an entry left out keeps its provisions' conceptual verdict INCONCLUSIVE.\n"
      "# Check it with: iotcop declare check FILE\n\n";
  out += fmt::format("schema: {}\n", kSchemaId);
  std::string_view topic;
  std::vector<std::string> open;  // currently open section path components
  for (const auto& f : Fields()) {
    if (f.path == "schema") continue;
    if (f.topic != topic) {
      topic = f.topic;
      for (const auto& t : Topics())
        if (t.id == topic) out += fmt::format("\n# == {} ==\n", t.title);
    }
    auto parts = Split(f.path, '.');
    // Close or open sections so that the parents of this field are open.
    std::size_t common = 0;
    while (common < open.size() && common + 1 < parts.size() && open[common] == parts[common])
      ++common;
    open.resize(common);
    for (std::size_t i = common; i + 1 < parts.size(); ++i) {
      out += fmt::format("{}{}:\n", std::string(2 * i, ' '), parts[i]);
      open.push_back(parts[i]);
    }
    const std::string indent(2 * (parts.size() - 1), ' ');
    std::string provisions;
    for (auto p : f.provisions) provisions += (provisions.empty() ? "" : ", ") + std::string(p);
    out += fmt::format("{}# {} ({}{})\n", indent, f.help, FieldTypeName(f.type),
                       provisions.empty() ? "" : "; answers " + provisions);
    const std::string path(f.path);
    if (answers && answers->count(path)) {
      out += fmt::format("{}{}: {}\n", indent, parts.back(), YamlValue(f, answers->at(path)));
    } else {
      std::string example = YamlValue(f, std::string(f.example));
      if (f.type == FieldType::kServices) {
        for (std::size_t i = 0; (i = example.find('\n', i)) != std::string::npos; i += 2)
          example.insert(i + 1, "# ");
      }
      out += fmt::format("{}# {}: {}\n", indent, parts.back(), example);
    }
  }
  return out;
}

}  // namespace

std::string Template() { return Render(nullptr); }
std::string Filled(const std::map<std::string, std::string>& answers) { return Render(&answers); }

}  // namespace iotcop::declaration
