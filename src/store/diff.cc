// File: store/diff.cc
#include "store/diff.h"

#include <algorithm>
#include <map>
#include <set>

#include "store/fingerprint.h"
#include "vuln/version.h"

namespace iotcop::store {
namespace {

std::map<std::string, DiffFinding> FindingsOf(const Assessment& a) {
  std::map<std::string, DiffFinding> out;
  for (const auto& f : a.findings) {
    DiffFinding d{StableFingerprint(f),
                  f.check_id,
                  SeverityName(f.severity),
                  f.title,
                  f.message,
                  f.evidence.empty() ? std::string() : f.evidence.front().Locator(),
                  f.provisions};
    out.emplace(d.fingerprint, std::move(d));
  }
  return out;
}

// name -> versions (a product may hold one component twice, e.g. two copies of a library).
std::map<std::string, std::set<std::string>> ComponentsOf(const Assessment& a) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto* c : a.facts.OfKind("component")) {
    const ComponentRow row = ComponentOf(*c);
    if (!row.name.empty()) out[row.name].insert(row.version);
  }
  return out;
}

std::map<std::string, std::string> ServicesOf(const Assessment& a) {
  std::map<std::string, std::string> out;
  for (const auto* s : a.facts.OfKind("service")) {
    ServiceRow row = ServiceOf(*s);
    if (!row.name.empty()) out.emplace(std::move(row.name), std::move(row.detail));
  }
  return out;
}

std::string Newest(const std::set<std::string>& versions) {
  std::string best;
  for (const auto& v : versions)
    if (best.empty() || vuln::CompareVersions(v, best) > 0) best = v;
  return best;
}

}  // namespace

RunDiff DiffRuns(const RunSummary& sa, const Assessment& a, const RunSummary& sb,
                 const Assessment& b) {
  RunDiff d;
  d.a = sa;
  d.b = sb;
  const auto fa = FindingsOf(a), fb = FindingsOf(b);
  for (const auto& [fp, f] : fb) {
    const auto before = fa.find(fp);
    if (before == fa.end())
      d.new_findings.push_back(f);
    else if (SubjectKey(before->second.title) != SubjectKey(f.title) ||
             SubjectKey(before->second.message) != SubjectKey(f.message))  // offsets aside
      d.changed_findings.push_back({before->second, f});
    else
      ++d.unchanged_findings;
  }
  for (const auto& [fp, f] : fa)
    if (!fb.count(fp)) d.fixed_findings.push_back(f);
  auto by_severity = [](const DiffFinding& x, const DiffFinding& y) {
    const auto sx = ParseSeverity(x.severity), sy = ParseSeverity(y.severity);
    const int ix = sx ? static_cast<int>(*sx) : 0, iy = sy ? static_cast<int>(*sy) : 0;
    return ix != iy ? ix > iy : x.check_id + x.title < y.check_id + y.title;
  };
  std::sort(d.new_findings.begin(), d.new_findings.end(), by_severity);
  std::sort(d.fixed_findings.begin(), d.fixed_findings.end(), by_severity);

  std::map<std::pair<std::string, std::string>, const ItemVerdict*> va;
  for (const auto& v : a.verdicts) va[{v.standard, v.id}] = &v;
  for (const auto& v : b.verdicts) {
    auto it = va.find({v.standard, v.id});
    const std::string before = it == va.end() ? "(not assessed)" : VerdictName(it->second->verdict);
    if (before != VerdictName(v.verdict))
      d.verdicts.push_back({v.standard, v.id, v.title, before, VerdictName(v.verdict)});
    if (it != va.end()) va.erase(it);
  }
  for (const auto& [key, v] : va)
    d.verdicts.push_back(
        {key.first, key.second, v->title, VerdictName(v->verdict), "(not assessed)"});

  const auto ca = ComponentsOf(a), cb = ComponentsOf(b);
  for (const auto& [name, versions] : cb) {
    auto it = ca.find(name);
    if (it == ca.end()) {
      d.components.push_back({name, "", Newest(versions), "added"});
    } else if (it->second != versions) {
      const std::string before = Newest(it->second), after = Newest(versions);
      const int cmp = vuln::CompareVersions(after, before);
      d.components.push_back({name, before, after,
                              cmp > 0   ? "upgraded"
                              : cmp < 0 ? "downgraded"
                                        : "changed"});
    }
  }
  for (const auto& [name, versions] : ca)
    if (!cb.count(name)) d.components.push_back({name, Newest(versions), "", "removed"});

  const auto sva = ServicesOf(a), svb = ServicesOf(b);
  for (const auto& [name, detail] : svb)
    if (!sva.count(name)) d.services.push_back({name, detail, "appeared"});
  for (const auto& [name, detail] : sva)
    if (!svb.count(name)) d.services.push_back({name, detail, "vanished"});
  return d;
}

}  // namespace iotcop::store
