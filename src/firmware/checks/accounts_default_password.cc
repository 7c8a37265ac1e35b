// fw.accounts.default-password: login-capable accounts with no password, and account password
// hashes baked into the image. A baked hash is the same on every unit, so it is a universal
// default password (5.1-1) and a hard-coded critical parameter (5.4-3) whether or not the
// dictionary cracks it; the dictionary only says how guessable it is (cracked: critical,
// uncracked: high). Locked accounts and per-unit placeholders are not default passwords.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::FindingOn;
using checkutil::Str;

Status CheckAccountsDefaultPassword(CheckContext& ctx) {
  const auto& facts = ctx.facts();
  for (const Fact* a : facts.OfKind(facts::kAccount)) {
    const std::string state = a->value["password"].value("state", "");
    if (!a->value.value("login", false) || (state != "empty" && state != "none")) continue;
    const std::string name = Str(*a, "name");
    const std::string where = a->value["password"].value("file", Str(*a, "file"));
    const std::string title =
        state == "empty" ? fmt::format("account '{}' has an empty password ({})", name, where)
                         : fmt::format("account '{}' has no password set ({})", name, where);
    ctx.Report(
        FindingOn({a}, title,
                  fmt::format("'{}' has a login shell ({}) and no password: anyone reaching a "
                              "login prompt, console or remote shell logs in as '{}' (uid {}) on "
                              "every unit.",
                              name, Str(*a, "shell"), name, a->value.value("uid", 0u)),
                  Severity::kCritical, {"5.1-1"}),
        "no-password:" + name + "@" + Str(*a, "file"));
  }
  for (const Fact* c : facts.OfKind(facts::kCredential)) {
    if (Str(*c, "kind") != "account" || Str(*c, "password_state") != "hash") continue;
    const bool login = c->value.value("login", false);
    const bool cracked = c->value.value("cracked", false);
    if (!login && !cracked) continue;  // a hash no login can use and no dictionary guesses
    const std::string user = Str(*c, "user");
    std::vector<const Fact*> basis = {c};
    if (auto id = c->value.find("account_fact");
        id != c->value.end() && id->is_number_unsigned() && *id < facts.size())
      basis.insert(basis.begin(), &facts.at(id->get<FactId>()));
    std::string via;
    if (auto inst = c->value.find("installed_as"); inst != c->value.end())
      via = fmt::format(" (installed as {} at boot)", inst->get<std::string>());
    Finding f;
    if (cracked) {
      f = FindingOn(
          basis,
          fmt::format("'{}' has a default password from the dictionary ({}; {} hash in {}{})", user,
                      Str(*c, "source"), Str(*c, "scheme"), Str(*c, "where"), via),
          fmt::format("The {} hash of '{}' verifies against a well-known default password "
                      "({}): it is the same on every unit and is among the first an attacker "
                      "tries.",
                      Str(*c, "scheme"), user, Str(*c, "password")),
          login ? Severity::kCritical : Severity::kMedium, {"5.1-1", "5.4-3"});
    } else {
      f = FindingOn(
          basis,
          fmt::format("a password hash for '{}' is baked into the image ({}{})", user,
                      Str(*c, "where"), via),
          fmt::format("Every unit ships the same {} hash for '{}', so the password is a universal "
                      "default even though the dictionary did not guess it ({} candidates{}).",
                      Str(*c, "scheme"), user, c->value.value("tried", 0u),
                      c->value.value("exhausted", true) ? "" : ", time budget reached"),
          Severity::kHigh, {"5.1-1", "5.4-3"});
    }
    ctx.Report(std::move(f), "hash:" + user + "@" + Str(*c, "where"));
  }
  ctx.Inconclusive(
      "5.1-2",
      "how per-unit passwords are generated (if any) is not visible in the firmware; the "
      "manufacturer's description of the generation mechanism would decide it");
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeAccountsDefaultPasswordCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.accounts.default-password",
       "Accounts with default, empty or baked-in passwords",
       {"5.1-1", "5.1-2", "5.4-3"},
       {InputKind::kFirmware},
       {facts::kAccount, facts::kCredential},
       "A password that is the same on every unit (empty, a dictionary default, or any hash "
       "shipped in "
       "the image) lets one leaked or guessed value open every device: the pattern Mirai "
       "exploited. "
       "EN 303 645 5.1-1 requires passwords unique per device or set by the user; 5.4-3 forbids "
       "hard-coded critical security parameters.",
       "Ship accounts locked ('*' or '!' in shadow) or without a password field and have the user "
       "set "
       "one at first use, or generate a unique random password per unit at manufacture; never bake "
       "a "
       "password hash into the image.",
       Severity::kCritical},
      CheckAccountsDefaultPassword);
}

}  // namespace iotcop
