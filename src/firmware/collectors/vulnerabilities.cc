// Vulnerabilities collector: matches every component of this image that has a version against the
// vulnerability database the user imported (`iotcop vulndb import`, NVD CVE JSON 2.0 or OSV; the
// path is --vulndb or the default), through vuln::MatchIntoFacts (vuln/match.h), as the live
// services are matched. Emits one `vulnerability` fact per match, citing the
// component's own evidence, and one `vulnerability_scan` fact saying what was matched against, so
// that a check can tell "no known vulnerability" from "nothing to match with". The VEX documents
// of --vex are applied to every match (vuln::DecideVex): the statement that decides it is recorded
// in the match's `vex` field (status, justification, impact, source, pointer, conflicts).
#include "core/fact_kinds.h"
#include "firmware/collector.h"
#include "vuln/match.h"

namespace iotcop::firmware {
namespace {

void CollectVulnerabilities(const FirmwareInput& in, FactStore& facts,
                            std::vector<Problem>& problems) {
  std::vector<vuln::MatchTarget> targets;
  for (const Fact* f : facts.OfKind(facts::kComponent)) {
    if (f->evidence.input != in.input) continue;
    const auto field = [&](const char* k) { return f->value.value(k, std::string()); };
    targets.push_back({{field("name"), field("version"), field("purl"), field("cpe"),
                        field("vendor"), field("product"), field("package"),
                        field("package_version"), field("ecosystem"), field("source_package")},
                       f->id,
                       f->evidence});
  }
  Evidence scan;
  scan.source = InputKind::kFirmware;
  scan.input = in.input;
  vuln::MatchIntoFacts(in.config, targets, scan, "components", "vulnerabilities", facts, problems);
}

}  // namespace

std::unique_ptr<const Collector> MakeVulnerabilitiesCollector() {
  return MakeFunctionCollector(
      {"vulnerabilities",
       "components with versions matched against the imported vulnerability database",
       {facts::kVulnerability, facts::kVulnerabilityScan}},
      CollectVulnerabilities);
}

}  // namespace iotcop::firmware
