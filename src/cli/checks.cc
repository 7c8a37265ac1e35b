// iotcop checks [--format text|json]: the built-in checks from their own metadata.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "assess/builtin_checks.h"
#include "cli/command.h"
#include "cli/common.h"
#include "core/check.h"

namespace iotcop::cli {

void AddChecksCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("checks",
                                 "List the built-in checks, the provisions each decides and (in "
                                 "parentheses) those it only informs");
  static std::string format = "text";
  cmd->add_option("--format", format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([&ctx] {
    ctx.run = [] {
      if (!DeclarationSchemaOrReport()) return kExitInput;
      if (format == "json") {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& c : BuiltinChecks()) {
          const CheckDoc& d = c->doc();
          nlohmann::json inputs = nlohmann::json::array();
          for (auto k : d.inputs) inputs.push_back(InputKindName(k));
          a.push_back({{"id", d.id},
                       {"title", d.title},
                       {"provisions", d.provisions},
                       {"informs", d.informs},
                       {"inputs", inputs},
                       {"needs", d.needs},
                       {"rationale", d.rationale},
                       {"remediation", d.remediation},
                       {"severity", SeverityName(d.severity)}});
        }
        std::cout << a.dump(2) << "\n";
        return kExitOk;
      }
      for (const auto& c : BuiltinChecks()) {
        const CheckDoc& d = c->doc();
        std::string provs;
        for (const auto& p : d.provisions) provs += (provs.empty() ? "" : ",") + p;
        for (const auto& p : d.informs) provs += (provs.empty() ? "(" : ",(") + p + ")";
        std::cout << fmt::format("{:<36} {:<9} {:<24} {}\n", d.id, SeverityName(d.severity), provs,
                                 d.title);
      }
      std::cout << fmt::format("{} checks\n", BuiltinChecks().size());
      return kExitOk;
    };
  });
}

}  // namespace iotcop::cli
