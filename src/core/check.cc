#include "core/check.h"

namespace iotcop {

void CheckContext::Report(Finding f, std::string_view key) {
  f.check_id = doc_.id;
  f.fingerprint = Fingerprint(doc_.id, key);
  if (f.provisions.empty()) f.provisions = doc_.provisions;
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
