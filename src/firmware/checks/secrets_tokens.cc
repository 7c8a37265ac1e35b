// fw.secrets.tokens: API tokens and cloud credentials in the image (YARA rules/secrets with an
// entropy floor). A token in the firmware is shared by every unit and readable by anyone who
// downloads the image.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckSecretsTokens(CheckContext& ctx) {
  for (const Fact* s : ctx.facts().OfKind(facts::kSecret)) {
    ctx.Report(
        checkutil::FindingOn(
            {s},
            fmt::format("{} in {} ({})", Str(*s, "description"), Str(*s, "path"), Str(*s, "value")),
            fmt::format("A {} (rule {}, entropy {:.2f} bits/char) is shipped in the "
                        "firmware: every unit has it and anyone can extract it.",
                        Str(*s, "kind"), Str(*s, "rule"), s->value.value("entropy", 0.0)),
            Severity::kHigh),
        "secret:" + Str(*s, "rule") + "@" + Str(*s, "path"));
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeSecretTokensCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.secrets.tokens",
       "API tokens and cloud credentials in the firmware",
       {"5.4-3"},
       {InputKind::kFirmware},
       {facts::kSecret, facts::kCredential},
       "Cloud API tokens and keys baked into firmware are hard-coded critical security parameters "
       "(5.4-3): extracted once, they open the vendor's service for every unit.",
       "Provision per-unit credentials at manufacture or enrolment (e.g. a device certificate), "
       "and "
       "revoke any token that shipped in an image.",
       Severity::kHigh},
      CheckSecretsTokens);
}

}  // namespace iotcop
