// fw.disclosure.policy: vulnerability disclosure information in the firmware (security.txt in a
// web root, a SECURITY document, a security contact). Its absence is not a failure: the policy may
// be published on the web, so the check says INCONCLUSIVE and names what would decide it.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckDisclosurePolicy(CheckContext& ctx) {
  const auto found = ctx.facts().OfKind(facts::kDisclosure);
  std::vector<FactId> valid, invalid;
  std::string where, errors;
  for (const Fact* d : found) {
    if (d->value.value("valid", false)) {
      valid.push_back(d->id);
      if (where.empty())
        where = fmt::format("{} at {}{}", Str(*d, "kind"), Str(*d, "path"),
                            Str(*d, "contact").empty() ? "" : " (" + Str(*d, "contact") + ")");
    } else {
      invalid.push_back(d->id);
      if (errors.empty() && d->value.contains("errors") && !d->value["errors"].empty())
        errors = fmt::format("{}: {}", Str(*d, "path"), d->value["errors"][0].get<std::string>());
    }
  }
  if (!valid.empty()) {
    ctx.Pass("5.2-1", "the firmware names a vulnerability disclosure contact: " + where, valid);
  } else if (!invalid.empty()) {
    ctx.Inconclusive("5.2-1",
                     "the firmware's security.txt is not valid (" + errors +
                         "); the manufacturer's published policy or declaration would decide it",
                     invalid);
  } else {
    ctx.Inconclusive(
        "5.2-1",
        "no disclosure policy found in the firmware; the manufacturer's published policy or "
        "declaration would decide it");
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeDisclosurePolicyCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.disclosure.policy",
       "Vulnerability disclosure information in the firmware",
       {"5.2-1"},
       {InputKind::kFirmware},
       {facts::kDisclosure},
       "5.2-1 asks the manufacturer to publish a vulnerability disclosure policy with a contact. A "
       "security.txt (RFC 9116) or contact in the firmware shows one; its absence does not show "
       "there is none, since the policy is usually on the manufacturer's web site.",
       "Publish a disclosure policy and serve /.well-known/security.txt (RFC 9116) from the "
       "device's "
       "web interface pointing to it.",
       Severity::kInfo},
      CheckDisclosurePolicy);
}

}  // namespace iotcop
