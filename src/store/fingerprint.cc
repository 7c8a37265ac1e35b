// File: store/fingerprint.cc
#include "store/fingerprint.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <vector>

#include "core/hash.h"

namespace iotcop::store {

namespace {

// Drops "0x<hex>" tokens (with the dot or underscore that joins them to a name) and a trailing
// ".extracted"/"_extract" from each segment of an unpack path.
std::string StripPositions(const std::string& path) {
  std::string out;
  for (std::size_t i = 0; i < path.size();) {
    const bool boundary = i == 0 || !std::isalnum(static_cast<unsigned char>(path[i - 1]));
    if (boundary && path.compare(i, 2, "0x") == 0 && i + 2 < path.size() &&
        std::isxdigit(static_cast<unsigned char>(path[i + 2]))) {
      std::size_t j = i + 2;
      while (j < path.size() && std::isxdigit(static_cast<unsigned char>(path[j]))) ++j;
      if (j < path.size() && (path[j] == '.' || path[j] == '_' || path[j] == '-')) ++j;
      i = j;
      continue;
    }
    out.push_back(path[i++]);
  }
  for (const char* suffix : {".extracted", "_extract"}) {
    for (auto at = out.find(suffix); at != std::string::npos; at = out.find(suffix, at))
      out.erase(at, std::char_traits<char>::length(suffix));
  }
  return out;
}

}  // namespace

std::string NormalisedLocator(const Evidence& e) {
  // A folder input names its root after itself ("rootfs-1.2!/etc/shadow"), an image its extraction
  // folder: the input's name is dropped wherever it appears.
  std::string path = e.path;
  const std::string base = std::filesystem::path(e.input).filename().string();
  if (!base.empty()) {
    // Only as a whole name: at the start or after '/' or '!', before '!', '/', '.' or the end.
    for (auto at = path.find(base); at != std::string::npos; at = path.find(base, at + 1)) {
      const auto end = at + base.size();
      const bool starts = at == 0 || path[at - 1] == '/' || path[at - 1] == '!';
      const bool ends =
          end == path.size() || path[end] == '!' || path[end] == '/' || path[end] == '.';
      if (starts && ends) {
        path.erase(at, base.size());
        at = at == 0 ? 0 : at - 1;
        if (path.empty()) break;
      }
    }
  }
  std::string out = InputKindName(e.source);
  out += "|" + StripPositions(path);
  if (!e.endpoint.empty()) out += "|" + e.endpoint;
  return out;
}

std::string StableFingerprint(const Finding& f) {
  std::vector<std::string> locators;
  for (const auto& e : f.evidence) locators.push_back(NormalisedLocator(e));
  std::sort(locators.begin(), locators.end());
  locators.erase(std::unique(locators.begin(), locators.end()), locators.end());
  std::string material = f.check_id;
  material.push_back('\0');
  material += f.fingerprint;
  for (const auto& l : locators) {
    material.push_back('\0');
    material += l;
  }
  return Sha256Hex(AsBytes(material)).substr(0, 16);
}

}  // namespace iotcop::store
