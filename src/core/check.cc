#include "core/check.h"

#include <algorithm>

namespace iotcop {

void CheckContext::Report(Finding f, std::string_view key) {
  f.check_id = doc_.id;
  f.subject = SubjectKey(key);
  f.fingerprint = Fingerprint(doc_.id, f.subject);
  if (f.provisions.empty() && f.informs.empty()) {
    f.provisions = doc_.provisions;
    // A provision the check both decides and informs (some findings decide, some only inform) is
    // decided by a finding that does not say otherwise.
    for (const auto& p : doc_.informs)
      if (std::find(f.provisions.begin(), f.provisions.end(), p) == f.provisions.end())
        f.informs.push_back(p);
  }
  // What the documentation says a check only informs, its findings cannot decide.
  auto only_informs = [&](const std::string& p) {
    return std::find(doc_.informs.begin(), doc_.informs.end(), p) != doc_.informs.end() &&
           std::find(doc_.provisions.begin(), doc_.provisions.end(), p) == doc_.provisions.end();
  };
  for (auto it = f.provisions.begin(); it != f.provisions.end();) {
    if (!only_informs(*it)) {
      ++it;
      continue;
    }
    if (std::find(f.informs.begin(), f.informs.end(), *it) == f.informs.end())
      f.informs.push_back(*it);
    it = f.provisions.erase(it);
  }
  if (f.remediation.empty()) f.remediation = doc_.remediation;
  findings_.push_back(std::move(f));
}

void CheckContext::Pass(std::string provision, std::string reason, std::vector<FactId> basis) {
  outcomes_.push_back(
      {doc_.id, std::move(provision), Verdict::kPass, std::move(reason), std::move(basis), {}});
}
void CheckContext::Inconclusive(std::string provision, std::string reason,
                                std::vector<FactId> basis) {
  outcomes_.push_back({doc_.id,
                       std::move(provision),
                       Verdict::kInconclusive,
                       std::move(reason),
                       std::move(basis),
                       {}});
}
void CheckContext::NotApplicable(std::string provision, std::string reason,
                                 std::vector<FactId> basis) {
  outcomes_.push_back({doc_.id,
                       std::move(provision),
                       Verdict::kNotApplicable,
                       std::move(reason),
                       std::move(basis),
                       {}});
}

}  // namespace iotcop
