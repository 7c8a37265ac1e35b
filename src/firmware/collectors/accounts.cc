// Accounts collector: parses passwd, shadow and group files and their templates and copies
// (/etc/passwd.bak, /etc/shadow-, /etc/default/passwd...), follows /etc/passwd -> /var/passwd links
// to the file a boot script copies there, and tries every password hash against the
// default-credential dictionary with crypt_r. Emits `account` and `credential` facts.
#include <fmt/format.h>

#include <map>
#include <set>

#include "core/evidence.h"
#include "core/fact_kinds.h"
#include "core/hash.h"
#include "credentials/passwords.h"
#include "firmware/boot/boot.h"
#include "firmware/collector.h"
#include "firmware/text.h"

namespace iotcop::firmware {
namespace {

using unpack::Entry;
using unpack::EntryType;

constexpr std::size_t kMaxDb = 1u << 20;

enum class DbKind { kPasswd, kShadow, kGroup };

std::optional<DbKind> KindOf(std::string_view path) {
  const std::string_view base = Basename(path);
  for (std::string_view skip : {"/doc/", "/man/", "/opkg/", "/dpkg/", "/init.d/", "/rc.d/",
                                "/proc/", "/pam.d/", "/bin/", "/sbin/", "/lib/"}) {
    if (path.find(skip) != std::string_view::npos) return std::nullopt;
  }
  auto variant = [&](std::string_view stem) {
    if (!base.starts_with(stem)) return false;
    const std::string_view rest = base.substr(stem.size());
    return rest.empty() || rest == "-" || rest == "~" || rest.starts_with(".") ||
           rest.starts_with("_");
  };
  if (variant("passwd")) return DbKind::kPasswd;
  if (variant("shadow")) return DbKind::kShadow;
  if (variant("group")) return DbKind::kGroup;
  return std::nullopt;
}

struct PasswdLine {
  std::uint32_t line = 0;
  std::string name, password, uid, gid, home, shell;
  std::string_view raw;
};
struct ShadowLine {
  std::uint32_t line = 0;
  std::string name, password;
};

bool Numeric(std::string_view s) {
  return !s.empty() && s.size() < 11 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

std::vector<std::string> Fields(std::string_view line) {
  std::vector<std::string> f;
  std::size_t pos = 0;
  while (f.size() < 16) {
    const auto c = line.find(':', pos);
    f.emplace_back(
        line.substr(pos, c == std::string_view::npos ? std::string_view::npos : c - pos));
    if (c == std::string_view::npos) break;
    pos = c + 1;
  }
  return f;
}

// Lines that parse; nullopt when the file is not a passwd file (most lines do not parse).
std::optional<std::vector<PasswdLine>> ParsePasswd(std::string_view text) {
  std::vector<PasswdLine> out;
  std::size_t bad = 0;
  for (const TextLine& l : SplitLines(text, 20000)) {
    const std::string_view t = Trim(l.text);
    if (t.empty() || t.front() == '#') continue;
    auto f = Fields(t);
    if (f.size() < 7 || f[0].empty() || !Numeric(f[2]) || !Numeric(f[3])) {
      ++bad;
      continue;
    }
    out.push_back({l.number, f[0], f[1], f[2], f[3], f[5], f[6], l.text});
  }
  if (out.empty() || bad > out.size()) return std::nullopt;
  return out;
}

std::optional<std::vector<ShadowLine>> ParseShadow(std::string_view text) {
  std::vector<ShadowLine> out;
  std::size_t bad = 0;
  for (const TextLine& l : SplitLines(text, 20000)) {
    const std::string_view t = Trim(l.text);
    if (t.empty() || t.front() == '#') continue;
    auto f = Fields(t);
    if (f.size() < 2 || f[0].empty() || f[0].find(' ') != std::string::npos) {
      ++bad;
      continue;
    }
    out.push_back({l.number, f[0], f[1]});
  }
  if (out.empty() || bad > out.size()) return std::nullopt;
  return out;
}

struct PasswordInfo {
  std::string state;  // empty | locked | hash | none | placeholder
  std::string scheme;
  std::string hash;  // the raw hash (never leaves this file unredacted)
};

PasswordInfo Classify(const std::string& field, bool from_shadow) {
  PasswordInfo p;
  if (field.empty()) {
    p.state = "empty";
  } else if (field == "x" && from_shadow) {
    p.state = "none";  // no password was ever set (OpenWrt lets root in without one)
  } else if (field[0] == '!' || field[0] == '*' || field == "LK" || field == "NP" || field == "x") {
    p.state = "locked";
  } else if (std::string s = credentials::HashScheme(field); !s.empty()) {
    p.state = "hash";
    p.scheme = s;
    p.hash = field;
  } else {
    p.state = "locked";  // not a crypt string: no password can produce it
  }
  return p;
}

bool LoginShell(std::string_view shell) {
  if (shell.empty()) return true;  // login uses /bin/sh
  const std::string_view b = Basename(shell);
  return !(b == "nologin" || b == "false" || b == "sync" || b == "halt" || b == "shutdown" ||
           shell == "/dev/null");
}

// `cp [-p] SRC DST` or `cat SRC > DST` in a boot script that installs `target`.
const BootCommand* CopiedTo(const BootPlan& plan, std::string_view target) {
  for (const BootCommand& c : plan.commands) {
    if (c.argv.size() < 3) continue;
    const std::string_view prog = Basename(c.argv[0]);
    if ((prog == "cp" || prog == "cat" || prog == "ln") && c.argv.back() == target) return &c;
  }
  return nullptr;
}

std::string SourceOf(const BootCommand& c) {
  for (std::size_t i = c.argv.size() - 2; i >= 1; --i) {
    if (!c.argv[i].starts_with('-') && c.argv[i] != ">") return c.argv[i];
    if (i == 1) break;
  }
  return {};
}

void CollectRoot(const FirmwareInput& in, std::uint32_t root,
                 const std::vector<credentials::DefaultCredential>& dict, FactStore& facts) {
  const auto& tree = in.tree;
  // Account databases in use that are links to files made at boot (/etc/passwd -> /var/passwd):
  // the file a boot script copies there is the one that counts.
  const BootPlan plan = DiscoverBoot(tree, root);
  std::map<std::string, std::pair<std::string, const BootCommand*>>
      installed;  // source -> (as, by)
  for (const char* live : {"/etc/passwd", "/etc/shadow", "/etc/group"}) {
    const Entry* link = tree.Find(root, live, false);
    if (!link || link->type != EntryType::kSymlink) continue;
    const std::string target = unpack::NormalizePath(
        link->link_target.starts_with('/') ? link->link_target : "/etc/" + link->link_target);
    if (const BootCommand* c = CopiedTo(plan, target)) {
      const std::string src = SourceOf(*c);
      if (!src.empty()) installed[unpack::NormalizePath(src)] = {live, c};
    }
  }

  std::vector<const Entry*> dbs[3];
  for (const Entry& e : tree.entries()) {
    if (e.root != root || e.type != EntryType::kFile || e.size == 0 || e.size > kMaxDb) continue;
    if (auto k = KindOf(e.path)) dbs[static_cast<int>(*k)].push_back(&e);
  }
  // Shadow entries by folder + suffix ("/etc" + ".bak"), and group memberships.
  std::map<std::string, std::map<std::string, std::pair<ShadowLine, const Entry*>>> shadows;
  bool any_shadow = false;
  std::map<std::string, std::vector<std::string>> groups_of;
  for (const Entry* e : dbs[static_cast<int>(DbKind::kShadow)]) {
    auto text = ReadCapped(tree, *e, kMaxDb);
    if (!text) continue;
    auto lines = ParseShadow(*text);
    if (!lines) continue;
    any_shadow = true;
    const std::string key =
        std::string(Dirname(e->path)) + "|" + std::string(Basename(e->path).substr(6));
    for (auto& l : *lines) shadows[key].emplace(l.name, std::make_pair(l, e));
  }
  for (const Entry* e : dbs[static_cast<int>(DbKind::kGroup)]) {
    auto text = ReadCapped(tree, *e, kMaxDb);
    if (!text) continue;
    for (const TextLine& l : SplitLines(*text, 20000)) {
      auto f = Fields(Trim(l.text));
      if (f.size() < 4 || !Numeric(f[2])) continue;
      std::size_t pos = 0;
      const std::string& members = f[3];
      while (pos < members.size()) {
        auto comma = members.find(',', pos);
        if (comma == std::string::npos) comma = members.size();
        if (comma > pos) groups_of[members.substr(pos, comma - pos)].push_back(f[0]);
        pos = comma + 1;
      }
    }
  }

  std::map<std::string, std::optional<credentials::CrackResult>> cracked;  // by hash
  for (const Entry* e : dbs[static_cast<int>(DbKind::kPasswd)]) {
    auto text = ReadCapped(tree, *e, kMaxDb);
    if (!text) continue;
    auto lines = ParsePasswd(*text);
    if (!lines) continue;
    const std::string suffix(Basename(e->path).substr(6));
    const std::string dir(Dirname(e->path));
    const auto* shadow =
        [&]() -> const std::map<std::string, std::pair<ShadowLine, const Entry*>>* {
      for (const std::string& k : {dir + "|" + suffix, dir + "|", std::string("/etc|")}) {
        if (auto it = shadows.find(k); it != shadows.end()) return &it->second;
      }
      return nullptr;
    }();
    const auto inst = installed.find(e->path);
    for (const PasswdLine& p : *lines) {
      PasswordInfo pw;
      const Entry* where = e;
      std::uint32_t where_line = p.line;
      std::string excerpt;
      if (p.password == "x") {
        const std::pair<ShadowLine, const Entry*>* sl = nullptr;
        if (shadow) {
          if (auto it = shadow->find(p.name); it != shadow->end()) sl = &it->second;
        }
        if (sl) {
          pw = Classify(sl->first.password, true);
          where = sl->second;
          where_line = sl->first.line;
        } else {
          pw.state = any_shadow ? "locked" : "placeholder";
        }
      } else {
        pw = Classify(p.password, false);
      }
      excerpt =
          p.name + ":" +
          (pw.hash.empty() ? (pw.state == "empty" ? "" : std::string("…")) : Redact(pw.hash)) +
          ":" + p.uid + ":" + p.gid + ":…:" + p.home + ":" + p.shell;
      nlohmann::json v = {{"name", p.name},
                          {"uid", std::stoul(p.uid)},
                          {"gid", std::stoul(p.gid)},
                          {"home", p.home},
                          {"shell", p.shell},
                          {"login", LoginShell(p.shell)},
                          {"file", tree.DisplayPath(*e)},
                          {"password", {{"state", pw.state}, {"scheme", pw.scheme}}}};
      v["password"]["file"] = tree.DisplayPath(*where);  // where the password field is
      v["password"]["line"] = where_line;
      if (!pw.hash.empty()) {
        v["password"]["hash"] = Redact(pw.hash);
        v["password"]["hash_id"] = Sha256Hex(AsBytes(pw.hash)).substr(0, 16);
      }
      if (auto g = groups_of.find(p.name); g != groups_of.end()) v["groups"] = g->second;
      if (inst != installed.end()) {
        v["installed_as"] = inst->second.first;
        v["installed_by"] = fmt::format("{}:{}", tree.DisplayPath(*inst->second.second->file),
                                        inst->second.second->line);
      }
      const FactId account =
          facts.Add(facts::kAccount, v, FileEvidence(in, *e, p.line, excerpt), "accounts");
      if (pw.hash.empty()) continue;
      auto& cr = cracked[pw.hash];
      if (!cr) cr = credentials::CrackHash(pw.hash, p.name, dict);
      nlohmann::json c = {{"user", p.name},
                          {"password_state", "hash"},
                          {"scheme", pw.scheme},
                          {"cracked", cr->match.has_value()},
                          {"exhausted", cr->exhausted},
                          {"tried", cr->tried},
                          {"kind", "account"},
                          {"uid", std::stoul(p.uid)},
                          {"login", LoginShell(p.shell)},
                          {"account_fact", account},
                          {"where", tree.DisplayPath(*where)}};
      if (cr->match) {
        c["password"] = Redact(cr->match->password);
        c["source"] = cr->match->source;
      }
      if (inst != installed.end()) c["installed_as"] = inst->second.first;
      facts.Add(facts::kCredential, c,
                FileEvidence(in, *where, where_line, p.name + ":" + Redact(pw.hash)), "accounts");
    }
  }
}

void CollectAccounts(const FirmwareInput& in, FactStore& facts, std::vector<Problem>& problems) {
  const auto dict = credentials::DictionaryFor(in.config, in.input, "accounts", problems);
  for (std::uint32_t root : ConfigRoots(in.tree)) CollectRoot(in, root, dict, facts);
}

}  // namespace

std::unique_ptr<const Collector> MakeAccountsCollector() {
  return MakeFunctionCollector({"accounts",
                                "accounts from passwd/shadow/group and their copies; hashes tried "
                                "against the default-credential dictionary",
                                {facts::kAccount, facts::kCredential}},
                               CollectAccounts);
}

}  // namespace iotcop::firmware
