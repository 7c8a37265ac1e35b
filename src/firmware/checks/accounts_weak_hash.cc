// fw.accounts.weak-hash: password hashes made with DES or MD5 crypt (or apr1/BSDi), which are fast
// enough to brute force that they are not best-practice cryptography for authentication (5.1-3).
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::Str;

bool Weak(const std::string& s) { return s == "des" || s == "md5" || s == "apr1" || s == "bsdi"; }

Status CheckAccountsWeakHash(CheckContext& ctx) {
  for (const Fact* a : ctx.facts().OfKind(facts::kAccount)) {
    const std::string scheme = a->value["password"].value("scheme", "");
    if (a->value["password"].value("state", "") != "hash" || !Weak(scheme)) continue;
    const std::string name = Str(*a, "name");
    ctx.Report(checkutil::FindingOn(
                   {a},
                   fmt::format("'{}' uses a weak {} password hash ({})", name, scheme,
                               a->value["password"].value("file", Str(*a, "file"))),
                   fmt::format("{} crypt is fast to brute force on a GPU; use SHA-512 crypt, "
                               "bcrypt or yescrypt.",
                               scheme == "des" ? "DES" : "MD5"),
                   Severity::kMedium),
               "weak-hash:" + name + "@" + Str(*a, "file"));
  }
  for (const Fact* c : ctx.facts().OfKind(facts::kCredential)) {
    const std::string scheme = Str(*c, "scheme");
    if (Str(*c, "kind") == "account" || !Weak(scheme)) continue;
    ctx.Report(checkutil::FindingOn({c},
                                    fmt::format("a {} password hash protects '{}' in {}", scheme,
                                                Str(*c, "user"), Str(*c, "where")),
                                    "DES/MD5-based password hashes are fast to brute force.",
                                    Severity::kMedium),
               "weak-hash:" + Str(*c, "user") + "@" + Str(*c, "where"));
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeAccountsWeakHashCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.accounts.weak-hash",
       "Weak password hash schemes (DES, MD5)",
       {"5.1-3"},
       {InputKind::kFirmware},
       {facts::kAccount},
       "EN 303 645 5.1-3 asks authentication to use best-practice cryptography. DES crypt keeps 8 "
       "characters and MD5 crypt is cheap to brute force; both are deprecated.",
       "Hash passwords with yescrypt, bcrypt or SHA-512 crypt (libcrypt's default schemes).",
       Severity::kMedium},
      CheckAccountsWeakHash);
}

}  // namespace iotcop
