// File: network/checks/login_brute_force.cc
// net.login.brute-force (5.1-5): a live password login that answered a run of wrong guesses as
// fast as the first, without lockout or delay. Passes when every service judged locked us out,
// slowed down or has no password login; inconclusive when too few guesses were made to tell.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckNetLoginBruteForce(CheckContext& ctx) {
  std::vector<FactId> basis, open;
  std::size_t resisting = 0, found = 0;
  for (const Fact* f : ctx.facts().OfKind(facts::kBruteForceResistance)) {
    basis.push_back(f->id);
    const std::string r = Str(*f, "result");
    if (r == "none") {
      ++found;
      ctx.Report(checkutil::FindingOn(
                     {f},
                     fmt::format("{} on {} does not resist password guessing", Str(*f, "service"),
                                 Str(*f, "endpoint")),
                     fmt::format("{}. Nothing makes an online brute-force attack impracticable.",
                                 Str(*f, "reason")),
                     Severity::kMedium),
                 "brute:" + Str(*f, "endpoint"));
    } else if (r == "undetermined") {
      open.push_back(f->id);
    } else {
      ++resisting;
    }
  }
  if (found > 0) return Ok();
  if (!open.empty())
    ctx.Inconclusive("5.1-5",
                     "too few failed logins to judge brute-force resistance on some services; "
                     "a higher limit of login attempts would decide",
                     open);
  else if (resisting > 0)
    ctx.Pass("5.1-5", "every password login tried locked out, slowed down or is not offered",
             basis);
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeNetLoginBruteForceCheck() {
  return checkutil::MakeFunctionCheck(
      {"net.login.brute-force",
       "Live password login without brute-force protection",
       {"5.1-5"},
       {InputKind::kNetwork},
       {facts::kBruteForceResistance},
       "The device shall make brute-force attacks on authentication via network interfaces "
       "impracticable (5.1-5): rate limiting, increasing delays or lockout after failures. "
       "iotcop makes a bounded run of wrong guesses and measures whether the service slows down, "
       "locks out or disconnects.",
       "Limit the rate of failed logins per source and account (growing delay or temporary "
       "lockout), or offer key-based login only.",
       Severity::kMedium},
      CheckNetLoginBruteForce);
}

}  // namespace iotcop
