// File: traffic/analyzers/ftp.cc
// FTP: on a control connection (the server greets with 220), each RETR at the start of a client
// line is a plain_download (at most 64 of them), firmware-like when its file name says so.
#include <fmt/format.h>

#include <algorithm>

#include "core/fact_kinds.h"
#include "traffic/analyzers/analyzer.h"

namespace iotcop::traffic::analyzers {
namespace {

class FtpAnalyzer : public StreamAnalyzer {
 public:
  bool Applies(const Conversation& c) const override { return c.server.data().starts_with("220"); }

  Next Analyse(Context& cx, Conversation& c) override {
    const FlowInfo& f = c.flow;
    const std::string_view client = c.client.data();
    const std::string device = ToString(f.device), server_addr = ToString(f.server);
    std::size_t pos = 0;
    for (int n = 0; n < 64 && (pos = client.find("RETR ", pos)) != std::string_view::npos; ++n) {
      if (pos != 0 && client[pos - 1] != '\n') {
        pos += 5;
        continue;
      }
      const std::size_t e = client.find_first_of("\r\n", pos);
      const std::string file(client.substr(pos + 5, std::min<std::size_t>(e - pos - 5, 1024)));
      const std::string why = UpdateLike(file, "");
      const std::string url =
          fmt::format("ftp://{}/{}", server_addr, file.starts_with("/") ? file.substr(1) : file);
      cx.AddFact(facts::kPlainDownload,
                 {{"protocol", "ftp"},
                  {"url", url},
                  {"host", server_addr},
                  {"path", file},
                  {"method", "RETR"},
                  {"status", 0},
                  {"content_type", ""},
                  {"bytes", 0},
                  {"firmware_like", !why.empty()},
                  {"why", why},
                  {"device", device},
                  {"server", server_addr},
                  {"port", f.sport}},
                 cx.At(f, c.client.PacketAt(pos), "RETR " + file, true));
      pos += 5;
    }
    return Next::kContinue;
  }
};

}  // namespace

std::unique_ptr<StreamAnalyzer> MakeFtpAnalyzer() { return std::make_unique<FtpAnalyzer>(); }

}  // namespace iotcop::traffic::analyzers
