#include "vuln/priority.h"

#include <archive.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/evidence.h"
#include "core/strings.h"
#include "vuln/archive_read.h"
#include "vuln/feed_fields.h"

namespace iotcop::vuln {
namespace {

bool PriorityIsCveId(std::string_view s) {
  if (!s.starts_with("CVE-") || s.size() < 13 || s.size() > 24) return false;
  for (std::size_t i = 4; i < s.size(); ++i) {
    const bool digit = std::isdigit(static_cast<unsigned char>(s[i])) != 0;
    if (i == 8 ? s[i] != '-' : !digit) return false;
  }
  return true;
}

// A number in [0, 1] written alone in `s`.
std::optional<double> PriorityProbability(std::string_view s) {
  const std::string text(Trim(s));
  if (text.empty() || text.size() > 32) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (errno != 0 || end != text.c_str() + text.size() || !(v >= 0.0 && v <= 1.0))
    return std::nullopt;
  return v;
}

}  // namespace

Result<std::vector<KevEntry>> ParseKev(std::string_view text, std::string_view input,
                                       std::vector<std::string>* problems) {
  using nlohmann::json;
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return MakeError(Errc::kCorrupt, "not valid JSON", std::string(input));
  if (!j.is_object() || !j.contains("vulnerabilities"))
    return MakeError(Errc::kNotThisFormat,
                     "not the CISA KEV catalog (an object with `vulnerabilities`)",
                     std::string(input));
  const json& list = j["vulnerabilities"];
  if (!list.is_array())
    return MakeError(Errc::kCorrupt,
                     fmt::format("vulnerabilities: expected array, got {}", list.type_name()),
                     std::string(input));
  std::vector<KevEntry> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    FeedFields f;
    KevEntry e;
    const json& rec = list[i];
    if (f.Is(rec, FeedFields::Element("vulnerabilities", i), json::value_t::object)) {
      e.cve = f.Str(rec, "", "cveID");
      e.vendor = f.Str(rec, "", "vendorProject");
      e.product = f.Str(rec, "", "product");
      e.name = f.Str(rec, "", "vulnerabilityName");
      e.date_added = f.Str(rec, "", "dateAdded");
      e.due_date = f.Str(rec, "", "dueDate");
      e.ransomware = f.Str(rec, "", "knownRansomwareCampaignUse");
      for (const char* key : {"shortDescription", "requiredAction", "notes"})
        (void)f.Str(rec, "", key);
      if (const json* cwes = f.Get(rec, "", "cwes", json::value_t::array)) {
        for (std::size_t k = 0; k < cwes->size(); ++k)
          (void)f.Is((*cwes)[k], FeedFields::Element("cwes", k), json::value_t::string);
      }
      if (f.problems.empty() && !PriorityIsCveId(e.cve))
        f.problems.push_back(e.cve.empty()
                                 ? "cveID: missing"
                                 : "cveID: not a CVE id: \"" + BoundExcerpt(e.cve, 40) + "\"");
    }
    if (f.problems.empty()) {
      out.push_back(std::move(e));
      continue;
    }
    const std::string record = PriorityIsCveId(e.cve) ? e.cve : fmt::format("#{}", i);
    for (const auto& p : f.problems)
      if (problems) problems->push_back(fmt::format("{}: record {}: {}", input, record, p));
  }
  return out;
}

Result<std::vector<EpssScore>> ParseEpssCsv(std::string_view csv, std::string_view input,
                                            std::vector<std::string>* problems, std::string* date) {
  std::vector<EpssScore> out;
  std::string score_date;
  bool header = false;
  std::size_t line_no = 0, pos = 0;
  while (pos < csv.size()) {
    std::size_t nl = csv.find('\n', pos);
    if (nl == std::string_view::npos) nl = csv.size();
    std::string_view line = csv.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (!header && line.front() == '#') {
      // #model_version:v2023.03.01,score_date:2024-01-01T00:00:00+0000
      if (const auto at = line.find("score_date:"); at != std::string_view::npos) {
        std::string_view d = line.substr(at + 11);
        d = d.substr(0, std::min<std::size_t>(d.find(','), 40));
        score_date = std::string(d);
      }
      continue;
    }
    if (!header) {
      if (Trim(line) != "cve,epss,percentile")
        return MakeError(
            Errc::kNotThisFormat,
            fmt::format("line {}: expected the EPSS header \"cve,epss,percentile\"", line_no),
            std::string(input));
      header = true;
      continue;
    }
    std::vector<std::string_view> cols;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= line.size() && cols.size() < 4; ++i) {
      if (i == line.size() || line[i] == ',') {
        cols.push_back(line.substr(start, i - start));
        start = i + 1;
      }
    }
    auto bad = [&](const std::string& what) {
      if (problems) problems->push_back(fmt::format("{}: line {}: {}", input, line_no, what));
    };
    if (cols.size() != 3) {
      bad(fmt::format("expected 3 fields (cve,epss,percentile), got {}{}", cols.size(),
                      cols.size() > 3 ? " or more" : ""));
      continue;
    }
    const std::string cve(Trim(cols[0]));
    const auto score = PriorityProbability(cols[1]);
    const auto percentile = PriorityProbability(cols[2]);
    if (!PriorityIsCveId(cve)) {
      bad("cve: not a CVE id: \"" + BoundExcerpt(cve, 40) + "\"");
    } else if (!score) {
      bad(fmt::format("record {}: epss: expected a number in [0, 1], got \"{}\"", cve,
                      BoundExcerpt(cols[1], 40)));
    } else if (!percentile) {
      bad(fmt::format("record {}: percentile: expected a number in [0, 1], got \"{}\"", cve,
                      BoundExcerpt(cols[2], 40)));
    } else {
      out.push_back({cve, *score, *percentile, score_date});
    }
  }
  if (!header)
    return MakeError(Errc::kNotThisFormat, "no EPSS header \"cve,epss,percentile\"",
                     std::string(input));
  if (date) *date = score_date;
  return out;
}

Result<std::string> GunzipBounded(ByteView bytes, std::string_view input, std::size_t max_bytes) {
  struct archive* a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_none(a);
  archive_read_support_format_raw(a);
  struct archive_entry* entry = nullptr;
  if (archive_read_open_memory(a, bytes.data(), bytes.size()) != ARCHIVE_OK ||
      archive_read_next_header(a, &entry) != ARCHIVE_OK) {
    Error e = MakeError(Errc::kCorrupt,
                        fmt::format("not a gzip stream: {}", ArchiveErrorOr(a, "cannot read")),
                        std::string(input), 0);
    archive_read_free(a);
    return e;
  }
  std::string out;
  const EntryRead r = ReadEntryBounded(a, max_bytes, out);
  Result<std::string> result = std::move(out);
  if (r == EntryRead::kFailed)
    result = MakeError(Errc::kCorrupt, fmt::format("gzip data: {}", ArchiveErrorOr(a, "corrupt")),
                       std::string(input), result->size());
  else if (r == EntryRead::kTooBig)
    result = MakeError(Errc::kCorrupt, fmt::format("decompresses to more than {} bytes", max_bytes),
                       std::string(input), result->size());
  archive_read_free(a);
  return result;
}

}  // namespace iotcop::vuln
