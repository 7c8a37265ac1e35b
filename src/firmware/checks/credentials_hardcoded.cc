// fw.credentials.hard-coded: credentials written into service configuration (web server user
// files, httpd.conf, nvram defaults), passed on boot command lines, or compiled into programs
// (YARA rules/credentials). Like a baked account hash, each is the same on every unit. nvram
// defaults are named by their key and where the table is (file and line, or offset in a library).
// An empty administrator password in an nvram default table does not fail 5.1-1 by itself: it is
// how firmware makes the user set the password at first login, which 5.1-1 allows; whether the
// first login forces it is run-time behaviour, so 5.1-1 stays inconclusive on that evidence.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::Str;

std::string Where(const std::string& kind) {
  if (kind == "web") return "a web server's user file";
  if (kind == "nvram") return "the nvram defaults";
  if (kind == "command") return "a boot command line";
  return "a program";
}

// "fw!/etc/nvram.default line 3" / "fw!/lib/libnvram.so offset 0x1f40": where an nvram entry is.
std::string NvramPlace(const Fact& c) {
  if (auto l = c.value.find("line"); l != c.value.end() && l->is_number())
    return fmt::format("{} line {}", Str(c, "where"), l->get<std::uint64_t>());
  if (auto o = c.value.find("offset"); o != c.value.end() && o->is_number())
    return fmt::format("{} offset {:#x}", Str(c, "where"), o->get<std::uint64_t>());
  return Str(c, "where");
}

Status CheckCredentialsHardcoded(CheckContext& ctx) {
  std::vector<std::string> empty_admin;
  for (const Fact* c : ctx.facts().OfKind(facts::kCredential)) {
    const std::string kind = Str(*c, "kind");
    if (kind != "web" && kind != "nvram" && kind != "command" && kind != "binary") continue;
    const bool cracked = c->value.value("cracked", false);
    const std::string state = Str(*c, "password_state");
    const std::string user = Str(*c, "user");
    const std::string who = user.empty() ? Str(*c, "service") : user;
    std::string title;
    if (kind == "nvram") {
      const std::string key = Str(*c, "key");
      const bool admin = c->value.value("admin", false);
      if (state == "empty") {
        if (admin) empty_admin.push_back(fmt::format("{}= ({})", key, NvramPlace(*c)));
        continue;
      }
      const std::string login = user.empty() ? "" : fmt::format(" (login '{}')", user);
      title = fmt::format(
          "{} {}{} in the nvram defaults: {}={} ({}{})", cracked ? "default" : "hard-coded",
          admin ? "administrator password" : "password", login, key, Str(*c, "password"),
          NvramPlace(*c), cracked ? "; " + Str(*c, "source") : "");
    } else if (state == "empty") {
      title =
          fmt::format("'{}' has an empty password in {} ({})", who, Where(kind), Str(*c, "where"));
    } else if (cracked) {
      title = fmt::format("default credential for '{}' in {} ({}; {})", who, Where(kind),
                          Str(*c, "where"), Str(*c, "source"));
    } else {
      title = fmt::format("hard-coded {} for '{}' in {} ({})",
                          state == "hash" ? "password hash" : "password", who, Where(kind),
                          Str(*c, "where"));
    }
    std::string message =
        fmt::format("The {} ({}) is shipped in the image, so every unit has it{}.",
                    state == "hash" ? "password hash" : "password", Str(*c, "password"),
                    cracked ? " and it is a well-known default" : "");
    if (kind == "binary") message += fmt::format(" Matched by rule {}.", Str(*c, "rule"));
    ctx.Report(
        checkutil::FindingOn({c}, title, message, cracked ? Severity::kCritical : Severity::kHigh),
        kind + ":" + who + "@" + Str(*c, "where") + ":" + Str(*c, "rule") +
            (kind == "nvram" ? ":" + Str(*c, "key") : ""));
  }
  if (!empty_admin.empty()) {
    std::string list;
    for (const auto& e : empty_admin) list += (list.empty() ? "" : ", ") + e;
    ctx.Inconclusive("5.1-1",
                     fmt::format("the nvram defaults set no administrator password ({}): 5.1-1 "
                                 "holds only if the first login forces the user to set one, which "
                                 "a test of the first login on the device decides",
                                 list));
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeHardcodedCredentialsCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.credentials.hard-coded",
       "Credentials in service configuration, command lines and programs",
       {"5.1-1", "5.4-3"},
       {InputKind::kFirmware},
       {facts::kCredential},
       "Web interfaces, nvram defaults and daemons' command lines often carry their own passwords "
       "(http_passwd=admin, telnetd -u user:pass, a backdoor password compiled into a binary). "
       "They "
       "are universal default credentials (5.1-1) and hard-coded critical security parameters "
       "(5.4-3). nvram default tables (text tables, and the string tables of libnvram, libshared "
       "and nvram programs) are read for the administrator password keys of "
       "rules/nvram-admin-keys.txt and other password keys; each finding names the key and where "
       "it is (file and line, or offset). An empty administrator password there is not a FAIL: "
       "it is how firmware makes the user define the password at first login, which 5.1-1 "
       "allows; since the firmware cannot show that the first login forces it, 5.1-1 is then "
       "inconclusive on this evidence.",
       "Remove built-in credentials; have the user set the password at first use or provision a "
       "unique one per unit, stored outside the firmware image.",
       Severity::kHigh},
      CheckCredentialsHardcoded);
}

}  // namespace iotcop
