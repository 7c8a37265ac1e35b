#include "vuln/update.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "vuln/archive_read.h"
#include "vuln/fetch.h"
#include "vuln/priority.h"
#include "vuln/vulndb.h"

namespace iotcop::vuln {
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kUpdateMaxExport = 4ull << 30;    // one OSV all.zip (Debian's: ~0.1 GiB)
constexpr std::uint64_t kUpdateMaxMember = 16ull << 20;   // one OSV record
constexpr std::uint64_t kUpdateMaxPage = 512ull << 20;    // one NVD page of 2000 CVEs: ~20 MiB
constexpr std::uint64_t kUpdateMaxKev = 64ull << 20;      // the KEV catalog (2026: ~1.5 MiB)
constexpr std::uint64_t kUpdateMaxEpssGz = 128ull << 20;  // EPSS scores, gzip (2026: ~2 MiB)

std::int64_t UpdateNow() { return static_cast<std::int64_t>(std::time(nullptr)); }

void UpdateSleep(double seconds) {
  if (seconds > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(std::llround(seconds * 1000)));
}

// Spaces the requests to one service and retries on 403/429/503 with a doubling delay (or the
// server's Retry-After when longer, at most 5 minutes).
class UpdateRequester {
 public:
  UpdateRequester(const UpdateOptions& o, double spacing_s) : opts_(o), spacing_s_(spacing_s) {}

  Result<FetchResponse> Get(FetchRequest req, SourceOutcome& out) {
    double backoff = opts_.retry_delay_s;
    for (int attempt = 0;; ++attempt) {
      if (spacing_s_ > 0 && last_.time_since_epoch().count() != 0) {
        const auto next = last_ + std::chrono::milliseconds(std::llround(spacing_s_ * 1000));
        std::this_thread::sleep_until(next);
      }
      last_ = std::chrono::steady_clock::now();
      ++out.requests;
      auto r = HttpGet(req);
      if (!r) return r;
      const bool busy = r->status == 403 || r->status == 429 || r->status == 503;
      if (!busy || attempt >= opts_.retries) return r;
      double wait = backoff;
      if (!r->retry_after.empty() && std::isdigit(static_cast<unsigned char>(r->retry_after[0])))
        wait = std::max(wait, std::min(300.0, std::strtod(r->retry_after.c_str(), nullptr)));
      UpdateSleep(wait);
      backoff *= 2;
    }
  }

