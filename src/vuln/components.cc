#include "vuln/components.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "core/paths.h"
#include "core/strings.h"

namespace iotcop::vuln {

Result<std::vector<ComponentRule>> LoadComponentRules(const std::filesystem::path& file) {
  std::vector<ComponentRule> out;
  try {
    const YAML::Node root = YAML::LoadFile(file.string());
    const YAML::Node list = root["components"];
    if (!list || !list.IsSequence()) {
      return MakeError(Errc::kCorrupt, "no `components:` list", file.string());
    }
    for (const auto& n : list) {
      ComponentRule r;
      r.name = n["name"].as<std::string>();
      if (n["vendor"]) r.vendor = n["vendor"].as<std::string>();
      if (n["product"]) r.product = n["product"].as<std::string>();
      if (n["part"]) r.part = n["part"].as<std::string>();
      if (n["type"]) r.type = n["type"].as<std::string>();
      if (n["packages"]) r.packages = n["packages"].as<std::vector<std::string>>();
      if (n["services"]) r.services = n["services"].as<std::vector<std::string>>();
      for (auto& sv : r.services) sv = Lower(sv);
      if (n["files"]) r.files = n["files"].as<std::vector<std::string>>();
      if (n["hint"]) r.hint = n["hint"].as<std::string>();
      if (n["blobs"]) r.blobs = n["blobs"].as<bool>();
      try {
        if (n["version"]) r.version.emplace(n["version"].as<std::string>(), std::regex::ECMAScript);
        if (n["paths"]) {
          const std::string re = n["paths"].as<std::string>();
          r.paths.emplace(re, std::regex::ECMAScript);
          if (re.starts_with("^")) {
            const auto end = re.find_first_of("\\()[]{}.*+?|$", 1);
            r.paths_prefix = re.substr(1, end == std::string::npos ? std::string::npos : end - 1);
          }
        }
      } catch (const std::regex_error& e) {
        return MakeError(Errc::kCorrupt, "component " + r.name + ": bad regex: " + e.what(),
                         file.string());
      }
      out.push_back(std::move(r));
    }
  } catch (const YAML::Exception& e) {
    return MakeError(Errc::kCorrupt, e.what(), file.string());
  }
  return out;
}

const Result<std::vector<ComponentRule>>& BuiltinComponentRules() {
  static const Result<std::vector<ComponentRule>> kRules =
      LoadComponentRules(DataDir() / "rules" / "components.yaml");
  return kRules;
}

const ComponentRule* FindServiceComponent(const std::vector<ComponentRule>& rules,
                                          std::string_view product) {
  const std::string p = Lower(product);
  if (p.empty()) return nullptr;
  for (const auto& r : rules) {
    if (Lower(r.name) == p ||
        std::find(r.services.begin(), r.services.end(), p) != r.services.end())
      return &r;
  }
  return nullptr;
}

std::string MakeCpe(const ComponentRule& rule, std::string_view version) {
  if (rule.vendor.empty() || rule.product.empty() || version.empty()) return {};
  std::string v;
  for (char c : version) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      v.push_back('\\');
    }
    v.push_back(c);
  }
  return "cpe:2.3:" + rule.part + ":" + rule.vendor + ":" + rule.product + ":" + v +
         ":*:*:*:*:*:*:*";
}

std::string MakePurl(std::string_view type, std::string_view ns, std::string_view name,
                     std::string_view version) {
  auto enc = [](std::string_view s) {
    std::string o;
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~') {
        o.push_back(static_cast<char>(c));
      } else {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", c);
        o += buf;
      }
    }
    return o;
  };
  std::string p = "pkg:" + std::string(type) + "/";
  if (!ns.empty()) p += enc(ns) + "/";
  p += enc(name);
  if (!version.empty()) p += "@" + enc(version);
  return p;
}

}  // namespace iotcop::vuln
