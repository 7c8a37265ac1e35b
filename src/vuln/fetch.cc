#include "vuln/fetch.h"

#include <curl/curl.h>

#include <cstdio>
#include <ctime>
#include <mutex>

#include <fmt/format.h>

#include "core/strings.h"

namespace iotcop::vuln {
namespace fs = std::filesystem;

namespace {

struct FetchTransfer {
  const FetchRequest* req = nullptr;
  FetchResponse* resp = nullptr;
  std::FILE* out = nullptr;
  bool over_limit = false;
  bool write_failed = false;
};

std::size_t FetchWrite(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<FetchTransfer*>(user);
  const std::size_t len = size * n;
  if (t->resp->bytes + len > t->req->max_bytes) {
    t->over_limit = true;
    return 0;  // aborts the transfer
  }
  t->resp->bytes += len;
  if (t->out) {
    if (std::fwrite(data, 1, len, t->out) != len) {
      t->write_failed = true;
      return 0;
    }
  } else {
    t->resp->body.append(data, len);
  }
  return len;
}

// Response headers: ETag, Last-Modified, Retry-After (of the last response, after redirects).
std::size_t FetchHeader(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<FetchTransfer*>(user);
  const std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {  // a new response (redirect, 100): forget the previous one
    t->resp->etag.clear();
    t->resp->last_modified.clear();
    t->resp->retry_after.clear();
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  const std::string name = Lower(std::string(line.substr(0, colon)));
  std::string value(line.substr(colon + 1));
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.pop_back();
  while (!value.empty() && value.front() == ' ') value.erase(value.begin());
  if (name == "etag") t->resp->etag = value.substr(0, 512);
  if (name == "last-modified") t->resp->last_modified = value.substr(0, 128);
  if (name == "retry-after") t->resp->retry_after = value.substr(0, 64);
  return size * n;
}

int FetchProgress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto* t = static_cast<FetchTransfer*>(user);
  if (t->req->on_progress)
    t->req->on_progress(static_cast<std::uint64_t>(now), static_cast<std::uint64_t>(total));
  return 0;
}

}  // namespace

Result<FetchResponse> HttpGet(const FetchRequest& req) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  FetchResponse resp;
  FetchTransfer t{&req, &resp, nullptr, false, false};
  const fs::path part = req.to_file.empty() ? fs::path() : fs::path(req.to_file.string() + ".part");
  if (!part.empty()) {
    std::error_code ec;
    if (req.to_file.has_parent_path()) fs::create_directories(req.to_file.parent_path(), ec);
    t.out = std::fopen(part.c_str(), "wb");
    if (!t.out) return MakeError(Errc::kIo, "cannot write", part.string());
  }
  CURL* c = curl_easy_init();
  if (!c) {
    if (t.out) std::fclose(t.out);
    return MakeError(Errc::kInternal, "curl_easy_init failed", req.url);
  }
  curl_slist* headers = nullptr;
  for (const auto& h : req.headers) headers = curl_slist_append(headers, h.c_str());
  if (!req.if_none_match.empty())
    headers = curl_slist_append(headers, ("If-None-Match: " + req.if_none_match).c_str());
  if (!req.if_modified_since.empty())
    headers = curl_slist_append(headers, ("If-Modified-Since: " + req.if_modified_since).c_str());
  char err[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_USERAGENT, "iotcop-vulndb-update");
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // gzip when the server offers it
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, req.timeout_s);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, FetchWrite);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, FetchHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, FetchProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, req.on_progress ? 0L : 1L);
  const CURLcode rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  const bool closed = !t.out || std::fclose(t.out) == 0;
  std::error_code ec;
  if (rc != CURLE_OK || !closed || t.write_failed) {
    if (!part.empty()) fs::remove(part, ec);
    if (t.over_limit) {
      return MakeError(Errc::kLimitExceeded,
                       fmt::format("the answer exceeds {} bytes", req.max_bytes), req.url);
    }
    if (t.write_failed || !closed) return MakeError(Errc::kIo, "cannot write", part.string());
    return MakeError(rc == CURLE_OPERATION_TIMEDOUT ? Errc::kTimeout : Errc::kIo,
                     fmt::format("download failed after {} bytes: {}", resp.bytes,
                                 err[0] ? err : curl_easy_strerror(rc)),
                     req.url);
  }
  if (!part.empty()) {
    if (resp.status == 200) {
      fs::rename(part, req.to_file, ec);
      if (ec) return MakeError(Errc::kIo, "rename: " + ec.message(), req.to_file.string());
    } else {
      // An error page or a 304 is not the file: keep a bounded excerpt for the message.
      fs::remove(part, ec);
    }
  }
  return resp;
}

std::string NvdTime(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000+00:00", &tm);
  return buf;
}

std::int64_t ParseUtcTime(std::string_view iso) {
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  const std::string text(iso.substr(0, 64));
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6)
    return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || y < 1970) return -1;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace iotcop::vuln
