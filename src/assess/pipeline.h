// File: assess/pipeline.h
// One assessment: read every input into facts (firmware: unpack + collectors), run the checks,
// decide the verdicts. An input that cannot be read is recorded as failed with its error; the
// others still count (exit code 3 tells the caller).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/assessment.h"
#include "core/catalogue.h"
#include "core/progress.h"
#include "emulate/emulate.h"
#include "network/options.h"
#include "traffic/options.h"

namespace iotcop {

struct AssessOptions {
  std::vector<std::string> firmware;  // image files, or folders holding an extracted root fs
  std::vector<std::string> hosts;     // live devices (network/)
  std::vector<std::string> pcaps;     // traffic captures (traffic/)
  network::Options network;
  traffic::Options traffic;
  // --emulate: each firmware's boot services are run and probed live (emulate/emulate.h).
  bool emulate = false;
  emulate::Options emulation;
  std::string declaration;
  std::string standard = "en303645-v2";
  std::string product;
  std::filesystem::path work_dir;  // extraction happens below it
  CheckConfig check_config;
};

Assessment RunAssessment(const AssessOptions& options, const Catalogue& catalogue,
                         Progress& progress);

// Current UTC time, ISO 8601.
std::string NowUtc();

}  // namespace iotcop
