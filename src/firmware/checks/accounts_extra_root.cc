// fw.accounts.extra-root: accounts other than root with uid 0 that can log in. A second uid-0
// account is a full administrator under another name, typically a vendor backdoor or service
// login (corpus 08: 'admin' with uid 0 in /etc/passwd.bak).
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckAccountsExtraRoot(CheckContext& ctx) {
  for (const Fact* a : ctx.facts().OfKind(facts::kAccount)) {
    const std::string name = Str(*a, "name");
    const std::string state = a->value["password"].value("state", "");
    if (name == "root" || a->value.value("uid", 1u) != 0u || !a->value.value("login", false) ||
        state == "locked" || state == "placeholder")
      continue;
    ctx.Report(
        checkutil::FindingOn(
            {a},
            fmt::format("'{}' is a second uid-0 (root) account that can log in ({})", name,
                        Str(*a, "file")),
            fmt::format("'{}' has uid 0, a login shell ({}) and a password state of '{}': it "
                        "is a full administrator under another name, the same on every "
                        "unit.",
                        name, Str(*a, "shell"), state),
            Severity::kHigh),
        "uid0:" + name + "@" + Str(*a, "file"));
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeAccountsExtraRootCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.accounts.extra-root",
       "Extra uid-0 accounts",
       {"5.1-1"},
       {InputKind::kFirmware},
       {facts::kAccount},
       "Only root should have uid 0. Another login-capable uid-0 account is an undocumented "
       "administrator login shared by every unit (a universal default credential, 5.1-1).",
       "Remove the extra uid-0 account, or give it its own uid and lock it ('*' in shadow) unless "
       "the "
       "user sets its password.",
       Severity::kHigh},
      CheckAccountsExtraRoot);
}

}  // namespace iotcop
