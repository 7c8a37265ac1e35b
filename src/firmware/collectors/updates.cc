// Updates collector: how the product updates itself. Finds the update mechanism (OpenWrt
// sysupgrade, SWUpdate, RAUC, Mender, opkg, and vendor scripts or programs named *upgrade*,
// *update*, *fwupdate* or that write flash with `mtd write`), where it fetches from (the URLs in
// its script or configuration), and whether it verifies a signature (usign/signify, openssl dgst
// -verify, gpg --verify, RAUC keyring, SWUpdate public key, Mender verify key, opkg
// check_signature with /etc/opkg/keys). Emits `update_mechanism` facts and the properties
// `update_mechanism` and `updates_over_network`.
#include <fnmatch.h>

#include <algorithm>
#include <array>
#include <map>
#include <regex>

#include "core/fact_kinds.h"
#include "firmware/collector.h"
#include "firmware/text_files.h"

namespace iotcop::firmware {
namespace {

struct Mechanism {
  std::string name;  // sysupgrade | swupdate | rauc | mender | opkg | vendor
  const unpack::Entry* entry = nullptr;
  std::optional<std::uint32_t> line;
  std::string excerpt;
  std::vector<Url> urls;
  std::string transport = "local";
  std::optional<bool> verifies;
  std::string verification;  // what verifies, or why we think nothing does
  bool flashes = false;      // writes flash (mtd write, dd of=/dev/mtd, flashcp)
};

// Signature verification commands in a script line.
const std::regex& VerifyRe() {
  static const std::regex re(
      R"((usign|signify)\s+(-\S+\s+)*-V\b|openssl\s+(dgst|pkeyutl|smime|cms)\b.*-(verify|signature)\b|gpgv?\b.*--verify|\bgpgv\b|\bucert\b.*-V|\bfwtool\b.*-s\b|rauc\s+(info|install)|swupdate\b.*\s-k\s)",
      std::regex::ECMAScript);
  return re;
}
const std::regex& FlashRe() {
  static const std::regex re(
      R"(\bmtd\s+(-\S+\s+)*write\b|\bdd\b.*of=/dev/mtd|\bflashcp\b|\bflash_erase\b|\bnandwrite\b|sysupgrade\s)",
      std::regex::ECMAScript);
  return re;
}
const std::regex& FetchRe() {
  static const std::regex re(R"(\b(wget|curl|tftp|ftpget|uclient-fetch)\b)",
                             std::regex::ECMAScript);
  return re;
}

bool UpdateName(std::string_view base) {
  for (const char* pat :
       {"*upgrade*", "*update*", "*fwupdate*", "*fw_update*", "*firmware*", "*flash*", "*ota*"}) {
    if (fnmatch(pat, std::string(base).c_str(), FNM_CASEFOLD) == 0) return true;
  }
  return false;
}

bool InBinFolder(std::string_view path) {
  for (const char* f : {"/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/local/bin/",
                        "/usr/local/sbin/", "/lib/upgrade/", "/etc/init.d/", "/www/cgi-bin/"}) {
    if (path.starts_with(f)) return true;
  }
  return false;
}

std::string Transport(const std::vector<Url>& urls) {
  std::string worst = urls.empty() ? "local" : "https";
  for (const auto& u : urls) {
    if (u.scheme == "http" || u.scheme == "ftp" || u.scheme == "tftp") return u.scheme;
    if (u.scheme != "https") worst = u.scheme;
  }
  return worst;
}

class UpdatesCollector : public Collector {
 public:
  const CollectorDoc& doc() const override { return doc_; }

