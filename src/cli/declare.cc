// iotcop declare init [-o FILE] [--interactive] | iotcop declare check FILE [--format text|json]
// Writes the commented declaration template (or walks the user through it on a terminal) and checks
// a declaration: schema problems with their lines, then the conceptual verdict per provision.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "assess/pipeline.h"
#include "cli/command.h"
#include "cli/common.h"
#include "declaration/schema.h"
#include "declaration/template.h"
#include "report/renderer.h"

namespace iotcop::cli {
namespace {

std::map<std::string, std::string> Interview() {
  std::map<std::string, std::string> answers;
  std::cerr
      << "Answer each question; press Enter to skip it (it stays commented out in the file).\n";
  std::string_view topic;
  for (const auto& f : declaration::Fields()) {
    if (f.path == "schema") continue;
    if (f.topic != topic) {
      topic = f.topic;
      for (const auto& t : declaration::Topics())
        if (t.id == topic) std::cerr << "\n== " << t.title << " ==\n";
    }
    std::string provisions;
    for (auto p : f.provisions) provisions += (provisions.empty() ? "" : ", ") + std::string(p);
    std::cerr << fmt::format("{} — {} [{}{}]\n  e.g. {}\n> ", f.path, f.help,
                             declaration::FieldTypeName(f.type),
                             provisions.empty() ? "" : "; " + provisions, f.example);
    std::string line;
    if (!std::getline(std::cin, line)) break;
    if (!line.empty()) answers[std::string(f.path)] = line;
  }
  return answers;
}

}  // namespace

void AddDeclareCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd =
      app.add_subcommand("declare", "Write, fill in or check a manufacturer's declaration (IXIT)");
  cmd->require_subcommand(1);
  static std::string out, file, format = "text";
  static bool interactive = false, force = false;
  auto* init = cmd->add_subcommand("init", "Write the commented declaration template");
  init->add_option("-o,--out", out, "file to write (default: standard output)");
  init->add_flag("-i,--interactive", interactive, "ask for each entry on the terminal");
  init->add_flag("--force", force, "overwrite an existing file");
  auto* check =
      cmd->add_subcommand("check", "Check a declaration: schema problems and conceptual verdicts");
  check->add_option("file", file, "the declaration (YAML)")->required();
  check->add_option("--format", format, "text or json")->check(CLI::IsMember({"text", "json"}));

  init->callback([&ctx] {
    ctx.run = []() -> int {
      if (interactive && !::isatty(STDIN_FILENO)) {
        std::cerr << "iotcop declare init: --interactive needs a terminal on standard input\n";
        return kExitUsage;
      }
      if (!DeclarationSchemaOrReport()) return kExitInput;
      const std::string text =
          interactive ? declaration::Filled(Interview()) : declaration::Template();
      if (out.empty()) {
        std::cout << text;
        return kExitOk;
      }
      std::error_code ec;
      if (std::filesystem::exists(out, ec) && !force) {
        std::cerr << "iotcop declare init: " << out << ": exists (use --force to overwrite)\n";
        return kExitUsage;
      }
      std::ofstream f(out, std::ios::binary);
      f << text;
      if (!f) {
        std::cerr << "iotcop declare init: " << out << ": cannot write\n";
        return kExitInput;
      }
      std::cerr << "wrote " << out << "\n";
      return kExitOk;
    };
  });
  check->callback([&ctx] {
    ctx.run = []() -> int {
      auto catalogue = LoadCatalogueOrReport();
      if (!catalogue || !DeclarationSchemaOrReport(&*catalogue)) return kExitInput;
      AssessOptions o;
      o.declaration = file;
      Progress progress;
      Assessment a = RunAssessment(o, *catalogue, progress);
      if (format == "json") {
        return report::FindRenderer("json")->Render(a, *catalogue, std::cout) ? kExitOk
                                                                              : kExitInput;
      }
      for (const auto& p : a.problems) std::cout << fmt::format("{}: {}\n", p.input, p.message);
      int counts[4] = {0, 0, 0, 0};
      for (const auto& v : a.verdicts) {
        if (!v.conceptual) continue;
        ++counts[static_cast<int>(*v.conceptual)];
        std::cout << fmt::format("{:<8} {:<15} {}\n", v.id, VerdictName(*v.conceptual), v.reason);
      }
      std::cout << fmt::format(
          "conceptual verdicts: {} PASS, {} FAIL, {} INCONCLUSIVE, {} NOT_APPLICABLE\n", counts[0],
          counts[1], counts[2], counts[3]);
      for (const auto& in : a.inputs)
        if (in.status == "failed") return kExitInput;
      return counts[1] > 0 ? kExitFindings : kExitOk;
    };
  });
}

}  // namespace iotcop::cli
