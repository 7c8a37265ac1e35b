// Config-credentials collector: credentials written into service configuration and start-up
// commands: .htpasswd and web server user files (lighttpd, uhttpd/BusyBox httpd.conf, boa,
// mini_httpd), nvram defaults (firmware/nvram.h: text tables and the string tables of libnvram,
// libshared and nvram programs; every entry is an `nvram_default` fact, and the administrator's
// password keys of rules/nvram-admin-keys.txt a credential with its login), SNMP communities
// (snmpd.conf) and passwords on boot command lines (`telnetd -u user:pass`). Emits `credential`
// facts with the password redacted and whether the dictionary knows it.
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <set>

#include "core/elf.h"
#include "core/evidence.h"
#include "core/fact_kinds.h"
#include "core/paths.h"
#include "credentials/passwords.h"
#include "firmware/boot/boot.h"
#include "firmware/collector.h"
#include "firmware/nvram.h"
#include "firmware/text.h"
#include "firmware/web_auth.h"

namespace iotcop::firmware {
namespace {

using unpack::Entry;

constexpr std::size_t kMaxConfig = 1u << 20;

// rules/nvram-admin-keys.txt: administrator password key (lower case) -> its login key.
using NvramAdminKeys = std::map<std::string, std::string>;

struct Ctx {
  const FirmwareInput& in;
  const std::vector<credentials::DefaultCredential>& dict;
  FactStore& facts;
  const NvramAdminKeys& admin_keys;
};

NvramAdminKeys LoadNvramAdminKeys(const FirmwareInput& in, std::vector<Problem>& problems) {
  NvramAdminKeys out;
  const std::string path = (DataDir() / "rules" / "nvram-admin-keys.txt").string();
  std::ifstream f(path);
  if (!f) {
    problems.push_back({"warning", "collect", in.input, path, std::nullopt,
                        "config-credentials: cannot read " + path +
                            "; nvram administrator passwords are not looked for"});
    return out;
  }
  std::string line;
  while (std::getline(f, line) && out.size() < 10000) {
    const std::vector<std::string> w = ShellWords(ShellCode(line));
    if (w.size() != 2) continue;
    out[Lower(w[0])] = w[1] == "-" ? "" : Lower(w[1]);
  }
  return out;
}

// Adds a credential fact for `secret` (a plaintext password or a crypt hash).
void AddCredential(Ctx& ctx, const Entry& e, std::uint32_t line, const std::string& user,
                   const std::string& secret, const std::string& kind, const std::string& service,
                   const std::string& excerpt, nlohmann::json extra = nlohmann::json::object(),
                   std::optional<std::uint64_t> offset = std::nullopt) {
  const std::string scheme = credentials::HashScheme(secret);
  nlohmann::json v = std::move(extra);
  v["user"] = user;
  v["kind"] = kind;
  v["service"] = service;
  v["where"] = ctx.in.tree.DisplayPath(e);
  std::optional<credentials::DefaultCredential> match;
  if (secret.empty()) {
    v["password_state"] = "empty";
    v["cracked"] = true;
    v["source"] = "empty password";
  } else if (!scheme.empty() && scheme != "des") {
    v["password_state"] = "hash";
    v["scheme"] = scheme;
    const credentials::CrackResult cr = credentials::CrackHash(secret, user, ctx.dict);
    match = cr.match;
    v["cracked"] = match.has_value();
    v["exhausted"] = cr.exhausted;
  } else {
    // 13 characters of [./0-9A-Za-z] may be a DES hash or a plaintext password: try both.
    const credentials::CrackResult cr = scheme == "des"
                                            ? credentials::CrackHash(secret, user, ctx.dict)
                                            : credentials::CrackResult{};
    match = cr.match ? cr.match : credentials::MatchPlaintext(secret, user, ctx.dict);
    v["password_state"] = cr.match ? "hash" : "plaintext";
    if (cr.match) v["scheme"] = "des";
    v["cracked"] = match.has_value();
  }
  if (match) {
    v["password"] = Redact(match->password);
    v["source"] = match->source;
  } else if (!secret.empty()) {
    v["password"] = Redact(secret);
  }
  ctx.facts.Add(facts::kCredential, v,
                FileEvidence(ctx.in, e, line ? std::optional<std::uint32_t>(line) : std::nullopt,
                             excerpt, offset),
                "config-credentials");
}

// user:secret lines (.htpasswd, lighttpd user files, mini_httpd).
void UserFile(Ctx& ctx, const Entry& e, const std::string& service) {
  auto text = ReadCapped(ctx.in.tree, e, kMaxConfig);
  if (!text || !LooksLikeText(*text)) return;
  for (const TextLine& l : SplitLines(*text, 10000)) {
    const std::string_view t = Trim(l.text);
    if (t.empty() || t.front() == '#') continue;
    const auto colon = t.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string_view secret = t.substr(colon + 1);
    if (const auto c2 = secret.find(':');
        c2 != std::string_view::npos && credentials::HashScheme(secret).empty())
      secret = secret.substr(0, c2);  // htdigest: user:realm:hash — the realm is not the secret
    const std::string user(t.substr(0, colon));
    AddCredential(ctx, e, l.number, user, std::string(secret), "web", service,
                  user + ":" + Redact(secret));
  }
}

// BusyBox/uhttpd httpd.conf: "/path:user:password" lines.
void HttpdConf(Ctx& ctx, const Entry& e) {
  auto text = ReadCapped(ctx.in.tree, e, kMaxConfig);
  if (!text || !LooksLikeText(*text)) return;
  for (const TextLine& l : SplitLines(*text, 10000)) {
    const std::string_view t = Trim(l.text);
    if (!t.starts_with('/')) continue;
    const auto c1 = t.find(':');
    const auto c2 = c1 == std::string_view::npos ? c1 : t.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    std::string secret(t.substr(c2 + 1));
    if (secret.starts_with("$p$")) continue;  // uhttpd: "use the system password of this user"
    const std::string user(t.substr(c1 + 1, c2 - c1 - 1));
    AddCredential(ctx, e, l.number, user, secret, "web", "httpd",
                  std::string(t.substr(0, c2 + 1)) + Redact(secret));
  }
}

// True for nvram keys of accounts the device logs in to elsewhere (the ISP's PPPoE/PPTP/L2TP, DDNS,
// mail, VPN, SIP, Wi-Fi): their factory values are placeholders the user replaces, not passwords of
// the device itself.
bool UpstreamNvramKey(std::string_view key) {
  const std::string k = Lower(key);
  for (std::string_view w : {"wan", "ppp", "pptp", "l2tp", "ddns", "smtp", "mail", "vpn", "sip",
                             "voip", "wl", "wps", "wpa", "radius", "pin", "3g", "lte"}) {
    if (k.find(w) != std::string::npos) return true;
  }
  return false;
}

// nvram default tables: one nvram_default fact an entry (secret values redacted), and a credential
// for each administrator password key (with the value of its login key as the user; an empty value
// is "no password set") and for other password keys with a value, except those of upstream
// accounts (UpstreamNvramKey).
void NvramTable(Ctx& ctx, const Entry& e, const std::vector<NvramDefault>& entries) {
  if (entries.empty()) return;
  std::map<std::string, std::string> by_key;  // lower-case key -> first value
  for (const NvramDefault& d : entries) by_key.emplace(Lower(d.key), d.value);
  const std::string where = ctx.in.tree.DisplayPath(e);
  for (const NvramDefault& d : entries) {
    const bool secret = IsSecretNvramKey(d.key);
    const std::string shown = secret ? Redact(d.value) : d.value;
    const std::string excerpt = d.key + "=" + shown;
    const std::optional<std::uint32_t> line =
        d.line ? std::optional<std::uint32_t>(d.line) : std::nullopt;
    const std::optional<std::uint64_t> offset =
        d.line ? std::nullopt : std::optional<std::uint64_t>(d.offset);
    nlohmann::json v = {{"key", d.key},
                        {"value", shown},
                        {"secret", secret},
                        {"file", where},
                        {"format", d.format}};
    if (line) v["line"] = *line;
    if (offset) v["offset"] = *offset;
    ctx.facts.Add(facts::kNvramDefault, v, FileEvidence(ctx.in, e, line, excerpt, offset),
                  "config-credentials");
    const auto admin = ctx.admin_keys.find(Lower(d.key));
    bool password_key = false;  // http_passwd, wan_pwd, admin_pass... (not a URL's password)
    for (const auto& c : credentials::CredentialsInArgs({"", d.key + "=" + d.value}))
      password_key = password_key || c.option != "url";
    password_key = password_key && !UpstreamNvramKey(d.key);
    if (admin == ctx.admin_keys.end() && (!password_key || d.value.empty())) continue;
    std::string user;
    if (admin != ctx.admin_keys.end() && !admin->second.empty()) {
      if (auto u = by_key.find(admin->second); u != by_key.end()) user = u->second;
    }
    nlohmann::json extra = {{"key", d.key}, {"format", d.format}};
    if (line) extra["line"] = *line;
    if (offset) extra["offset"] = *offset;
    if (admin != ctx.admin_keys.end()) extra["admin"] = true;
    AddCredential(ctx, e, line.value_or(0), user, d.value, "nvram", d.key, excerpt,
                  std::move(extra), offset);
  }
}

void SnmpConf(Ctx& ctx, const Entry& e) {
  auto text = ReadCapped(ctx.in.tree, e, kMaxConfig);
  if (!text || !LooksLikeText(*text)) return;
  for (const TextLine& l : SplitLines(*text, 10000)) {
    const std::vector<std::string> w = ShellWords(ShellCode(l.text));
    if (w.size() < 2) continue;
    std::string community;
    if (w[0] == "rocommunity" || w[0] == "rwcommunity" || w[0] == "rocommunity6" ||
        w[0] == "rwcommunity6") {
      community = w[1];
    } else if (w[0] == "com2sec" && w.size() >= 4) {
      community = w[3];
    } else {
      continue;
    }
    nlohmann::json v = {{"user", w[0]},
                        {"kind", "snmp"},
                        {"service", "snmpd"},
                        {"password_state", "plaintext"},
                        {"password", Redact(community)},
                        {"cracked", community == "public" || community == "private"},
                        {"where", ctx.in.tree.DisplayPath(e)},
                        {"write", w[0].starts_with("rw")}};
    if (community == "public" || community == "private") v["source"] = "SNMP default community";
    ctx.facts.Add(facts::kCredential, v,
                  FileEvidence(ctx.in, e, l.number, w[0] + " " + Redact(community)),
                  "config-credentials");
  }
}

bool WebUserFile(std::string_view path) {
  const std::string_view b = Basename(path);
  return b == ".htpasswd" || b == "htpasswd" || b == ".htdigest" || b == "lighttpd.user" ||
         b == "lighttpd-htdigest.user" || b == "lighttpd.htpasswd" ||
         (path.find("/boa/") != std::string_view::npos && b == "passwd") ||
         (path.find("mini_httpd") != std::string_view::npos && b.ends_with("passwd"));
}

void CollectConfigCredentials(const FirmwareInput& in, FactStore& facts,
                              std::vector<Problem>& problems) {
  const auto dict = credentials::DictionaryFor(in.config, in.input, "config-credentials", problems);
  const NvramAdminKeys admin_keys = LoadNvramAdminKeys(in, problems);
  Ctx ctx{in, dict, facts, admin_keys};
  for (const Entry* e : RegularFiles(in.tree, kMaxNvramElf)) {
    if (IsNvramProgram(e->path)) {
      auto data = ReadCapped(in.tree, *e, kMaxNvramElf);
      if (data && elf::IsElf(AsBytes(*data))) {
        NvramTable(ctx, *e, ReadNvramElf(AsBytes(*data), in.tree.DisplayPath(*e)));
        continue;
      }
    }
    if (e->size > kMaxConfig) continue;
    const std::string_view b = Basename(e->path);
    if (WebUserFile(e->path)) {
      UserFile(ctx, *e, b.starts_with("lighttpd") ? "lighttpd" : "httpd");
    } else if (b == "httpd.conf" || b == "uhttpd.conf") {
      HttpdConf(ctx, *e);
    } else if (b == "snmpd.conf" || b == "mini_snmpd.conf") {
      SnmpConf(ctx, *e);
    } else if (IsNvramTextTable(e->path)) {
      if (auto text = ReadCapped(in.tree, *e, kMaxNvramText))
        NvramTable(ctx, *e, ReadNvramText(*text));
    }
  }
  // User files that a web server's configuration names (lighttpd auth.backend.*.userfile, boa
  // Auth), whatever their file name.
  std::set<const Entry*> user_files;
  for (std::uint32_t root : ConfigRoots(in.tree)) {
    const WebAuth web = DiscoverWebAuth(in.tree, root);
    for (const WebRealm& r : web.realms) {
      if (r.user_file.empty() || (r.server != "lighttpd" && r.server != "boa")) continue;
      const Entry* f = in.tree.Find(root, r.user_file);
      if (!f || f->type != unpack::EntryType::kFile || WebUserFile(f->path) ||
          !user_files.insert(f).second)
        continue;
      UserFile(ctx, *f, r.server);
    }
  }
  // Passwords on boot command lines.
  for (std::uint32_t root : ConfigRoots(in.tree)) {
    for (const BootCommand& c : DiscoverBoot(in.tree, root).commands) {
      for (const credentials::ArgCredential& cred : credentials::CredentialsInArgs(c.argv)) {
        AddCredential(ctx, *c.file, c.line, cred.user, cred.password, "command",
                      std::string(Basename(c.argv.front())), credentials::RedactedCommand(c.argv),
                      {{"option", cred.option}, {"started_by", c.started_by}});
      }
    }
  }
}

}  // namespace

std::unique_ptr<const Collector> MakeConfigCredentialsCollector() {
  return MakeFunctionCollector({"config-credentials",
                                "credentials in web server, nvram and SNMP configuration and on "
                                "boot command lines; nvram default tables",
                                {facts::kCredential, facts::kNvramDefault}},
                               CollectConfigCredentials);
}

}  // namespace iotcop::firmware
