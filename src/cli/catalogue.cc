// iotcop catalogue [--standard ID] [--format text|json]; iotcop catalogue show ID
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/common.h"

namespace iotcop::cli {
namespace {

nlohmann::json ItemJson(const CatalogueItem& it) {
  nlohmann::json j = {
      {"id", it.id}, {"qualified", it.Qualified()}, {"title", it.title}, {"text", it.text}};
  if (!it.status.empty()) {
    j["status"] = it.status;
    j["mandatory"] = it.mandatory;
    j["conditions"] = it.conditions;
    if (!it.features.empty()) j["features"] = it.features;
  }
  if (!it.group.empty()) j["group"] = it.group;
  if (!it.decide_with.empty()) j["decide_with"] = it.decide_with;
  if (!it.relation.empty()) j["relation"] = it.relation;
  if (!it.v2.empty()) j["v2"] = it.v2;
  if (!it.deemed_by.empty()) j["deemed_by"] = it.deemed_by;
  j["links"] = it.links;
  j["backlinks"] = it.backlinks;
  if (it.unverified) j["unverified"] = true;
  for (auto& [k, v] : it.extra.items()) j[k] = v;
  return j;
}

nlohmann::json StandardJson(const Standard& s) {
  nlohmann::json j = {{"id", s.id},           {"name", s.name},
                      {"version", s.version}, {"description", s.description},
                      {"sources", s.sources}, {"unverified", s.unverified}};
  for (const auto* list : {&s.conditions, &s.features}) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& c : *list)
      a.push_back({{"id", c.id}, {"text", c.text}, {"property", c.property}, {"negate", c.negate}});
    j[list == &s.conditions ? "conditions" : "features"] = a;
  }
  nlohmann::json items = nlohmann::json::array();
  for (const auto& it : s.items) items.push_back(ItemJson(it));
  j["items"] = items;
  if (!s.statement_of_compliance.empty()) j["statement_of_compliance"] = s.statement_of_compliance;
  if (!s.rules.empty()) j["rules"] = s.rules;
  return j;
}

void PrintItem(const Catalogue& cat, const CatalogueItem& it) {
  const Standard* s = cat.Find(it.standard);
  std::cout << fmt::format("{}  ({} {})\n", it.Qualified(), s ? s->name : it.standard,
                           s ? s->version : "");
  std::cout << fmt::format("  {}\n", it.title);
  if (!it.status.empty()) {
    std::cout << fmt::format("  status: {} ({})\n", it.status,
                             it.mandatory ? "mandatory" : "recommendation");
    for (const auto& c : it.conditions) {
      const CatalogueCondition* cc = s ? s->Condition(c) : nullptr;
      std::cout << fmt::format("    condition {}: {}\n", c, cc ? cc->text : "?");
    }
  }
  if (!it.text.empty()) std::cout << fmt::format("  {}\n", it.text);
  if (!it.decide_with.empty()) std::cout << fmt::format("  decided by: {}\n", it.decide_with);
  if (it.unverified) std::cout << "  (unverified: from secondary sources)\n";
  auto show = [&](const char* label, const std::vector<std::string>& ids) {
    for (const auto& q : ids) {
      const CatalogueItem* o = cat.Resolve(q);
      std::cout << fmt::format("  {} {}  {}\n", label, q, o ? o->title : "(unresolved)");
    }
  };
  show("links to   ", it.links);
  show("linked from", it.backlinks);
}

}  // namespace

void AddCatalogueCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd =
      app.add_subcommand("catalogue", "List the standards and their provisions, or show one item");
  static std::string format = "text", standard, show_id;
  cmd->add_option("--format", format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--standard", standard, "only this standard (e.g. en303645-v2, psti, cop2018)");
  auto* show = cmd->add_subcommand("show", "Show one item with its links both ways");
  show->add_option("id", show_id, "an id such as 5.1-1, or qualified: psti:1")->required();
  show->add_option("--format", format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([&ctx, show] {
    ctx.run = [show]() -> int {
      auto cat = LoadCatalogueOrReport();
      if (!cat) return kExitInput;
      if (show->parsed()) {
        auto items = cat->Lookup(show_id);
        if (items.empty()) {
          std::cerr << "iotcop: catalogue show: no item '" << show_id
                    << "' (try a qualified id such as en303645-v2:5.1-1)\n";
          return kExitUsage;
        }
        if (format == "json") {
          nlohmann::json a = nlohmann::json::array();
          for (const auto* it : items) a.push_back(ItemJson(*it));
          std::cout << a.dump(2) << "\n";
        } else {
          for (const auto* it : items) {
            PrintItem(*cat, *it);
            std::cout << "\n";
          }
        }
        return kExitOk;
      }
      if (!standard.empty() && !cat->Find(standard)) {
        std::cerr << "iotcop: catalogue: unknown standard '" << standard << "'\n";
        return kExitUsage;
      }
      if (format == "json") {
        nlohmann::json j = {{"standards", nlohmann::json::array()}};
        for (const auto& s : cat->standards())
          if (standard.empty() || s.id == standard) j["standards"].push_back(StandardJson(s));
        std::cout << j.dump(2) << "\n";
        return kExitOk;
      }
      for (const auto& s : cat->standards()) {
        if (!standard.empty() && s.id != standard) continue;
        std::cout << fmt::format("{} — {} {} ({} items){}\n", s.id, s.name, s.version,
                                 s.items.size(), s.unverified ? " [unverified]" : "");
        if (standard.empty()) continue;
        for (const auto& it : s.items)
          std::cout << fmt::format("  {:<10} {:<16} {}\n", it.id, it.status, it.title);
      }
      if (standard.empty())
        std::cout << "\n`iotcop catalogue --standard ID` lists one; `iotcop catalogue show 5.1-1` "
                     "shows an item.\n";
      return kExitOk;
    };
  });
}

}  // namespace iotcop::cli
