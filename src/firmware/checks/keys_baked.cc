// fw.keys.baked-private-key: private keys shipped in the image. A key in the image is the same on
// every unit (5.4-3); a host or TLS key then also protects communication with a class-wide secret
// (5.4-4). Keys the unit generates at first boot, and 0-byte placeholders for them, are the good
// pattern and are not reported. Findings are keyed by the key's fingerprint.
#include <fmt/format.h>

#include <map>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckKeysBaked(CheckContext& ctx) {
  std::map<std::string, std::vector<const Fact*>> by_fingerprint;  // ordered: stable output
  std::vector<const Fact*> good;
  for (const Fact* k : ctx.facts().OfKind(facts::kPrivateKey)) {
    const auto gen = k->value.find("generated_at_boot");
    const bool regenerated = gen != k->value.end() && !gen->value("only_if_missing", false);
    if (k->value.value("placeholder", false) || regenerated) {
      good.push_back(k);
      continue;
    }
    by_fingerprint[Str(*k, "fingerprint")].push_back(k);
  }
  for (const auto& [fp, keys] : by_fingerprint) {
    const Fact& k = *keys.front();
    const std::string role = Str(k, "role");
    const bool comms = role == "host" || role == "tls";
    std::string paths;
    for (const Fact* f : keys) paths += (paths.empty() ? "" : ", ") + Str(*f, "path");
    const bool encrypted = k.value.value("encrypted", false);
    std::string message = fmt::format(
        "A {} {}-bit {} private key ({}) is part of the firmware, so every unit has the same "
        "key{}.",
        Str(k, "format"), k.value.value("bits", 0), Str(k, "type"),
        encrypted ? "encrypted" : "not encrypted",
        comms ? fmt::format(" and anyone with the image can impersonate or decrypt any unit's {} "
                            "connections",
                            role == "host" ? "SSH" : "TLS")
              : "");
    if (auto gen = k.value.find("generated_at_boot"); gen != k.value.end())
      message += fmt::format(
          " A boot script ({}) generates the key only when it is missing, so the shipped "
          "key is the one used.",
          gen->value("by", ""));
    std::vector<std::string> provisions = {"5.4-3"};
    if (comms) provisions.push_back("5.4-4");
    ctx.Report(
        checkutil::FindingOn(keys,
                             fmt::format("{} private key baked into the image ({})",
                                         role == "host"  ? "SSH host"
                                         : role == "tls" ? "TLS"
                                                         : "a",
                                         paths),
                             message, encrypted ? Severity::kMedium : Severity::kHigh, provisions),
        "key:" + fp);
  }
  if (by_fingerprint.empty() && !good.empty()) {
    std::vector<FactId> basis;
    for (const Fact* f : good) basis.push_back(f->id);
    ctx.Pass(
        "5.4-3",
        fmt::format("{} key file(s) are placeholders or generated per unit at boot", good.size()),
        basis);
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeBakedPrivateKeyCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.keys.baked-private-key",
       "Private keys shipped in the firmware",
       {"5.4-3", "5.4-4"},
       {InputKind::kFirmware},
       {facts::kPrivateKey},
       "A private key in the firmware image is a hard-coded critical security parameter (5.4-3): "
       "it can be extracted from any downloaded image. When it is an SSH host key or a TLS server "
       "key, every unit shares the identity that protects its communication (5.4-4).",
       "Generate keys on the unit at first boot (dropbearkey, ssh-keygen, openssl genpkey into "
       "persistent storage) or inject a unique key per unit at manufacture; ship no key in the "
       "image.",
       Severity::kHigh},
      CheckKeysBaked);
}

}  // namespace iotcop