  void Collect(const FirmwareInput& in, FactStore& facts, std::vector<Problem>&) const override {
    const auto roots = in.tree.SystemRoots();
    if (roots.empty()) return;
    std::vector<Mechanism> found;
    std::map<std::string, std::string> config_text;  // path -> text, of update configs

    // 1. Vendor scripts: named like an updater, or that write flash after fetching.
    ForEachTextFile(in, [&](const unpack::Entry& e, std::string_view text) {
      const std::string base = e.path.substr(e.path.rfind('/') + 1);
      if (e.path.starts_with("/etc/") && !e.path.starts_with("/etc/init.d/")) {
        if (e.path == "/etc/opkg.conf" || e.path.starts_with("/etc/opkg/") ||
            e.path.starts_with("/etc/rauc/") || e.path.starts_with("/etc/mender/") ||
            e.path.starts_with("/etc/swupdate") || UpdateName(base)) {
          config_text[e.path] = std::string(text);
        }
        return;
      }
      if (!InBinFolder(e.path)) return;
      Mechanism m;
      m.name = "vendor";
      m.entry = &e;
      bool fetches = false, verifies = false, named = UpdateName(base);
      ForEachCodeLine(text, [&](std::uint32_t no, std::string_view line) {
        const std::string l(line);
        for (auto& u : FindUrls(line)) {
          if (!IsLocalHost(u.host) && !IsIdentifierUrl(u)) m.urls.push_back(std::move(u));
        }
        if (MentionsAny(line, {"wget", "curl", "tftp", "ftpget", "uclient"}) &&
            std::regex_search(l, FetchRe())) {
          fetches = true;
        }
        if (MentionsAny(line, {"mtd", "dd", "flash", "nandwrite", "sysupgrade"}) &&
            std::regex_search(l, FlashRe())) {
          m.flashes = true;
          if (!m.line) {
            m.line = no;
            m.excerpt = l;
          }
        }
        if (MentionsAny(line, {"usign", "signify", "openssl", "gpg", "ucert", "fwtool", "rauc",
                               "swupdate"}) &&
            std::regex_search(l, VerifyRe())) {
          verifies = true;
          m.verification = l;
        }
      });
      if (!(m.flashes || (named && fetches))) return;
      if (base == "sysupgrade") m.name = "sysupgrade";
      if (!m.line) {
        m.line = 1;
        m.excerpt = std::string(text.substr(0, text.find('\n')));
      }
      m.verifies = verifies;
      if (!verifies) m.verification = "no signature verification in the script";
      found.push_back(std::move(m));
    });

    // 2. Known update systems by their programs and configuration.
    auto program = [&](std::initializer_list<const char*> paths) -> const unpack::Entry* {
      for (std::uint32_t r : roots) {
        for (const char* p : paths) {
          if (const unpack::Entry* e = in.tree.Find(r, p)) return e;
        }
      }
      return nullptr;
    };
    auto config_has = [&](std::string_view prefix, const std::regex& re, std::string* what,
                          std::vector<Url>* urls) {
      bool hit = false;
      for (const auto& file : config_text) {
        const std::string& path = file.first;  // clang 14 cannot capture a structured binding
        if (!path.starts_with(prefix)) continue;
        ForEachCodeLine(file.second, [&](std::uint32_t, std::string_view line) {
          const std::string l(line);
          if (std::regex_search(l, re)) {
            hit = true;
            if (what && what->empty()) *what = path + ": " + l;
          }
          if (urls) {
            for (auto& u : FindUrls(line)) {
              if (!IsLocalHost(u.host) && !IsIdentifierUrl(u)) urls->push_back(std::move(u));
            }
          }
        });
      }
      return hit;
    };
    auto has_sysupgrade = std::any_of(found.begin(), found.end(),
                                      [](const Mechanism& m) { return m.name == "sysupgrade"; });
    if (!has_sysupgrade) {
      if (const unpack::Entry* e = program({"/sbin/sysupgrade"})) {
        Mechanism m{"sysupgrade", e,  std::nullopt, "sysupgrade", {}, "local",
                    std::nullopt, "", true};
        // OpenWrt sysupgrade checks image metadata and, with usign keys, its signature (fwtool).
        if (program({"/usr/bin/usign"}) && program({"/etc/opkg/keys"})) {
          m.verifies = true;
          m.verification = "usign with keys in /etc/opkg/keys";
        }
        found.push_back(std::move(m));
      }
    }
    if (const unpack::Entry* e = program({"/usr/bin/swupdate", "/usr/sbin/swupdate"})) {
      Mechanism m{"swupdate", e, std::nullopt, "swupdate", {}, "local", std::nullopt, "", true};
      std::string what;
      static const std::regex key(R"(public[-_]key|\.pem|-k\s)");
      config_has("/etc/swupdate", key, &what, &m.urls);
      m.verifies = !what.empty() || program({"/etc/swupdate/public.pem", "/etc/swupdate.pem"});
      m.verification = what.empty() ? "no public key configured" : what;
      m.transport = Transport(m.urls);
      found.push_back(std::move(m));
    }
    if (const unpack::Entry* e = program({"/usr/bin/rauc", "/usr/sbin/rauc"})) {
      Mechanism m{"rauc", e, std::nullopt, "rauc", {}, "local", true, "", true};
      std::string what;
      static const std::regex keyring(R"(^\s*path\s*=|keyring)");
      config_has("/etc/rauc/", keyring, &what, &m.urls);
      m.verification = what.empty() ? "RAUC verifies every bundle against its keyring" : what;
      m.transport = Transport(m.urls);
      found.push_back(std::move(m));
    }
    if (const unpack::Entry* e = program({"/usr/bin/mender", "/usr/bin/mender-update"})) {
      Mechanism m{"mender", e, std::nullopt, "mender", {}, "local", std::nullopt, "", true};
      std::string what;
      static const std::regex verify(R"(ArtifactVerifyKey)");
      config_has("/etc/mender/", verify, &what, &m.urls);
      m.verifies = !what.empty();
      m.verification =
          what.empty() ? "no ArtifactVerifyKey: artifacts are not signature-checked" : what;
      m.transport = Transport(m.urls);
      found.push_back(std::move(m));
    }
    if (const unpack::Entry* e = program({"/bin/opkg", "/usr/bin/opkg"})) {
      Mechanism m{"opkg", e, std::nullopt, "opkg", {}, "local", std::nullopt, "", false};
      std::string what;
      static const std::regex sig(R"(option\s+check_signature\b(\s+(1|true|yes))?)");
      const bool check = config_has("/etc/opkg", sig, &what, &m.urls);
      m.verifies = check && program({"/etc/opkg/keys"}) != nullptr;
      m.verification = *m.verifies ? what + " with keys in /etc/opkg/keys"
                                   : "opkg feeds without check_signature and keys";
      m.transport = Transport(m.urls);
      found.push_back(std::move(m));
    }

    std::vector<FactId> ids;
    bool network = false;
    for (auto& m : found) {
      if (m.name == "vendor" || m.name == "sysupgrade") m.transport = Transport(m.urls);
      if (m.transport != "local") network = true;
      nlohmann::json urls = nlohmann::json::array();
      for (const auto& u : m.urls) urls.push_back(u.url);
      nlohmann::json v = {{"mechanism", m.name},
                          {"path", m.entry->path},
                          {"transport", m.transport},
                          {"url", m.urls.empty() ? "" : m.urls.front().url},
                          {"urls", urls},
                          {"flashes", m.flashes},
                          {"verifies_signature",
                           m.verifies ? nlohmann::json(*m.verifies) : nlohmann::json(nullptr)},
                          {"verification", m.verification}};
      ids.push_back(facts.Add(facts::kUpdateMechanism, v,
                              FileEvidence(in, *m.entry, m.line, m.excerpt), doc_.name));
    }
    Evidence ev;
    ev.input = in.input;
    if (!found.empty()) {
      ev = FileEvidence(in, *found.front().entry, found.front().line, found.front().excerpt);
    }
    std::string names;
    for (const auto& m : found) names += (names.empty() ? "" : ", ") + m.name + " " + m.entry->path;
    facts.Add(facts::kProperty,
              {{"name", "update_mechanism"},
               {"value", !found.empty()},
               {"reason", found.empty() ? "no update program, script or configuration found in "
                                          "the root filesystem"
                                        : "update mechanism: " + names}},
              ev, doc_.name);
    // Only a URL shows updates arrive over the network; its absence does not show they do not
    // (a web interface upload to sysupgrade is also a network interface).
    if (network) {
      facts.Add(facts::kProperty,
                {{"name", "updates_over_network"},
                 {"value", true},
                 {"reason", "the update mechanism fetches from a URL"}},
                ev, doc_.name);
    }
  }

 private:
  CollectorDoc doc_{"updates",
                    "update mechanism, where updates come from and whether they are verified",
                    {facts::kUpdateMechanism, facts::kProperty}};
};

}  // namespace

std::unique_ptr<const Collector> MakeUpdatesCollector() {
  return std::make_unique<UpdatesCollector>();
}

}  // namespace iotcop::firmware
