// File: vuln/priority.h
// The two lists that say which vulnerabilities to fix first, as `vulndb update` reads them:
//  - CISA's Known Exploited Vulnerabilities catalog (JSON: `vulnerabilities[]` with cveID,
//    dateAdded, dueDate, knownRansomwareCampaignUse...);
//  - FIRST's EPSS scores (CSV, gzip: an optional `#model_version:...,score_date:...` line, the
//    header `cve,epss,percentile`, one CVE a line).
// Both are hostile input: every field is type-checked; a malformed record or line is skipped and
// reported with the input, the record (CVE id, else index; for EPSS the line) and the field; the
// valid ones are returned. An error only when the whole text is not the format.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "vuln/vulndb.h"

namespace iotcop::vuln {

inline constexpr std::size_t kMaxEpssBytes = 256u << 20;  // decompressed (2026: ~10 MiB)

Result<std::vector<KevEntry>> ParseKev(std::string_view json, std::string_view input,
                                       std::vector<std::string>* problems);

// `date` gets the score_date of the comment line, when there is one.
Result<std::vector<EpssScore>> ParseEpssCsv(std::string_view csv, std::string_view input,
                                            std::vector<std::string>* problems,
                                            std::string* date = nullptr);

// The content of a gzip stream (or of plain bytes, passed through), at most `max_bytes`: an error
// naming `input` (and the offset reached) when it is corrupt or larger.
Result<std::string> GunzipBounded(ByteView bytes, std::string_view input, std::size_t max_bytes);

}  // namespace iotcop::vuln
