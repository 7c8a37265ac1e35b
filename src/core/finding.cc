#include "core/finding.h"

#include <nlohmann/json.hpp>

#include "core/hash.h"

namespace iotcop {

std::string Fingerprint(std::string_view check_id, std::string_view key) {
  std::string material(check_id);
  material.push_back('\0');
  material.append(key);
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
}

}  // namespace iotcop
