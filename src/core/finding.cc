#include "core/finding.h"

#include <cctype>

#include <nlohmann/json.hpp>

#include "core/hash.h"

namespace iotcop {

std::string SubjectKey(std::string_view key) {
  std::string out;
  for (std::size_t i = 0; i < key.size();) {
    const bool boundary = i == 0 || !std::isalnum(static_cast<unsigned char>(key[i - 1]));
    if (boundary && key.substr(i, 2) == "0x" && i + 2 < key.size() &&
        std::isxdigit(static_cast<unsigned char>(key[i + 2]))) {
      std::size_t j = i + 2;
      while (j < key.size() && std::isxdigit(static_cast<unsigned char>(key[j]))) ++j;
      // Only a carve name ("0x40.squashfs", "0x40_lzma", "0x40-rootfs"): a bare value stays.
      if (j < key.size() && (key[j] == '.' || key[j] == '_' || key[j] == '-')) {
        i = j + 1;
        continue;
      }
    }
    out.push_back(key[i++]);
  }
  for (const char* suffix : {".extracted", "_extract"}) {
    for (auto at = out.find(suffix); at != std::string::npos; at = out.find(suffix, at))
      out.erase(at, std::char_traits<char>::length(suffix));
  }
  return out;
}

std::string Fingerprint(std::string_view check_id, std::string_view key) {
  std::string material(check_id);
  material.push_back('\0');
  material.append(SubjectKey(key));
  return Sha256Hex(AsBytes(material)).substr(0, 16);
}

void to_json(nlohmann::json& j, const Finding& f) {
  j = nlohmann::json{{"fingerprint", f.fingerprint},
                     {"check", f.check_id},
                     {"title", f.title},
                     {"message", f.message},
                     {"severity", SeverityName(f.severity)},
                     {"provisions", f.provisions},
                     {"evidence", f.evidence},
                     {"facts", f.facts},
                     {"remediation", f.remediation}};
  if (!f.subject.empty()) j["subject"] = f.subject;
  if (!f.informs.empty()) j["informs"] = f.informs;
}

}  // namespace iotcop
