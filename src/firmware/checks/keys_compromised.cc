// fw.keys.compromised: keys whose private half is public. The public key of every private key and
// certificate in the image is looked up in rules/compromised-keys.txt (SHA-256 of the
// SubjectPublicKeyInfo DER, with the source that published the key).
#include <fmt/format.h>

#include <fstream>
#include <map>

#include "core/check_util.h"
#include "core/fact_kinds.h"
#include "core/paths.h"
#include "firmware/text.h"

namespace iotcop {
namespace {

using checkutil::Str;

Result<std::map<std::string, std::string>> LoadList() {
  const auto path = DataDir() / "rules" / "compromised-keys.txt";
  std::ifstream in(path);
  if (!in) return MakeError(Errc::kIo, "cannot open the compromised-key list", path.string());
  std::map<std::string, std::string> out;
  std::string line;
  std::uint32_t number = 0;
  while (std::getline(in, line) && number < 1000000) {
    ++number;
    const std::string_view t = Trim(line);
    if (t.empty() || t.front() == '#') continue;
    const auto space = t.find_first_of(" \t");
    const std::string_view fp = t.substr(0, space);
    if (fp.size() != 64 || fp.find_first_not_of("0123456789abcdef") != std::string_view::npos)
      return MakeError(Errc::kCorrupt,
                       fmt::format("line {}: expected a SHA-256 hex fingerprint", number),
                       path.string());
    out.emplace(std::string(fp),
                space == std::string_view::npos ? "" : std::string(Trim(t.substr(space))));
  }
  return out;
}

Status CheckKeysCompromised(CheckContext& ctx) {
  auto list = LoadList();
  if (!list) return list.error();
  std::map<std::string, std::vector<const Fact*>> hits;
  for (const Fact* k : ctx.facts().OfKind(facts::kPrivateKey)) {
    if (list->count(Str(*k, "fingerprint"))) hits[Str(*k, "fingerprint")].push_back(k);
  }
  for (const Fact* c : ctx.facts().OfKind(facts::kCertificate)) {
    if (list->count(Str(*c, "key_fingerprint"))) hits[Str(*c, "key_fingerprint")].push_back(c);
  }
  for (const auto& [fp, basis] : hits) {
    std::string paths;
    for (const Fact* f : basis) paths += (paths.empty() ? "" : ", ") + Str(*f, "path");
    ctx.Report(checkutil::FindingOn(
                   basis, fmt::format("publicly known private key in the image ({})", paths),
                   fmt::format("The key's private half is public ({}): anyone can impersonate "
                               "the device or decrypt its traffic. Fingerprint {}.",
                               list->at(fp), fp),
                   Severity::kCritical),
               "compromised:" + fp);
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeCompromisedKeysCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.keys.compromised",
       "Publicly known (compromised) keys",
       {"5.4-3", "5.4-4"},
       {InputKind::kFirmware},
       {facts::kPrivateKey, facts::kCertificate},
       "A key whose private half has been published (in a firmware dump, a repository, a test "
       "vector) protects nothing: it is a compromised critical security parameter.",
       "Replace the key with one generated per unit and revoke certificates issued for the old "
       "one.",
       Severity::kCritical},
      CheckKeysCompromised);
}

}  // namespace iotcop