 private:
  const UpdateOptions& opts_;
  double spacing_s_;
  std::chrono::steady_clock::time_point last_{};
};

std::string UpdateBase(const UpdateOptions& o, const std::string& kind, const char* fallback) {
  auto it = o.base_urls.find(kind);
  std::string base = it == o.base_urls.end() ? fallback : it->second;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

// "HTTP 500 from URL: <first bytes of the answer>".
std::string UpdateHttpError(const FetchResponse& r, const std::string& url) {
  std::string excerpt = r.body.substr(0, 200);
  for (char& c : excerpt)
    if (c == '\n' || c == '\r') c = ' ';
  return fmt::format("HTTP {} from {}{}", r.status, url, excerpt.empty() ? "" : ": " + excerpt);
}

void UpdateFailed(VulnDb& db, SourceRecord rec, SourceOutcome& out, std::string error) {
  out.ok = false;
  out.error = std::move(error);
  out.result = "error: " + out.error;
  rec.last_attempt = UpdateNow();
  rec.last_result = out.result;
  (void)db.Apply({}, rec);
}

std::string UpdateReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One file downloaded whole with a conditional request (the validators of the source's last
// download): a 304 counts as a success and imports nothing; on a 200 `store` parses the body,
// fills the record's count and result and applies it with the records, in one transaction.
void UpdateSnapshot(VulnDb& db, const UpdateOptions& opts, const fs::path& file,
                    std::uint64_t max_bytes, SourceOutcome& out,
                    const std::function<void(const std::string&, const std::string&)>& progress,
                    const std::function<Status(const std::string&, SourceRecord&)>& store) {
  SourceRecord rec = db.Source(out.name);
  if (rec.url != out.url) {  // another mirror: its validators mean nothing here
    rec.etag.clear();
    rec.last_modified.clear();
  }
  rec.url = out.url;
  UpdateRequester requester(opts, 0);
  FetchRequest req;
  req.url = out.url;
  req.if_none_match = rec.etag;
  req.if_modified_since = rec.last_modified;
  req.to_file = file;
  req.max_bytes = max_bytes;
  if (progress) {
    req.on_progress = [&](std::uint64_t now, std::uint64_t total) {
      progress(out.name, total ? fmt::format("{} of {} KiB", now >> 10, total >> 10)
                               : fmt::format("{} KiB", now >> 10));
    };
  }
  auto r = requester.Get(req, out);
  if (!r) return UpdateFailed(db, rec, out, r.error().Describe());
  if (r->status == 304) {
    rec.last_attempt = rec.last_success = UpdateNow();
    rec.last_result = "not modified (304)";
    out.ok = true;
    out.result = rec.last_result;
    if (Status st = db.Apply({}, rec); !st)
      return UpdateFailed(db, rec, out, st.error().Describe());
    return;
  }
  if (r->status != 200) return UpdateFailed(db, rec, out, UpdateHttpError(*r, out.url));
  const std::string body = UpdateReadFile(req.to_file);
  std::error_code ec;
  fs::remove(req.to_file, ec);
  rec.etag = r->etag;
  rec.last_modified = r->last_modified;
  rec.last_attempt = rec.last_success = UpdateNow();
  if (Status st = store(body, rec); !st) return UpdateFailed(db, rec, out, st.error().Describe());
  out.ok = true;
  out.records = static_cast<std::size_t>(rec.records);
  out.result = rec.last_result;
}

std::string UpdateResultLine(std::size_t n, const char* what, const SourceOutcome& out) {
  return fmt::format("imported {} {}{}", n, what,
                     out.problems.empty()
                         ? std::string()
                         : fmt::format(", {} malformed fields", out.problems.size()));
}

void UpdateOsv(VulnDb& db, const UpdateOptions& opts, const std::string& ecosystem,
               const fs::path& work, SourceOutcome& out,
               const std::function<void(const std::string&, const std::string&)>& progress) {
  out.url = UpdateBase(opts, "osv", kOsvBaseUrl) + "/" + ecosystem + "/all.zip";
  UpdateSnapshot(db, opts, work / ("osv-" + ecosystem + "-all.zip"), kUpdateMaxExport, out,
                 progress, [&](const std::string& zip, SourceRecord& rec) -> Status {
                   std::vector<Vulnerability> all;
                   if (progress) progress(out.name, "reading the export");
                   Status walked = ForEachZipMember(
                       AsBytes(zip), out.url, kUpdateMaxMember,
                       [&](std::string_view name, std::string_view text) {
                         const std::string input = out.url + "#" + std::string(name);
                         std::string format;
                         auto vulns = ParseFeed(text, input, &format, &out.problems);
                         if (!vulns) {
                           out.problems.push_back(vulns.error().Describe());
                           return;
                         }
                         for (auto& v : *vulns) all.push_back(std::move(v));
                       },
                       &out.problems);
                   if (!walked) return walked;
                   rec.records = static_cast<std::int64_t>(all.size());
                   rec.last_result = UpdateResultLine(all.size(), "records", out);
                   if (progress) progress(out.name, fmt::format("storing {} records", all.size()));
                   return db.Apply(all, rec);
                 });
}

void UpdateKev(VulnDb& db, const UpdateOptions& opts, const fs::path& work, SourceOutcome& out,
               const std::function<void(const std::string&, const std::string&)>& progress) {
  out.url = UpdateBase(opts, "kev", kKevUrl);
  UpdateSnapshot(db, opts, work / "kev.json", kUpdateMaxKev, out, progress,
                 [&](const std::string& body, SourceRecord& rec) -> Status {
                   auto entries = ParseKev(body, out.url, &out.problems);
                   if (!entries) return entries.error();
                   rec.records = static_cast<std::int64_t>(entries->size());
                   rec.last_result = UpdateResultLine(entries->size(), "known exploited CVEs", out);
                   return db.ReplaceKev(*entries, rec);
                 });
}

void UpdateEpss(VulnDb& db, const UpdateOptions& opts, const fs::path& work, SourceOutcome& out,
                const std::function<void(const std::string&, const std::string&)>& progress) {
  out.url = UpdateBase(opts, "epss", kEpssUrl);
  UpdateSnapshot(db, opts, work / "epss.csv.gz", kUpdateMaxEpssGz, out, progress,
                 [&](const std::string& body, SourceRecord& rec) -> Status {
                   auto csv = GunzipBounded(AsBytes(body), out.url, kMaxEpssBytes);
                   if (!csv) return csv.error();
                   std::string date;
                   auto scores = ParseEpssCsv(*csv, out.url, &out.problems, &date);
                   if (!scores) return scores.error();
                   rec.records = static_cast<std::int64_t>(scores->size());
                   const std::string what = "EPSS scores" + (date.empty() ? "" : " of " + date);
                   rec.last_result = UpdateResultLine(scores->size(), what.c_str(), out);
                   if (progress) progress(out.name, "storing the scores");
                   return db.ReplaceEpss(*scores, rec);
                 });
}

// Where an NVD update stands: the window [start, end] read from `index` on ("full": no window,
// every CVE), and the time the whole update began (the cursor once a full read is done).
struct NvdPosition {
  bool full = false;
  std::int64_t start = 0, end = 0, index = 0, began = 0;
};

std::string NvdPositionJson(const NvdPosition& p) {
  return nlohmann::json{
      {"full", p.full}, {"start", p.start}, {"end", p.end}, {"index", p.index}, {"began", p.began}}
      .dump();
}

bool NvdPositionFrom(const std::string& text, NvdPosition& p) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return false;
  for (const char* k : {"start", "end", "index", "began"})
    if (!j.contains(k) || !j[k].is_number_integer()) return false;
  if (!j.contains("full") || !j["full"].is_boolean()) return false;
  p.full = j["full"].get<bool>();
  p.start = j["start"].get<std::int64_t>();
  p.end = j["end"].get<std::int64_t>();
  p.index = j["index"].get<std::int64_t>();
  p.began = j["began"].get<std::int64_t>();
  return p.index >= 0 && p.start <= p.end;
}

std::string NvdEscape(const std::string& s) {
  std::string out;
  for (char c : s)
    out += c == '+' ? std::string("%2B") : c == ':' ? std::string("%3A") : std::string(1, c);
  return out;
}

void UpdateNvd(VulnDb& db, const UpdateOptions& opts, SourceOutcome& out,
               const std::function<void(const std::string&, const std::string&)>& progress) {
  const std::string base = UpdateBase(opts, "nvd", kNvdBaseUrl);
  out.url = base;
  SourceRecord rec = db.Source("nvd");
  if (rec.url != base) rec.resume.clear();  // another service: its positions mean nothing here
  rec.url = base;
  const std::int64_t now = UpdateNow();
  // The windows still to read, the first one from `index` on.
  NvdPosition pos;
  if (!rec.resume.empty() && NvdPositionFrom(rec.resume, pos)) {
    // an interrupted update: on from its last committed page
  } else if (const std::int64_t cursor = ParseUtcTime(rec.cursor); cursor > 0) {
    pos.start = cursor;
    pos.end = std::min(now, cursor + kNvdMaxWindowSeconds);
    pos.began = now;
  } else {
    pos.full = true;
    pos.began = now;
  }
  const double spacing =
      opts.nvd_delay_s >= 0 ? opts.nvd_delay_s : (opts.nvd_api_key.empty() ? 6.0 : 0.6);
  UpdateRequester requester(opts, spacing);
  std::size_t imported = 0;
  while (true) {
    std::string url =
        fmt::format("{}?resultsPerPage={}&startIndex={}", base, opts.nvd_page_size, pos.index);
    if (!pos.full) {
      url += "&lastModStartDate=" + NvdEscape(NvdTime(pos.start)) +
             "&lastModEndDate=" + NvdEscape(NvdTime(pos.end));
    }
    FetchRequest req;
    req.url = url;
    req.max_bytes = kUpdateMaxPage;
    if (!opts.nvd_api_key.empty()) req.headers.push_back("apiKey: " + opts.nvd_api_key);
    auto r = requester.Get(req, out);
    if (!r) return UpdateFailed(db, rec, out, r.error().Describe());
    if (r->status != 200) return UpdateFailed(db, rec, out, UpdateHttpError(*r, url));
    auto page = ParseNvdPage(r->body, url);
    if (!page) return UpdateFailed(db, rec, out, page.error().Describe());
    std::string format;
    auto vulns = ParseFeed(r->body, url, &format, &out.problems);
    if (!vulns) return UpdateFailed(db, rec, out, vulns.error().Describe());
    imported += vulns->size();
    pos.index += static_cast<std::int64_t>(page->count);
    const bool window_done = page->count == 0 || pos.index >= page->total;
    if (window_done && !pos.full && pos.end < now) {  // the next window
      pos.start = pos.end;
      pos.end = std::min(now, pos.start + kNvdMaxWindowSeconds);
      pos.index = 0;
    } else if (window_done) {  // all read: the cursor moves, no position to resume from
      rec.cursor = NvdTime(pos.full ? pos.began : pos.end);
      rec.resume.clear();
      rec.last_attempt = rec.last_success = UpdateNow();
      rec.records = static_cast<std::int64_t>(imported);
      rec.last_result = UpdateResultLine(imported, "records", out);
      if (Status st = db.Apply(*vulns, rec); !st)
        return UpdateFailed(db, rec, out, st.error().Describe());
      out.ok = true;
      out.records = imported;
      out.result = rec.last_result;
      return;
    }
    rec.resume = NvdPositionJson(pos);
    rec.last_attempt = UpdateNow();
    rec.last_result = fmt::format("in progress: {} records so far", imported);
    if (Status st = db.Apply(*vulns, rec); !st)
      return UpdateFailed(db, rec, out, st.error().Describe());
    if (progress) {
      progress(out.name, pos.full ? fmt::format("{} of {} CVEs", pos.index, page->total)
                                  : fmt::format("changes since {}: {} records", NvdTime(pos.start),
                                                imported));
    }
  }
}

}  // namespace

Result<std::vector<std::string>> PlanSources(const std::vector<std::string>& only) {
  std::vector<std::string> items;
  for (const auto& o : only) {
    std::string cur;
    for (char c : o + ",") {
      if (c == ',') {
        if (!cur.empty()) items.push_back(cur);
        cur.clear();
      } else if (c != ' ') {
        cur += c;
      }
    }
  }
  if (items.empty()) items = {"osv", "nvd", "kev", "epss"};
  std::vector<std::string> plan;
  auto add = [&](const std::string& s) {
    if (std::find(plan.begin(), plan.end(), s) == plan.end()) plan.push_back(s);
  };
  for (const auto& i : items) {
    if (i == "nvd" || i == "kev" || i == "epss") {
      add(i);
    } else if (i == "osv") {
      for (const char* e : kDefaultOsvEcosystems) add(std::string("osv:") + e);
    } else if (i.starts_with("osv:") && i.size() > 4 &&
               i.find_first_of("/?#%\\") == std::string::npos) {
      add(i);
    } else {
      return MakeError(Errc::kInvalidArgument,
                       "unknown source '" + i + "' (nvd, osv, osv:<Ecosystem>, kev, epss)",
                       "--only");
    }
  }
  return plan;
}

Result<std::vector<SourceOutcome>> UpdateVulnDb(
    const UpdateOptions& opts,
    const std::function<void(const std::string&, const std::string&)>& progress) {
  auto plan = PlanSources(opts.only);
  if (!plan) return plan.error();
  auto db = VulnDb::Open(opts.db, true);
  if (!db) return db.error();
  // Downloads go beside the database: a temporary name, renamed once complete.
  const fs::path work = opts.db.parent_path() / (opts.db.filename().string() + ".download");
  std::vector<SourceOutcome> outcomes;
  for (const auto& name : *plan) {
    SourceOutcome out;
    out.name = name;
    if (progress) progress(name, "starting");
    if (name == "nvd") {
      UpdateNvd(*db, opts, out, progress);
    } else if (name == "kev") {
      UpdateKev(*db, opts, work, out, progress);
    } else if (name == "epss") {
      UpdateEpss(*db, opts, work, out, progress);
    } else {
      UpdateOsv(*db, opts, name.substr(4), work, out, progress);
    }
    outcomes.push_back(std::move(out));
  }
  std::error_code ec;
  fs::remove(work, ec);  // only when empty
  return outcomes;
}

Status ForEachZipMember(ByteView bytes, std::string_view input, std::uint64_t max_member,
                        const std::function<void(std::string_view, std::string_view)>& each,
                        std::vector<std::string>* problems) {
  struct archive* a = archive_read_new();
  archive_read_support_format_zip(a);
  archive_read_support_filter_none(a);
  if (archive_read_open_memory(a, bytes.data(), bytes.size()) != ARCHIVE_OK) {
    Error e = MakeError(Errc::kCorrupt,
                        fmt::format("not a zip archive: {}", ArchiveErrorOr(a, "open failed")),
                        std::string(input), 0);
    archive_read_free(a);
    return e;
  }
  Status result;
  struct archive_entry* entry = nullptr;
  std::string text;
  while (true) {
    const int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) break;
    const auto at =
        static_cast<std::uint64_t>(std::max<la_int64_t>(0, archive_read_header_position(a)));
    if (rc < ARCHIVE_WARN) {
      result = MakeError(Errc::kCorrupt,
                         fmt::format("zip member header: {}", ArchiveErrorOr(a, "error")),
                         std::string(input), at);
      break;
    }
    const char* name_c = archive_entry_pathname(entry);
    const std::string name = name_c ? name_c : fmt::format("#member-at-{}", at);
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    if (archive_entry_size_is_set(entry) &&
        static_cast<std::uint64_t>(archive_entry_size(entry)) > max_member) {
      if (problems)
        problems->push_back(fmt::format("{}#{}: member of {} bytes skipped (limit {})", input, name,
                                        archive_entry_size(entry), max_member));
      continue;
    }
    // The size in the header is not trusted: reading stops at max_member whatever it said.
    const EntryRead r = ReadEntryBounded(a, static_cast<std::size_t>(max_member), text);
    if (r == EntryRead::kFailed) {
      if (problems)
        problems->push_back(fmt::format("{}#{} (offset {}): member data: {}", input, name, at,
                                        ArchiveErrorOr(a, "error")));
      continue;
    }
    if (r == EntryRead::kTooBig) {
      if (problems)
        problems->push_back(
            fmt::format("{}#{}: member larger than {} bytes skipped", input, name, max_member));
      continue;
    }
    each(name, text);
  }
  archive_read_free(a);
  return result;
}

Result<NvdPage> ParseNvdPage(std::string_view text, std::string_view input) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return MakeError(Errc::kCorrupt, "not valid JSON", std::string(input));
  if (!j.is_object())
    return MakeError(Errc::kCorrupt,
                     fmt::format("an NVD API page is an object, got {}", j.type_name()),
                     std::string(input));
  NvdPage p;
  for (auto [key, field] : {std::pair{"totalResults", &p.total}, std::pair{"startIndex", &p.start},
                            std::pair{"resultsPerPage", &p.per_page}}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer() || it->get<std::int64_t>() < 0)
      return MakeError(Errc::kCorrupt,
                       fmt::format("{}: expected a non-negative integer, got {}", key,
                                   it == j.end() ? "nothing" : it->type_name()),
                       std::string(input));
    *field = it->get<std::int64_t>();
  }
  auto v = j.find("vulnerabilities");
  if (v == j.end() || !v->is_array())
    return MakeError(Errc::kCorrupt,
                     fmt::format("vulnerabilities: expected array, got {}",
                                 v == j.end() ? "nothing" : v->type_name()),
                     std::string(input));
  p.count = v->size();
  return p;
}

}  // namespace iotcop::vuln
