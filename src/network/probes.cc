// File: network/probes.cc
// Loading rules/probes.yaml and matching answers against it (see probes.h).
#include "network/probes.h"

#include <yaml-cpp/yaml.h>

#include "core/paths.h"

namespace iotcop::network {

namespace {

// "$2" -> group 2 of m; other text is literal.
std::string Expand(const std::string& tmpl, const std::smatch& m) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '$' && i + 1 < tmpl.size() && tmpl[i + 1] >= '1' && tmpl[i + 1] <= '9') {
      const auto g = static_cast<std::size_t>(tmpl[i + 1] - '0');
      if (g < m.size() && m[g].matched) out += m[g].str();
      ++i;
    } else {
      out += tmpl[i];
    }
  }
  return out;
}

nlohmann::json YamlScalar(const YAML::Node& n) {
  const std::string s = n.as<std::string>();
  if (s == "true") return true;
  if (s == "false") return false;
  return s;
}

}  // namespace

Result<std::vector<Probe>> LoadProbes(const std::filesystem::path& file) {
  std::vector<Probe> out;
  try {
    const YAML::Node root = YAML::LoadFile(file.string());
    const YAML::Node list = root["probes"];
    if (!list || !list.IsSequence())
      return MakeError(Errc::kCorrupt, "no `probes:` list", file.string());
    for (const auto& n : list) {
      Probe p;
      p.name = n["name"].as<std::string>();
      if (n["transport"]) p.transport = n["transport"].as<std::string>();
      if (n["ports"]) p.ports = n["ports"].as<std::vector<std::uint16_t>>();
      if (n["send"]) p.send = n["send"].as<std::string>();
      if (n["tls"]) p.tls = n["tls"].as<bool>();
      for (const auto& m : n["matches"]) {
        ProbeMatch pm;
        pm.service = m["service"].as<std::string>();
        pm.pattern_text = m["pattern"].as<std::string>();
        try {
          pm.pattern = std::regex(pm.pattern_text, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
          return MakeError(Errc::kCorrupt,
                           "probe " + p.name + ": bad regex '" + pm.pattern_text + "': " + e.what(),
                           file.string());
        }
        if (m["product"]) pm.product = m["product"].as<std::string>();
        if (m["version"]) pm.version = m["version"].as<std::string>();
        if (m["cleartext"]) pm.cleartext = m["cleartext"].as<bool>();
        if (m["attrs"]) {
          for (const auto& kv : m["attrs"])
            pm.attrs[kv.first.as<std::string>()] = YamlScalar(kv.second);
        }
        p.matches.push_back(std::move(pm));
      }
      if (p.matches.empty())
        return MakeError(Errc::kCorrupt, "probe " + p.name + ": no matches", file.string());
      out.push_back(std::move(p));
    }
  } catch (const YAML::Exception& e) {
    return MakeError(Errc::kCorrupt, e.what(), file.string());
  }
  return out;
}

const Result<std::vector<Probe>>& BuiltinProbes() {
  static const Result<std::vector<Probe>> probes = LoadProbes(DataDir() / "rules" / "probes.yaml");
  return probes;
}

std::optional<Identification> MatchProbe(const Probe& probe, std::string_view answer) {
  const std::string text(answer.substr(0, kMatchWindow));
  for (const auto& m : probe.matches) {
    std::smatch sm;
    try {
      if (!std::regex_search(text, sm, m.pattern, std::regex_constants::match_continuous)) continue;
    } catch (const std::regex_error&) {
      continue;  // complexity or stack limits of std::regex on hostile input: no match
    }
    Identification id;
    id.probe = probe.name;
    id.service = m.service;
    id.product = Expand(m.product, sm);
    id.version = Expand(m.version, sm);
    id.attrs = m.attrs;
    id.cleartext = m.cleartext;
    return id;
  }
  return std::nullopt;
}

}  // namespace iotcop::network
