// File: tests/support/report_fixture.h
// Assessments built in tests for the renderer, verdict-engine and browser tests: a check defined
// by a lambda, the real catalogue, and one realistic assessment that exercises every renderer path
// (findings of every severity with evidence by line and offset, a hostile file name and excerpt,
// invalid UTF-8, PASS/FAIL/INCONCLUSIVE/NOT_APPLICABLE, functional and conceptual parts, problems,
// a skipped check and an extras section), decided by the real RunChecks and DecideVerdicts; and
// every kind of HTML page iotcop writes, for the tests of the one page shell (report/page.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/assessment.h"
#include "core/catalogue.h"
#include "core/check.h"

namespace iotcop::test {

// A Check whose Run is a lambda.
class LambdaCheck final : public Check {
 public:
  LambdaCheck(CheckDoc doc, std::function<void(CheckContext&)> run)
      : doc_(std::move(doc)), run_(std::move(run)) {}
  const CheckDoc& doc() const override { return doc_; }
  Status Run(CheckContext& ctx) const override {
    if (run_) run_(ctx);
    return Ok();
  }

 private:
  CheckDoc doc_;
  std::function<void(CheckContext&)> run_;
};

// The catalogue the build uses (catalogue/ of the source tree); fails the test when it does not
// load.
const Catalogue& RealCatalogue();

// Strings the hostile parts of the sample assessment contain; tests assert they come out escaped.
inline constexpr const char* kHostileFileName = "/www/cgi-bin/<script>alert('name')</script>.sh";
inline constexpr const char* kHostileExcerpt =
    "</pre><script>alert(\"excerpt\")</script><img src=x onerror=alert(1)> & \"q\"";
inline constexpr const char* kHostileTitle = "Backdoor <b onmouseover=alert(2)>telnetd</b> & co";

// The sample assessment against `standard` (default EN 303 645 V2.1.1).
Assessment SampleAssessment(const Catalogue& catalogue,
                            const std::string& standard = "en303645-v2");

// Every kind of HTML page, in this order: "report" (html), "psti" (psti-html), "ts103701"
// (ts103701-html) of the sample assessment, "diff" (a diff of two runs of it) and "fleet" (a batch
// summary of three products); the diff and the fleet summary carry the hostile strings too.
struct SamplePage {
  std::string kind, html;
};
std::vector<SamplePage> SampleHtmlPages(const Catalogue& catalogue);

}  // namespace iotcop::test
