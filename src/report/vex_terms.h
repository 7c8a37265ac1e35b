// File: report/vex_terms.h
// The words of VEX in the two formats iotcop writes: a vulnerability match's `vex` field (set by
// the vulnerabilities collector from --vex, OpenVEX words) as a CycloneDX analysis and as an
// OpenVEX statement; and the deterministic UUID both documents derive from the assessment.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/bytes.h"
#include "core/hash.h"

namespace iotcop::report {

// A UUID (version 5 layout) from a SHA-256 of `material`.
inline std::string UuidFrom(const std::string& material) {
  std::string h = Sha256Hex(AsBytes(material)).substr(0, 32);
  h[12] = '5';
  const char variant[] = "89ab";
  h[16] = variant[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

// The VEX status of a vulnerability fact: its statement's, else "affected" (a version match).
inline std::string VexStatusOf(const nlohmann::json& v) {
  if (v.contains("vex") && v["vex"].is_object()) return v["vex"].value("status", "affected");
  return "affected";
}

// OpenVEX status -> CycloneDX 1.5 analysis state.
inline std::string CdxStateOf(const std::string& status) {
  if (status == "not_affected") return "not_affected";
  if (status == "fixed") return "resolved";
  if (status == "under_investigation") return "in_triage";
  return "exploitable";
}

// A justification (OpenVEX/CSAF or CycloneDX words) as CycloneDX's, empty when it has none.
inline std::string CdxJustificationOf(const std::string& j) {
  if (j == "component_not_present" || j == "vulnerable_code_not_present") return "code_not_present";
  if (j == "vulnerable_code_not_in_execute_path") return "code_not_reachable";
  if (j == "vulnerable_code_cannot_be_controlled_by_adversary") return "requires_environment";
  if (j == "inline_mitigations_already_exist") return "protected_by_mitigating_control";
  static const char* const kCdx[] = {
      "code_not_present",     "code_not_reachable",     "requires_configuration",
      "requires_dependency",  "requires_environment",   "protected_by_compiler",
      "protected_at_runtime", "protected_at_perimeter", "protected_by_mitigating_control"};
  for (const char* k : kCdx)
    if (j == k) return j;
  return {};
}

// A justification as OpenVEX's, empty when it has none.
inline std::string OpenVexJustificationOf(const std::string& j) {
  static const char* const kOpenVex[] = {
      "component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
      "vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist"};
  for (const char* k : kOpenVex)
    if (j == k) return j;
  if (j == "code_not_present") return "vulnerable_code_not_present";
  if (j == "code_not_reachable") return "vulnerable_code_not_in_execute_path";
  if (j == "requires_configuration" || j == "requires_dependency" || j == "requires_environment")
    return "vulnerable_code_cannot_be_controlled_by_adversary";
  if (j.starts_with("protected_")) return "inline_mitigations_already_exist";
  return {};
}

// What a statement says in words: its impact statement, its justification and where it came from.
inline std::string VexDetailOf(const nlohmann::json& v) {
  if (!v.contains("vex") || !v["vex"].is_object()) {
    return "iotcop matched the component's version: " + v.value("why", "");
  }
  const auto& x = v["vex"];
  std::string d = x.value("impact", "");
  if (const std::string j = x.value("justification", ""); !j.empty())
    d += (d.empty() ? "" : " ") + std::string("(") + j + ")";
  d += (d.empty() ? "" : "; ") + std::string("VEX statement ") + x.value("source", "") + "#" +
       x.value("pointer", "");
  return d;
}

}  // namespace iotcop::report
