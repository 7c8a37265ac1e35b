// File: core/check.h
// A Check reads facts and reports findings that cite provisions. Its CheckDoc is the single source
// for `iotcop checks`, docs/checks.md, SARIF rules and the HTML legend.
//
// Contract: a check runs when at least one of its `inputs` was given. For each provision in
// `provisions` (the ones it decides) it may say PASS/INCONCLUSIVE/NOT_APPLICABLE explicitly;
// whatever it leaves unsaid the engine decides: FAIL when one of its findings cites the
// provision, otherwise PASS when a fact of a kind in `needs` exists (the check had something to
// judge), otherwise INCONCLUSIVE naming the missing facts. So a check that had nothing to look at
// can never pass. The provisions in `informs` its findings only inform: evidence that bears on
// the provision but cannot show it unmet (missing compiler hardening, an imported strcpy). Such
// findings are shown under the provision and never make a verdict, PASS or FAIL, by themselves.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/fact.h"
#include "core/finding.h"
#include "core/result.h"
#include "core/severity.h"
#include "core/verdict.h"

namespace iotcop {

struct CheckDoc {
  std::string id;                       // "fw.accounts.default-password"
  std::string title;                    // "Accounts with default or empty passwords"
  std::vector<std::string> provisions;  // EN 303 645 V2.1.1 ids it decides (can FAIL)
  std::vector<InputKind> inputs;        // which inputs make it run
  std::vector<std::string> needs;       // fact kinds it reads
  std::string rationale;
  std::string remediation;
  Severity severity = Severity::kMedium;  // default for its findings
  // A cross-check runs after every other check and may read their findings (prior_findings()):
  // it compares what one source says (a declaration) with what the others found.
  bool cross_check = false;
  // Ids its findings only inform (never FAIL, never PASS). An id in both lists is decided by its
  // findings unless one says (Finding.informs) that it only informs.
  std::vector<std::string> informs = {};
};

struct CheckConfig;  // options shared by all checks (assessment.h)

class CheckContext {
 public:
  CheckContext(const CheckDoc& doc, const FactStore& facts, const CheckConfig& config,
               const std::vector<Finding>* prior_findings = nullptr)
      : doc_(doc), facts_(facts), config_(config), prior_(prior_findings) {}

  const FactStore& facts() const { return facts_; }
  const CheckConfig& config() const { return config_; }
  const CheckDoc& doc() const { return doc_; }
  // Findings of the checks that ran before (only for cross-checks; empty otherwise).
  const std::vector<Finding>& prior_findings() const {
    static const std::vector<Finding> kNone;
    return prior_ ? *prior_ : kNone;
  }

  // Reports a finding. `key` identifies the problem stably across versions: the check and the
  // subject (account, key fingerprint, service, path inside the file system), never a position or
  // a count; carve offsets in paths are dropped (SubjectKey). Provisions default to the check's
  // (decided and informed); a provision the CheckDoc only informs is moved to `informs` whatever
  // the finding says, so a check cannot FAIL what its documentation says it only informs.
  // Severity and remediation default to the check's too.
  void Report(Finding f, std::string_view key);
  void Pass(std::string provision, std::string reason, std::vector<FactId> basis = {});
  void Inconclusive(std::string provision, std::string reason, std::vector<FactId> basis = {});
  void NotApplicable(std::string provision, std::string reason, std::vector<FactId> basis = {});

  std::vector<Finding>& findings() { return findings_; }
  std::vector<Outcome>& outcomes() { return outcomes_; }

 private:
  const CheckDoc& doc_;
  const FactStore& facts_;
  const CheckConfig& config_;
  const std::vector<Finding>* prior_ = nullptr;
  std::vector<Finding> findings_;
  std::vector<Outcome> outcomes_;
};

class Check {
 public:
  virtual ~Check() = default;
  virtual const CheckDoc& doc() const = 0;
  // An Error is a bug in the check: reported as a problem; the run goes on.
  virtual Status Run(CheckContext& ctx) const = 0;
};

using CheckList = std::vector<std::unique_ptr<const Check>>;

}  // namespace iotcop
