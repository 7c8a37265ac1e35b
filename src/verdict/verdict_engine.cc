#include "verdict/verdict_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "verdict/applicability.h"

namespace iotcop {
namespace {

constexpr std::string_view kV2 = "en303645-v2";

template <class T>
void AppendUnique(std::vector<T>& to, const std::vector<T>& from) {
  for (const auto& x : from)
    if (std::find(to.begin(), to.end(), x) == to.end()) to.push_back(x);
}

// The catalogue's sentence without its full stop, so more clauses can follow it.
std::string DecideWith(const CatalogueItem& item) {
  std::string s = item.decide_with;
  while (!s.empty() && (s.back() == '.' || s.back() == ' ')) s.pop_back();
  return s;
}

// The checks' reasons, "; "-joined; a clause that several reasons share (an image's coverage
// warning, which every firmware check appends) is said once, where it first stands.
std::string JoinReasons(const std::vector<std::string>& reasons) {
  std::string out;
  std::set<std::string_view> said;
  for (const auto& r : reasons) {
    std::string_view rest = r;
    while (!rest.empty()) {
      const std::size_t cut = rest.find("; ");
      const std::string_view clause = rest.substr(0, cut);
      rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 2);
      if (clause.empty() || !said.insert(clause).second) continue;
      if (!out.empty()) out += "; ";
      out += clause;
    }
  }
  return out;
}

// The checks whose findings `informing` are, once each, in order: "fw.binaries.hardening, ...".
std::string InformingChecks(const Assessment& a, const std::vector<std::size_t>& informing) {
  std::vector<std::string> ids;
  for (std::size_t i : informing)
    if (std::find(ids.begin(), ids.end(), a.findings[i].check_id) == ids.end())
      ids.push_back(a.findings[i].check_id);
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

// Verdict on one V2.1.1 provision.
ItemVerdict DecideProvision(const Catalogue& cat, const Standard& v2, const CatalogueItem& item,
                            const Assessment& a) {
  ItemVerdict v;
  v.standard = v2.id;
  v.id = item.id;
  v.title = item.title;
  v.status = item.status;
  v.mandatory = item.mandatory;
  v.guideline = cat.GuidelineOf(item).value_or("");

  // Findings that inform the provision (hardening, imported functions): shown, never deciding.
  for (std::size_t i = 0; i < a.findings.size(); ++i) {
    const auto& inf = a.findings[i].informs;
    if (std::find(inf.begin(), inf.end(), item.id) != inf.end()) v.informing.push_back(i);
  }

  std::vector<const Outcome*> mine;
  for (const auto& o : a.outcomes)
    if (o.provision == item.id) mine.push_back(&o);
  for (const auto* o : mine) {
    if (std::find(v.checks.begin(), v.checks.end(), o->check_id) == v.checks.end())
      v.checks.push_back(o->check_id);
  }

  auto collect = [&](Verdict want, std::vector<std::string>& reasons) {
    bool any = false;
    for (const auto* o : mine) {
      if (o->verdict != want) continue;
      any = true;
      reasons.push_back(o->reason);
      AppendUnique(v.findings, o->findings);
      AppendUnique(v.facts, o->basis);
    }
    return any;
  };

  // Applicability from the provision's conditions.
  std::optional<std::string> not_applicable;
  std::vector<FactId> condition_basis;
  std::vector<std::string> unknown_conditions;
  for (const auto& cid : item.conditions) {
    const CatalogueCondition* c = v2.Condition(cid);
    if (!c || c->property.empty()) {
      unknown_conditions.push_back(cid);
      continue;
    }
    auto p = ResolveProperty(a.facts, c->property);
    if (!p) {
      unknown_conditions.push_back(cid);
      continue;
    }
    const bool holds = c->negate ? !p->value : p->value;
    if (!holds && !not_applicable) {
      not_applicable =
          fmt::format("condition ({}) \"{}\" does not hold: {}", cid, c->text, p->reason);
      if (!p->conflict.empty()) *not_applicable += " (" + p->conflict + ")";
      condition_basis = p->basis;
    }
  }

  std::vector<std::string> reasons;
  if (collect(Verdict::kFail, reasons)) {
    v.verdict = Verdict::kFail;
    v.reason = JoinReasons(reasons);
  } else if (not_applicable) {
    v.verdict = Verdict::kNotApplicable;
    v.reason = *not_applicable;
    AppendUnique(v.facts, condition_basis);
  } else if (collect(Verdict::kPass, reasons)) {
    v.verdict = Verdict::kPass;
    v.reason = JoinReasons(reasons);
  } else if (collect(Verdict::kNotApplicable, reasons)) {
    v.verdict = Verdict::kNotApplicable;
    v.reason = JoinReasons(reasons);
  } else {
    v.verdict = Verdict::kInconclusive;
    collect(Verdict::kInconclusive, reasons);
    std::string why = !reasons.empty()      ? JoinReasons(reasons)
                      : v.informing.empty() ? "not assessed"
                                            : "no test decides it";
    if (!v.informing.empty())
      why += fmt::format("; {} finding{} inform{} it without deciding it ({})", v.informing.size(),
                         v.informing.size() == 1 ? "" : "s", v.informing.size() == 1 ? "s" : "",
                         InformingChecks(a, v.informing));
    if (!item.decide_with.empty()) why += "; would be decided by: " + DecideWith(item);
    v.reason = why;
  }
  if (v.verdict != Verdict::kNotApplicable && !unknown_conditions.empty() &&
      v.verdict != Verdict::kFail) {
    std::string list;
    for (const auto& c : unknown_conditions) {
      const CatalogueCondition* cc = v2.Condition(c);
      list += fmt::format("{}({}) {}", list.empty() ? "" : ", ", c, cc ? cc->text : "");
    }
    v.reason += "; applicability not established for condition " + list;
  }
  // Functional: what the tests say (declaration-based outcomes come from declaration checks).
  bool functional = false, conceptual = false;
  for (const auto* o : mine) {
    (o->check_id.rfind("decl.", 0) == 0 ? conceptual : functional) = true;
  }
  if (functional) {
    Verdict fv = Verdict::kInconclusive;
    for (const auto* o : mine) {
      if (o->check_id.rfind("decl.", 0) == 0) continue;
      if (o->verdict == Verdict::kFail)
        fv = Verdict::kFail;
      else if (o->verdict == Verdict::kPass && fv != Verdict::kFail)
        fv = Verdict::kPass;
      else if (o->verdict == Verdict::kNotApplicable && fv == Verdict::kInconclusive)
        fv = Verdict::kNotApplicable;
    }
    v.functional = fv;
  }
  if (conceptual) {
    Verdict cv = Verdict::kInconclusive;
    for (const auto* o : mine) {
      if (o->check_id.rfind("decl.", 0) != 0) continue;
      if (o->verdict == Verdict::kFail)
        cv = Verdict::kFail;
      else if (o->verdict == Verdict::kPass && cv != Verdict::kFail)
        cv = Verdict::kPass;
      else if (o->verdict == Verdict::kNotApplicable && cv == Verdict::kInconclusive)
        cv = Verdict::kNotApplicable;
    }
    v.conceptual = cv;
  }
  const bool tested = v.functional && *v.functional != Verdict::kInconclusive;
  const bool declared = v.conceptual && *v.conceptual != Verdict::kInconclusive;
  if (v.verdict != Verdict::kInconclusive)
    v.rests_on = tested && declared ? "declaration and tests"
                 : tested           ? "tests"
                 : declared         ? "declaration"
                                    : "";
  // A PASS on the manufacturer's word alone while a test ran and could not decide says so.
  if (v.verdict == Verdict::kPass && declared && v.functional &&
      *v.functional == Verdict::kInconclusive) {
    std::vector<std::string> why;
    for (const auto* o : mine)
      if (o->check_id.rfind("decl.", 0) != 0 && o->verdict == Verdict::kInconclusive)
        why.push_back(o->reason);
    v.caveat = "declared; functional test inconclusive: " + JoinReasons(why);
  }
  return v;
}

ItemVerdict Project(const CatalogueItem& item, const std::vector<std::string>& from,
                    const std::map<std::string, const ItemVerdict*>& base, const Catalogue& cat) {
  ItemVerdict v;
  v.standard = item.standard;
  v.id = item.id;
  v.title = item.title;
  v.status = item.status;
  v.mandatory = item.mandatory || item.standard == "psti";
  v.guideline = cat.GuidelineOf(item).value_or("");
  std::vector<Verdict> parts;
  std::vector<std::string> unassessable, caveats;
  std::set<std::string> rests;
  for (const auto& q : from) {
    auto it = base.find(q);
    if (it == base.end()) {
      unassessable.push_back(q);
      continue;
    }
    const ItemVerdict& b = *it->second;
    parts.push_back(b.verdict);
    v.derived_from.push_back(q);
    AppendUnique(v.findings, b.findings);
    AppendUnique(v.informing, b.informing);
    if (!b.caveat.empty()) caveats.push_back(q.substr(q.find(':') + 1));
    for (const char* part : {"declaration", "tests"})
      if (b.rests_on.find(part) != std::string::npos) rests.insert(part);
    AppendUnique(v.facts, b.facts);
    AppendUnique(v.checks, b.checks);
  }
  if (parts.empty()) {
    v.verdict = Verdict::kInconclusive;
    v.reason = "not assessed";
    if (!item.decide_with.empty()) v.reason += "; would be decided by: " + DecideWith(item);
    return v;
  }
  v.verdict = Combine(parts);
  if (v.verdict != Verdict::kInconclusive)
    v.rests_on = rests.size() == 2 ? "declaration and tests" : rests.empty() ? "" : *rests.begin();
  if (v.verdict == Verdict::kPass && !caveats.empty()) {
    std::string list;
    for (const auto& c : caveats) list += (list.empty() ? "" : ", ") + c;
    v.caveat = "declared; functional test inconclusive for " + list;
  }
  std::string detail;
  for (const auto& q : v.derived_from) {
    detail += fmt::format("{}{} {}", detail.empty() ? "" : ", ", q.substr(q.find(':') + 1),
                          VerdictName(base.at(q)->verdict));
  }
  v.reason = "from EN 303 645 V2.1.1 " + detail;
  if (!unassessable.empty()) {
    std::string list;
    for (const auto& u : unassessable) list += (list.empty() ? "" : ", ") + u;
    v.reason += "; not assessed by tools: " + list;
  }
  return v;
}

}  // namespace

Verdict Combine(const std::vector<Verdict>& parts) {
  if (parts.empty()) return Verdict::kInconclusive;
  bool any_pass = false, any_inconclusive = false;
  for (Verdict p : parts) {
    if (p == Verdict::kFail) return Verdict::kFail;
    if (p == Verdict::kPass) any_pass = true;
    if (p == Verdict::kInconclusive) any_inconclusive = true;
  }
  if (any_inconclusive) return Verdict::kInconclusive;
  return any_pass ? Verdict::kPass : Verdict::kNotApplicable;
}

std::vector<ItemVerdict> ProjectVerdicts(const Catalogue& catalogue,
                                         const std::vector<ItemVerdict>& v2_verdicts,
                                         std::string_view standard) {
  std::vector<ItemVerdict> out;
  const Standard* chosen = catalogue.Find(standard);
  if (!chosen) return out;
  if (chosen->id == kV2) return v2_verdicts;
  std::map<std::string, const ItemVerdict*> by_id;
  for (const auto& b : v2_verdicts) by_id[std::string(kV2) + ":" + b.id] = &b;
  for (const auto& item : chosen->items) {
    std::vector<std::string> from;
    if (chosen->id == "cop2018") {
      for (const auto& b : v2_verdicts)
        if (b.guideline == item.id) from.push_back(std::string(kV2) + ":" + b.id);
    } else if (!item.deemed_by.empty()) {
      from = item.deemed_by;
    } else if (!item.v2.empty()) {
      for (const auto& id : item.v2) from.push_back(std::string(kV2) + ":" + id);
    } else if (!item.IsProvision() && chosen->id != "en303645-v3") {
      continue;  // not an assessable item (e.g. a referenced standard inside psti)
    }
    out.push_back(Project(item, from, by_id, catalogue));
  }
  return out;
}

Status DecideVerdicts(const Catalogue& catalogue, std::string_view standard, Assessment& a) {
  const Standard* v2 = catalogue.Find(kV2);
  const Standard* chosen = catalogue.Find(standard);
  if (!v2) return MakeError(Errc::kCorrupt, "the catalogue has no en303645-v2");
  if (!chosen)
    return MakeError(Errc::kInvalidArgument, "unknown standard " + std::string(standard));
  a.standard = chosen->id;
  a.standard_name = chosen->name + " " + chosen->version;

  a.provision_verdicts.clear();
  for (const auto& item : v2->items) {
    if (item.IsProvision())
      a.provision_verdicts.push_back(DecideProvision(catalogue, *v2, item, a));
  }
  const auto& base = a.provision_verdicts;

  // Guidelines aggregate the V2.1.1 provisions that belong to them.
  a.guidelines.clear();
  if (const Standard* cop = catalogue.Find("cop2018")) {
    for (const auto& g : cop->items) {
      GuidelineVerdict gv{g.id, g.title};
      std::vector<Verdict> parts;
      for (const auto& b : base) {
        if (b.guideline != g.id) continue;
        parts.push_back(b.verdict);
        switch (b.verdict) {
          case Verdict::kPass:
            ++gv.pass;
            break;
          case Verdict::kFail:
            ++gv.fail;
            break;
          case Verdict::kInconclusive:
            ++gv.inconclusive;
            break;
          case Verdict::kNotApplicable:
            ++gv.not_applicable;
            break;
        }
      }
      gv.verdict = Combine(parts);
      a.guidelines.push_back(gv);
    }
  }
  a.verdicts = ProjectVerdicts(catalogue, base, chosen->id);
  return Ok();
}

}  // namespace iotcop
