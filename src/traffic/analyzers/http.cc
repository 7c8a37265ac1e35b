// File: traffic/analyzers/http.cc
// HTTP/1.x: the requests of a cleartext flow name it (the first Host), a GET whose path, type or
// body looks like firmware is a plain_download, a POST or PUT with a body is cleartext_telemetry,
// and each request's body and target are scanned for personal data. Responses are paired with
// requests in order.
#include <fmt/format.h>

#include <cctype>

#include "core/fact_kinds.h"
#include "traffic/analyzers/analyzer.h"
#include "traffic/parsers.h"

namespace iotcop::traffic::analyzers {
namespace {

std::string LowerCopy(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class HttpAnalyzer : public StreamAnalyzer {
 public:
  // Whether the client's bytes are HTTP requests is the parser's to say.
  bool Applies(const Conversation& c) const override { return !c.client.data().empty(); }

  Next Analyse(Context& cx, Conversation& c) override {
    FlowInfo& f = c.flow;
    const auto requests = ParseHttpRequests(c.client.data());
    const auto responses = ParseHttpResponses(c.server.data());
    const std::string device = ToString(f.device), server_addr = ToString(f.server);
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const HttpRequest& r = requests[i];
      const HttpResponse* resp = i < responses.size() ? &responses[i] : nullptr;
      if (f.name.empty() && !r.host.empty())
        f.name = r.host.substr(0, r.host.rfind(':') == std::string::npos || r.host.front() == '['
                                      ? r.host.size()
                                      : r.host.rfind(':'));
      const std::string host = r.host.empty() ? server_addr : r.host;
      const std::string url =
          r.target.starts_with("http://") ? r.target : "http://" + host + r.target;
      const std::uint64_t pkt = c.client.PacketAt(r.offset);
      if (r.method == "GET") {
        const std::string why =
            FirmwareLike(r.target, resp ? resp->content_type : "", resp ? resp->body_start : "");
        if (!why.empty()) {
          cx.AddFact(facts::kPlainDownload,
                     {{"protocol", "http"},
                      {"url", url},
                      {"host", host},
                      {"path", r.target},
                      {"method", r.method},
                      {"status", resp ? resp->status : 0},
                      {"content_type", resp ? resp->content_type : ""},
                      {"bytes", resp ? resp->content_length : 0},
                      {"firmware_like", true},
                      {"why", why},
                      {"device", device},
                      {"server", server_addr},
                      {"port", f.sport}},
                     cx.At(f, pkt, fmt::format("GET {} Host: {}", r.target, r.host), true));
        }
      }
      if (!r.body.empty() && (r.method == "POST" || r.method == "PUT")) {
        cx.AddFact(
            facts::kCleartextTelemetry,
            {{"protocol", "http"},
             {"device", device},
             {"server", server_addr},
             {"port", f.sport},
             {"name", host},
             {"topics", {r.target.substr(0, r.target.find('?'))}},
             {"messages", 1},
             {"bytes", r.body.size()}},
            cx.At(f, pkt,
                  fmt::format("{} {} ({} bytes)", r.method, r.target.substr(0, 120), r.body.size()),
                  true));
      }
      PersonalDataIn(cx, f, r.body, &c.client, "http", pkt);
      PersonalDataIn(cx, f, r.target, nullptr, "http", pkt);
    }
    if (!requests.empty()) c.payload_scanned = true;
    return Next::kContinue;
  }
};

}  // namespace

std::string FirmwareLike(std::string_view path, std::string_view content_type,
                         std::string_view body_start) {
  const std::string p = LowerCopy(path.substr(0, path.find('?')));
  for (const char* ext : {".bin", ".img", ".trx", ".fw", ".chk", ".ipk", ".swu", ".mender",
                          ".raucb", ".hex", ".ota", ".pkg", ".upd", ".itb", ".ubi"}) {
    if (p.ends_with(ext)) return fmt::format("the file name ends in {}", ext);
  }
  for (const char* word : {"firmware", "upgrade", "update", "/ota", "sysupgrade", "fwupd"}) {
    if (p.find(word) != std::string::npos) return fmt::format("the path mentions {}", word);
  }
  const std::string_view b = body_start;
  if (b.starts_with("\x27\x05\x19\x56")) return "the body is a U-Boot uImage";
  if (b.starts_with("\xd0\x0d\xfe\xed")) return "the body is a FIT/device-tree image";
  if (b.starts_with("hsqs") || b.starts_with("sqsh")) return "the body is a SquashFS image";
  if (b.starts_with("HDR0")) return "the body is a TRX image";
  if (b.starts_with("UBI#")) return "the body is a UBI image";
  if (LowerCopy(content_type).find("octet-stream") != std::string::npos)
    return "the content type is application/octet-stream";
  return {};
}

std::unique_ptr<StreamAnalyzer> MakeHttpAnalyzer() { return std::make_unique<HttpAnalyzer>(); }

}  // namespace iotcop::traffic::analyzers
