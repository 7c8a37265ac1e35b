// File: traffic/assess.cc
// Traffic captures into the assessment: each capture is recorded as an input (sha256, size,
// status ok | partial | failed), read through libpcap into an Analyzer whose facts join the
// assessment's store, and summarised in a `traffic_capture` fact. A capture that stops early keeps
// everything read before the bad packet; the error names the capture and the packet number.
#include "traffic/assess.h"

#include <fmt/format.h>

#include <filesystem>

#include "core/fact_kinds.h"
#include "core/hash.h"
#include "traffic/analyzer.h"
#include "traffic/capture.h"

namespace iotcop::traffic {

void AssessCaptures(const std::vector<std::string>& captures, const Options& options, Assessment& a,
                    Progress& progress) {
  namespace fs = std::filesystem;
  for (const auto& c : captures) {
    InputRecord rec{InputKind::kTraffic, c};
    std::error_code ec;
    if (!fs::is_regular_file(c, ec)) {
      rec.status = "failed";
      a.problems.push_back({"error", "input", c, "", std::nullopt, "no such capture file"});
      a.inputs.push_back(rec);
      continue;
    }
    rec.size = fs::file_size(c, ec);
    if (auto h = Sha256File(c)) rec.sha256 = *h;
    progress.Set("reading capture", c);
    FactStore facts;
    Analyzer analyzer(c, options, facts, a.problems);
    auto read = ReadCapture(c, analyzer);
    if (!read) {
      rec.status = "failed";
      a.problems.push_back({"error", "capture", c, "", read.error().offset, read.error().what});
      a.inputs.push_back(rec);
      continue;
    }
    progress.Set("analysing flows", c);
    analyzer.Finish();
    const CaptureStats& st = analyzer.stats();
    if (read->stopped) {
      rec.status = "partial";
      a.problems.push_back({"error", "capture", c, "", read->stopped->offset, read->stopped->what});
    }
    Evidence ev;
    ev.source = InputKind::kTraffic;
    ev.input = c;
    ev.excerpt = fmt::format("{} packets ({} IP, {} malformed), {} bytes, {} flows, link type {}",
                             st.packets, st.ip_packets, st.malformed, st.bytes, st.flows,
                             read->link_type_name);
    a.facts.Add(facts::kTrafficCapture,
                {{"capture", c},
                 {"link_type", read->link_type_name},
                 {"packets", st.packets},
                 {"ip_packets", st.ip_packets},
                 {"bytes", st.bytes},
                 {"malformed", st.malformed},
                 {"flows", st.flows},
                 {"devices", analyzer.Devices()},
                 {"device_filter", options.device},
                 {"complete", !read->stopped.has_value()},
                 {"error", read->stopped ? read->stopped->what : ""},
                 {"bytes_not_kept", st.bytes_not_kept}},
                std::move(ev), "traffic");
    a.facts.Merge(std::move(facts));
    a.inputs.push_back(rec);
  }
}

}  // namespace iotcop::traffic
