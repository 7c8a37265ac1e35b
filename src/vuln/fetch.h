// File: vuln/fetch.h
// One HTTP(S) GET with libcurl for `vulndb update`: conditional (If-None-Match /
// If-Modified-Since), bounded, the body to memory or to `<file>.part` renamed to `<file>` only
// when the whole body arrived with 200. The only place of iotcop that links libcurl.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"

namespace iotcop::vuln {

struct FetchRequest {
  std::string url;
  std::vector<std::string> headers;  // "apiKey: ..."
  std::string if_none_match;         // an ETag from the previous answer
  std::string if_modified_since;     // a Last-Modified from the previous answer
  std::filesystem::path to_file;     // empty: the body is kept in FetchResponse::body
  std::uint64_t max_bytes = 64ull << 20;
  long timeout_s = 600;
  // Called with (bytes received, bytes expected or 0) while the body arrives.
  std::function<void(std::uint64_t, std::uint64_t)> on_progress;
};

struct FetchResponse {
  long status = 0;  // 200, 304, 403...
  std::string etag, last_modified, retry_after;
  std::string body;  // when not written to a file (and the body of an error answer, bounded)
  std::uint64_t bytes = 0;
};

// An error only when no HTTP answer came (refused, reset, truncated, over max_bytes, timeout):
// it names the URL. Any HTTP status is a response; a 200 written to a file has been renamed.
Result<FetchResponse> HttpGet(const FetchRequest& req);

// "2026-12-07T15:52:07.000+00:00" (the NVD API's form) of a Unix time.
std::string NvdTime(std::int64_t unix_seconds);
// The Unix time of an ISO-8601 "YYYY-MM-DDTHH:MM:SS[.fff][Z|+00:00]" UTC time; -1 when not one.
std::int64_t ParseUtcTime(std::string_view iso);

}  // namespace iotcop::vuln
