// Config-credentials collector: credentials written into service configuration and start-up
// commands: .htpasswd and web server user files (lighttpd, uhttpd/BusyBox httpd.conf, boa,
// mini_httpd), nvram defaults (`http_passwd=admin` in *.default / nvram files), SNMP communities
// (snmpd.conf) and passwords on boot command lines (`telnetd -u user:pass`). Emits `credential`
// facts with the password redacted and whether the dictionary knows it.
#include <fmt/format.h>

#include <set>

#include "core/evidence.h"
#include "core/fact_kinds.h"
#include "credentials/passwords.h"
#include "firmware/boot/boot.h"
#include "firmware/collector.h"
#include "firmware/text.h"

namespace iotcop::firmware {
namespace {

using unpack::Entry;

constexpr std::size_t kMaxConfig = 1u << 20;

struct Ctx {
  const FirmwareInput& in;
  const std::vector<credentials::DefaultCredential>& dict;
  FactStore& facts;
};

// Adds a credential fact for `secret` (a plaintext password or a crypt hash).
void AddCredential(Ctx& ctx, const Entry& e, std::uint32_t line, const std::string& user,
                   const std::string& secret, const std::string& kind, const std::string& service,
                   const std::string& excerpt, nlohmann::json extra = nlohmann::json::object()) {
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
  ctx.facts.Add(facts::kCredential, v, FileEvidence(ctx.in, e, line, excerpt),
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

// key=value files: nvram defaults and similar.
void NvramDefaults(Ctx& ctx, const Entry& e) {
  auto text = ReadCapped(ctx.in.tree, e, kMaxConfig);
  if (!text || !LooksLikeText(*text)) return;
  for (const TextLine& l : SplitLines(*text, 50000)) {
    const std::string_view t = Trim(l.text);
    if (t.empty() || t.front() == '#') continue;
    const std::vector<std::string> argv = {"", std::string(t)};
    for (const credentials::ArgCredential& c : credentials::CredentialsInArgs(argv)) {
      if (c.option == "url") continue;
      // The key (http_passwd, admin_pass...) names what the password protects.
      AddCredential(ctx, e, l.number, "", c.password, "nvram", c.option,
                    c.option + "=" + Redact(c.password));
    }
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

bool NvramFile(std::string_view path) {
  const std::string_view b = Basename(path);
  if (path.find("/etc/init.d/") != std::string_view::npos) return false;
  return b.ends_with(".default") || b.starts_with("nvram") || b.ends_with(".nvram") ||
         b == "default_nvram" || b.starts_with("nvram_default") || b.ends_with("_default.cfg");
}

void CollectConfigCredentials(const FirmwareInput& in, FactStore& facts,
                              std::vector<Problem>& problems) {
  const auto dict = credentials::DictionaryFor(in.config, in.input, "config-credentials", problems);
  Ctx ctx{in, dict, facts};
  for (const Entry* e : RegularFiles(in.tree, kMaxConfig)) {
    const std::string_view b = Basename(e->path);
    if (WebUserFile(e->path)) {
      UserFile(ctx, *e, b.starts_with("lighttpd") ? "lighttpd" : "httpd");
    } else if (b == "httpd.conf" || b == "uhttpd.conf") {
      HttpdConf(ctx, *e);
    } else if (b == "snmpd.conf" || b == "mini_snmpd.conf") {
      SnmpConf(ctx, *e);
    } else if (NvramFile(e->path)) {
      NvramDefaults(ctx, *e);
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
                                "boot command lines",
                                {facts::kCredential}},
                               CollectConfigCredentials);
}

}  // namespace iotcop::firmware
