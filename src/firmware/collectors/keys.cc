// Keys collector: private keys in the image (PEM, DER, OpenSSH, Dropbear, PuTTY), each parsed so a
// 0-byte placeholder or a marker string inside a crypto library is never taken for a key. Records
// what uses the key (boot command lines, a certificate with the same public key) and whether a boot
// script generates it per unit (dropbearkey, ssh-keygen, openssl genrsa...). Emits `private_key`.
#include <fmt/format.h>

#include <cstring>
#include <map>

#include "core/evidence.h"
#include "core/fact_kinds.h"
#include "credentials/keys.h"
#include "firmware/boot/boot.h"
#include "firmware/collector.h"
#include "firmware/text.h"

namespace iotcop::firmware {
namespace {

using unpack::Entry;

constexpr std::uint64_t kMaxKeyFile = 16u << 20;

bool KeyNamed(std::string_view path) {
  const std::string_view b = Basename(path);
  return b.find("host_key") != std::string_view::npos || b.starts_with("id_rsa") ||
         b.starts_with("id_dsa") || b.starts_with("id_ecdsa") || b.starts_with("id_ed25519") ||
         b.ends_with(".key") || (b.ends_with(".pem") && b.find("key") != std::string_view::npos);
}

bool CouldHoldKey(std::string_view data) {
  if (data.find("PRIVATE KEY-----") != std::string_view::npos) return true;
  if (data.starts_with("PuTTY-User-Key-File-")) return true;
  if (data.size() <= 65536 && data.size() > 11) {
    if (data[0] == 0 && data[1] == 0 &&
        (data.substr(4, 4) == "ssh-" || data.substr(4, 6) == "ecdsa-"))
      return true;
    if (static_cast<unsigned char>(data[0]) == 0x30) return true;
  }
  return false;
}

struct KeyGen {
  const BootCommand* command;
  bool guarded;  // runs only when the file is missing: a shipped key is then kept
};

// Paths a boot command generates a key into.
std::vector<std::string> KeygenTargets(const BootCommand& c) {
  const std::string_view prog = Basename(c.argv.front());
  std::vector<std::string> out;
  const bool openssl_gen = prog == "openssl" && c.argv.size() > 1 &&
                           (c.argv[1] == "genrsa" || c.argv[1] == "genpkey" || c.argv[1] == "req" ||
                            c.argv[1] == "ecparam" || c.argv[1] == "gendsa");
  if (prog != "dropbearkey" && prog != "ssh-keygen" && prog != "px5g" &&
      prog != "dropbearconvert" && !openssl_gen)
    return out;
  for (std::size_t i = 1; i + 1 < c.argv.size(); ++i) {
    const std::string& a = c.argv[i];
    if (a == "-f" || a == "-keyout" || (a == "-out" && prog != "openssl") ||
        (a == "-out" && c.argv[1] != "req"))
      out.push_back(unpack::NormalizePath(c.argv[i + 1]));
  }
  if (prog == "dropbearconvert" && c.argv.size() >= 5)
    out.push_back(unpack::NormalizePath(c.argv.back()));
  return out;
}

void CollectKeys(const FirmwareInput& in, FactStore& facts, std::vector<Problem>&) {
  const auto& tree = in.tree;
  std::map<std::pair<std::uint32_t, std::string>, KeyGen> keygen;
  std::map<std::uint32_t, BootPlan> plans;
  for (std::uint32_t root : ConfigRoots(tree)) {
    BootPlan& plan = plans[root] = DiscoverBoot(tree, root);
    for (const BootCommand& c : plan.commands) {
      for (const std::string& t : KeygenTargets(c)) {
        const bool guarded =
            c.code.find("||") != std::string::npos || c.code.find("&&") != std::string::npos;
        keygen.emplace(std::make_pair(root, t), KeyGen{&c, guarded});
      }
    }
  }
  // Certificates' public keys, to tell a TLS key from another.
  std::map<std::string, std::string> cert_of_key;
  for (const Entry* e : RegularFiles(tree, kMaxKeyFile)) {
    const auto text = ReadCapped(tree, *e, kMaxKeyFile);
    if (!text) continue;
    if (text->find("-----BEGIN CERTIFICATE-----") == std::string::npos) continue;
    for (const auto& c : credentials::FindCertificates(*text))
      cert_of_key.emplace(c.key_fingerprint, tree.DisplayPath(*e));
  }

  for (const Entry* e : RegularFiles(tree, kMaxKeyFile)) {
    const bool named = KeyNamed(e->path);
    std::vector<credentials::ParsedKey> keys;
    if (e->size > 0) {
      const auto data = ReadCapped(tree, *e, kMaxKeyFile);
      if (!data || !CouldHoldKey(*data)) continue;
      keys = credentials::FindPrivateKeys(*data);
    } else if (!named) {
      continue;
    }
    const auto gen_it = keygen.find({e->root, e->path});
    const KeyGen* gen = gen_it == keygen.end() ? nullptr : &gen_it->second;
    // References from boot command lines (dropbear -r KEY, httpd -c ... KEY).
    std::vector<std::string> refs;
    if (auto p = plans.find(e->root); p != plans.end()) {
      for (const BootCommand& c : p->second.commands) {
        if (std::find(c.argv.begin(), c.argv.end(), e->path) != c.argv.end())
          refs.push_back(fmt::format("{}:{}", tree.DisplayPath(*c.file), c.line));
      }
    }
    const auto describe_gen = [&](nlohmann::json& v) {
      if (!gen) return;
      v["generated_at_boot"] = {
          {"by", fmt::format("{}:{}", tree.DisplayPath(*gen->command->file), gen->command->line)},
          {"only_if_missing", gen->guarded}};
    };
    if (keys.empty()) {
      if (e->size != 0) continue;
      // A 0-byte file where a key belongs: a placeholder the unit fills at first boot.
      nlohmann::json v = {{"type", "unknown"},           {"format", "none"},    {"bits", 0},
                          {"encrypted", false},          {"placeholder", true}, {"fingerprint", ""},
                          {"path", tree.DisplayPath(*e)}};
      describe_gen(v);
      facts.Add(facts::kPrivateKey, v, FileEvidence(in, *e, std::nullopt, "(empty file)"), "keys");
      continue;
    }
    for (const credentials::ParsedKey& k : keys) {
      std::string role = "other";
      const std::string lower = tree.DisplayPath(*e);
      auto cert = cert_of_key.find(k.fingerprint);
      if (lower.find("host_key") != std::string::npos || lower.find("/ssh") != std::string::npos ||
          lower.find("dropbear") != std::string::npos) {
        role = "host";
      } else if (cert != cert_of_key.end() || lower.find("ssl") != std::string::npos ||
                 lower.find("tls") != std::string::npos ||
                 lower.find("server") != std::string::npos ||
                 lower.find("https") != std::string::npos) {
        role = "tls";
      }
      nlohmann::json v = {{"type", k.type},
                          {"format", k.format},
                          {"detail", k.detail},
                          {"bits", k.bits},
                          {"encrypted", k.encrypted},
                          {"placeholder", false},
                          {"fingerprint", k.fingerprint},
                          {"path", tree.DisplayPath(*e)},
                          {"offset", k.offset},
                          {"role", role},
                          {"referenced_by", refs}};
      if (cert != cert_of_key.end()) v["certificate"] = cert->second;
      describe_gen(v);
      const std::string excerpt =
          fmt::format("{} {} private key ({} bits{}), body redacted", k.format, k.type, k.bits,
                      k.encrypted ? ", encrypted" : "");
      facts.Add(facts::kPrivateKey, v,
                FileEvidence(in, *e, std::nullopt, excerpt,
                             k.offset ? std::optional(k.offset) : std::nullopt),
                "keys");
    }
  }
}

}  // namespace

std::unique_ptr<const Collector> MakeKeysCollector() {
  return MakeFunctionCollector({"keys",
                                "private keys (PEM, DER, OpenSSH, Dropbear, PuTTY) parsed to tell "
                                "real keys from placeholders and library constants",
                                {facts::kPrivateKey}},
                               CollectKeys);
}

}  // namespace iotcop::firmware
