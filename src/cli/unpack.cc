// iotcop unpack IMAGE -o DIR [--json]: the unpacking engine on its own; prints the tree summary
// (roots with their origin chains, counts, problems, unknown regions).
#include <fmt/format.h>

#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "core/progress.h"
#include "unpack/coverage.h"
#include "unpack/engine.h"

namespace iotcop::cli {
namespace {

std::string Chain(const std::vector<unpack::OriginStep>& origin) {
  std::string s;
  for (const auto& o : origin)
    s += fmt::format("{}{}@0x{:X}", s.empty() ? "" : " > ", o.handler, o.offset);
  return s.empty() ? "-" : s;
}

nlohmann::json ToJson(const unpack::UnpackResult& r) {
  nlohmann::json j;
  j["roots"] = nlohmann::json::array();
  std::vector<std::map<std::string, int>> counts(r.tree.roots().size());
  for (const auto& e : r.tree.entries()) counts[e.root][unpack::EntryTypeName(e.type)]++;
  for (std::size_t i = 0; i < r.tree.roots().size(); ++i) {
    const auto& root = r.tree.roots()[i];
    nlohmann::json origin = nlohmann::json::array();
    for (const auto& o : root.origin) {
      origin.push_back({{"handler", o.handler}, {"offset", o.offset}, {"length", o.length}});
    }
    j["roots"].push_back({{"name", root.name},
                          {"kind", root.kind},
                          {"disk", root.disk.string()},
                          {"origin", origin},
                          {"parent_path", root.parent_path},
                          {"counts", counts[i]}});
  }
  j["notes"] = nlohmann::json::array();
  for (const auto& n : r.tree.notes()) {
    j["notes"].push_back({{"kind", n.kind},
                          {"text", n.text},
                          {"container", n.container},
                          {"offset", n.offset},
                          {"origin", Chain(n.origin)}});
  }
  j["entries"] = r.tree.entries().size();
  j["bytes_written"] = r.bytes_written;
  j["problems"] = r.problems;
  j["unknown_regions"] = nlohmann::json::array();
  for (const auto& u : r.unknown) {
    j["unknown_regions"].push_back({{"container", u.container},
                                    {"offset", u.offset},
                                    {"size", u.size},
                                    {"entropy", u.entropy},
                                    {"note", u.note},
                                    {"guess", u.guess}});
  }
  j["coverage"] = unpack::CoverageOf(r, r.input_size);
  return j;
}

void PrintText(const unpack::UnpackResult& r) {
  std::vector<std::map<std::string, int>> counts(r.tree.roots().size());
  for (const auto& e : r.tree.entries()) counts[e.root][unpack::EntryTypeName(e.type)]++;
  std::cout << fmt::format("{} roots, {} entries, {} bytes written\n", r.tree.roots().size(),
                           r.tree.entries().size(), r.bytes_written);
  for (std::size_t i = 0; i < r.tree.roots().size(); ++i) {
    const auto& root = r.tree.roots()[i];
    std::string c;
    for (const auto& [k, n] : counts[i]) c += fmt::format("{}{} {}", c.empty() ? "" : ", ", n, k);
    std::cout << fmt::format("  [{}] {} ({}): {}\n      origin: {}{}\n", i, root.name, root.kind, c,
                             Chain(root.origin),
                             root.parent_path.empty() ? "" : " in " + root.parent_path);
  }
  for (const auto& n : r.tree.notes()) {
    std::cout << fmt::format("  {} in {} at 0x{:X}: {}\n", n.kind, n.container, n.offset, n.text);
  }
  const Coverage coverage = unpack::CoverageOf(r, r.input_size);
  std::cout << "coverage: " << coverage.Summary() << "\n";
  if (!coverage.extracted()) std::cout << "WARNING: " << coverage.Warning() << "\n";
  if (!r.unknown.empty()) std::cout << "unknown regions:\n";
  for (const auto& u : r.unknown) {
    std::cout << fmt::format("  {} at 0x{:X}, {} bytes, entropy {:.2f}{}\n", u.container, u.offset,
                             u.size, u.entropy, u.note.empty() ? "" : " — " + u.note);
  }
  if (!r.problems.empty()) std::cout << "problems:\n";
  for (const auto& p : r.problems) {
    std::cout << fmt::format("  {}: {}{}{}: {}\n", p.level, p.input,
                             p.path.empty() ? "" : " " + p.path,
                             p.offset ? fmt::format(" at 0x{:X}", *p.offset) : "", p.message);
  }
}

}  // namespace

void AddUnpackCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd =
      app.add_subcommand("unpack", "Unpack a firmware image into a folder and summarise its tree");
  static std::string image, out;
  static bool json = false;
  static int depth = 16;
  cmd->add_option("image", image, "firmware image")->required();
  cmd->add_option("-o,--out", out, "output folder (created)")->required();
  cmd->add_flag("--json", json, "machine-readable summary on stdout");
  cmd->add_option("--max-depth", depth, "recursion limit")->capture_default_str();
  cmd->callback([&ctx] {
    ctx.run = []() -> int {
      Progress progress;
      unpack::UnpackOptions o;
      o.out_dir = out;
      o.limits.max_depth = depth;
      o.progress = [&progress](std::string_view what) { progress.Set("unpacking", what); };
      auto r = unpack::UnpackImage(image, o);
      progress.Done();
      if (!r) {
        std::cerr << "iotcop: unpack: " << r.error().Describe() << "\n";
        return kExitInput;
      }
      if (json) {
        std::cout << ToJson(*r).dump(2) << "\n";
      } else {
        PrintText(*r);
      }
      return kExitOk;
    };
  });
}

}  // namespace iotcop::cli
