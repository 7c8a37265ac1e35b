#include "verdict/check_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <set>

namespace iotcop {
namespace {

// Why a check of firmware had nothing to judge when an image yielded no file system: its
// coverage warning ("no file system could be extracted: 3.4 MiB at 0x20000 ...").
std::string NoFileSystemReason(const CheckDoc& doc, const Assessment& a) {
  std::string why;
  if (std::find(doc.inputs.begin(), doc.inputs.end(), InputKind::kFirmware) == doc.inputs.end())
    return why;
  for (const auto& in : a.inputs)
    if (in.kind == InputKind::kFirmware && in.coverage && !in.coverage->extracted())
      why += fmt::format("; {}: {}", in.name, in.coverage->Warning());
  return why;
}

}  // namespace

void RunChecks(const std::vector<std::unique_ptr<const Check>>& checks, const CheckConfig& config,
               Assessment& a) {
  // Cross-checks run last, when every other check's findings are known.
  for (const bool cross_pass : {false, true}) {
    for (const auto& check : checks) {
      const CheckDoc& doc = check->doc();
      if (doc.cross_check != cross_pass) continue;
      const bool runnable = std::any_of(doc.inputs.begin(), doc.inputs.end(),
                                        [&](InputKind k) { return a.HasInput(k); });
      if (!runnable) {
        std::string needs;
        for (InputKind k : doc.inputs)
          needs += (needs.empty() ? "" : " or ") + std::string(InputKindName(k));
        a.checks.push_back({doc.id, false, "needs a " + needs + " input", doc});
        continue;
      }
      CheckContext ctx(doc, a.facts, config, cross_pass ? &a.findings : nullptr);
      std::string note;
      try {
        Status st = check->Run(ctx);
        if (!st) note = st.error().Describe();
      } catch (const std::exception& e) {
        note = std::string("internal error: ") + e.what();
      }
      if (!note.empty()) {
        a.problems.push_back({"error", "check", "", "", std::nullopt, doc.id + ": " + note});
        a.checks.push_back({doc.id, true, note, doc});
        for (const auto& p : doc.provisions)
          a.outcomes.push_back(
              {doc.id, p, Verdict::kInconclusive, "check " + doc.id + " failed: " + note, {}, {}});
        continue;
      }
      a.checks.push_back({doc.id, true, "", doc});

      // Move findings into the assessment and link them to provisions.
      const std::size_t first = a.findings.size();
      for (auto& f : ctx.findings()) a.findings.push_back(std::move(f));
      std::set<std::string> said;
      for (auto& o : ctx.outcomes()) {
        said.insert(o.provision);
        a.outcomes.push_back(std::move(o));
      }
      std::set<std::string> failed;
      for (std::size_t i = first; i < a.findings.size(); ++i) {
        for (const auto& p : a.findings[i].provisions) {
          if (failed.insert(p).second) {
            a.outcomes.push_back({doc.id, p, Verdict::kFail, "", {}, {}});
          }
          auto& out = *std::find_if(a.outcomes.rbegin(), a.outcomes.rend(), [&](const Outcome& o) {
            return o.check_id == doc.id && o.provision == p && o.verdict == Verdict::kFail;
          });
          out.findings.push_back(i);
          out.basis.insert(out.basis.end(), a.findings[i].facts.begin(), a.findings[i].facts.end());
        }
      }
      for (auto& o : a.outcomes) {
        if (o.check_id == doc.id && o.verdict == Verdict::kFail && o.reason.empty()) {
          o.reason = fmt::format("{}: {} finding{}", doc.id, o.findings.size(),
                                 o.findings.size() == 1 ? "" : "s");
          if (!o.findings.empty()) o.reason += " (" + a.findings[o.findings.front()].title + ")";
        }
      }
      // Defaults for what the check left unsaid.
      for (const auto& p : doc.provisions) {
        if (said.count(p) || failed.count(p)) continue;
        std::vector<FactId> basis;
        std::string kinds;
        for (const auto& k : doc.needs) {
          for (const Fact* f : a.facts.OfKind(k)) basis.push_back(f->id);
          kinds += (kinds.empty() ? "" : ", ") + k;
        }
        if (!basis.empty()) {
          a.outcomes.push_back({doc.id,
                                p,
                                Verdict::kPass,
                                fmt::format("{}: nothing found in {} fact{} ({})", doc.id,
                                            basis.size(), basis.size() == 1 ? "" : "s", kinds),
                                basis,
                                {}});
        } else {
          const std::string why = NoFileSystemReason(doc, a);
          a.outcomes.push_back({doc.id,
                                p,
                                Verdict::kInconclusive,
                                fmt::format("{}: no {} facts to judge{}", doc.id, kinds, why),
                                {},
                                {}});
        }
      }
    }
  }
}

}  // namespace iotcop
