// File: store/fleet.h
// The fleet summary of a batch: one row per item (product, status, run, findings, verdict counts)
// as a text table, CSV (RFC 4180 quoting) or one self-contained HTML page with an inline-SVG chart
// of the verdicts per CoP 2018 guideline across the products (no external resources). An image
// that yielded no file system is flagged in each format.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace iotcop::store {

struct FleetRow {
  std::string input, product;
  std::string outcome;  // assessed | skipped (already stored) | error
  std::string status;   // the run's: ok | partial | failed | error
  std::string error;
  std::int64_t run_id = 0;
  int findings = 0, pass = 0, fail = 0, inconclusive = 0, not_applicable = 0;
  nlohmann::json guidelines = nlohmann::json::array();  // the report's "guidelines"
  // Firmware inputs: how much was understood ("99.1% decoded, 311 files"), and the warning when
  // an image yielded no file system (its verdicts then rest on almost nothing).
  std::string coverage, coverage_warning;
};

// Sets row.coverage and row.coverage_warning from a JSON report's inputs[].coverage.
void ReadCoverage(const nlohmann::json& report, FleetRow& row);

void FleetText(const std::vector<FleetRow>& rows, std::ostream& out);
void FleetCsv(const std::vector<FleetRow>& rows, std::ostream& out);
void FleetHtml(const std::vector<FleetRow>& rows, std::ostream& out);

}  // namespace iotcop::store
