// File: store/fingerprint.cc
#include "store/fingerprint.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <vector>

#include "core/hash.h"

namespace iotcop::store {

namespace {

// `path` without the input's file name wherever it appears as a whole name: at the start or after
// '/' or '!', before '!', '/', '.' or the end. A folder input names its root after itself
// ("rootfs-1.2!/etc/shadow"), an image its extraction folder.
std::string WithoutInputName(std::string path, const std::string& input) {
  const std::string base = std::filesystem::path(input).filename().string();
  if (base.empty()) return path;
  for (auto at = path.find(base); at != std::string::npos; at = path.find(base, at + 1)) {
    const auto end = at + base.size();
    const bool starts =
        at == 0 || path[at - 1] == '/' || path[at - 1] == '!' || path[at - 1] == '@';
    const bool ends =
        end == path.size() || path[end] == '!' || path[end] == '/' || path[end] == '.';
    if (starts && ends) {
      path.erase(at, base.size());
      at = at == 0 ? 0 : at - 1;
      if (path.empty()) break;
    }
  }
  return path;
}

}  // namespace

std::string NormalisedLocator(const Evidence& e) {
  std::string out = InputKindName(e.source);
  out += "|" + SubjectKey(WithoutInputName(e.path, e.input));
  if (!e.endpoint.empty()) out += "|" + e.endpoint;
  return out;
}

std::string StableFingerprint(const Finding& f) {
  std::string material = f.check_id;
  material.push_back('\0');
  if (!f.subject.empty()) {
    // The check and its subject, nothing positional or counted (issue 15): the evidence may grow
    // ("49 of 49 binaries" against "70 of 70") and the finding stays the same one.
    std::string subject = f.subject;
    for (const auto& e : f.evidence) subject = WithoutInputName(std::move(subject), e.input);
    material += subject;
    return Sha256Hex(AsBytes(material)).substr(0, 16);
  }
  // Reports stored before findings carried their subject: the key's hash and the locators.
  std::vector<std::string> locators;
  for (const auto& e : f.evidence) locators.push_back(NormalisedLocator(e));
  std::sort(locators.begin(), locators.end());
  locators.erase(std::unique(locators.begin(), locators.end()), locators.end());
  material += f.fingerprint;
  for (const auto& l : locators) {
    material.push_back('\0');
    material += l;
  }
  return Sha256Hex(AsBytes(material)).substr(0, 16);
}

}  // namespace iotcop::store
