// File: vuln/update.h
// `iotcop vulndb update`: refreshes the database from the public feeds (docs/vulndb.md).
//  - OSV: one export per ecosystem, <base>/<Ecosystem>/all.zip, each zip member one OSV record,
//    imported through ParseFeed (a malformed record is reported and skipped), all of one export in
//    one transaction; conditional requests with the previous ETag / Last-Modified (304: nothing
//    to do).
//  - NVD CVE API 2.0: the first update reads every CVE, later ones only what changed since the
//    cursor (lastModStartDate/lastModEndDate, windows of at most 120 days), page by page
//    (startIndex/resultsPerPage), each page committed with the position of the next one, so an
//    interrupted update goes on where it stopped. Requests are spaced (5 per 30 s without an API
//    key, 50 with one) and retried with a doubling delay on 403/429/503.
//  - CISA KEV (JSON) and FIRST EPSS (CSV, gzip): one file each, conditional like an OSV export,
//    replacing the whole list in one transaction (vuln/priority.h).
// Every source's record (SourceRecord) is kept in the database.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace iotcop::vuln {

inline constexpr const char* kOsvBaseUrl = "https://osv-vulnerabilities.storage.googleapis.com";
inline constexpr const char* kNvdBaseUrl = "https://services.nvd.nist.gov/rest/json/cves/2.0";
// CISA's Known Exploited Vulnerabilities catalog and FIRST's daily EPSS scores (vuln/priority.h).
inline constexpr const char* kKevUrl =
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";
inline constexpr const char* kEpssUrl = "https://epss.cyentia.com/epss_scores-current.csv.gz";
// The OSV ecosystems `osv` stands for: the distributions and the kernel consumer IoT firmware is
// built from that OSV publishes (OpenWrt is not an OSV ecosystem).
inline constexpr const char* kDefaultOsvEcosystems[] = {"Debian", "Alpine", "Linux"};
inline constexpr std::int64_t kNvdMaxWindowSeconds = 120LL * 24 * 3600;

struct UpdateOptions {
  std::filesystem::path db;
  // "nvd", "osv" (the default ecosystems), "osv:Debian", "kev", "epss"; empty: all of them.
  std::vector<std::string> only;
  // "nvd" / "osv" -> a mirror's base URL; "kev" / "epss" -> the file's URL
  std::map<std::string, std::string> base_urls;
  std::string nvd_api_key;   // sent as the header apiKey
  double nvd_delay_s = -1;   // between two NVD requests; < 0: 6 s, 0.6 s with an API key
  double retry_delay_s = 6;  // the first wait after 403/429/503, doubled at each retry
  int retries = 4;
  int nvd_page_size = 2000;  // resultsPerPage (the API's maximum)
};

struct SourceOutcome {
  std::string name, url;
  bool ok = false;
  std::string result;                 // what `info` shows as the last result
  std::size_t records = 0;            // imported now
  std::size_t requests = 0;           // HTTP requests made
  std::vector<std::string> problems;  // malformed records (file/URL, record, field)
  std::string error;                  // when !ok: names the URL
};

// Splits "--only" items and checks them; the sources to update, in order ("nvd", "osv:Debian").
Result<std::vector<std::string>> PlanSources(const std::vector<std::string>& only);

// Updates every planned source; an error only when the database cannot be opened or the plan is
// wrong. A failed source is recorded (last_attempt, last_result) and the others still run.
// `progress` is called with (source, detail) while work goes on.
Result<std::vector<SourceOutcome>> UpdateVulnDb(
    const UpdateOptions& opts,
    const std::function<void(const std::string&, const std::string&)>& progress = {});

// Calls `each(member name, member text)` for every regular member of the zip `bytes` (`input`
// names it in errors). A member larger than `max_member` bytes is noted in `problems` and skipped;
// an error (naming input and offset) when the archive cannot be read on.
Status ForEachZipMember(ByteView bytes, std::string_view input, std::uint64_t max_member,
                        const std::function<void(std::string_view, std::string_view)>& each,
                        std::vector<std::string>* problems);

// The envelope of one NVD API 2.0 page: totalResults, startIndex, resultsPerPage and the number of
// vulnerabilities, each checked for its JSON type; an error naming `input` and the field.
struct NvdPage {
  std::int64_t total = 0, start = 0, per_page = 0;
  std::size_t count = 0;
};
Result<NvdPage> ParseNvdPage(std::string_view json, std::string_view input);

}  // namespace iotcop::vuln
