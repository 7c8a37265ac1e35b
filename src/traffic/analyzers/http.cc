// File: traffic/analyzers/http.cc
// HTTP/1.x: the requests of a cleartext flow name it (the first Host) and are each an
// http_request fact (method, host, path with secret-looking query values redacted, status); a
// download whose body's magic bytes say archive, firmware image or executable (whatever the
// file name), or a GET whose path or host names firmware or an update, is a plain_download; a
// POST or PUT with a body is cleartext_telemetry, and each request's body and target are scanned
// for personal data. Responses are paired with requests in order.
#include <fmt/format.h>

#include <cctype>
#include <cstring>

#include "core/evidence.h"
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
      const std::uint64_t pkt = c.client.PacketAt(r.offset);
      const PayloadMagic magic = IdentifyPayload(resp ? resp->body_start : "");
      const std::string path = RedactQuery(r.target);
      cx.AddFact(facts::kHttpRequest,
                 {{"device", device},
                  {"server", server_addr},
                  {"port", f.sport},
                  {"method", r.method},
                  {"host", r.host},
                  {"path", path},
                  {"status", resp ? resp->status : 0},
                  {"content_type", resp ? resp->content_type : ""},
                  {"bytes", resp ? resp->content_length : 0},
                  {"payload", magic.name}},
                 cx.At(f, pkt, fmt::format("{} {} Host: {}", r.method, path, r.host), true));
      std::string why = r.method == "GET" ? UpdateLike(r.target, r.host) : "";
      if (why.empty() && magic.image)
        why = fmt::format("the body is a {} firmware image", magic.name);
      // A file the device serves (a backup a browser downloads from it) is not the device
      // fetching code: by magic alone only what the device itself downloads counts.
      if (!why.empty() || (!magic.kind.empty() && f.device_is_client)) {
        cx.AddFact(facts::kPlainDownload,
                   {{"protocol", "http"},
                    {"url", path.starts_with("http://") ? path : "http://" + host + path},
                    {"host", host},
                    {"path", path},
                    {"method", r.method},
                    {"status", resp ? resp->status : 0},
                    {"content_type", resp ? resp->content_type : ""},
                    {"bytes", resp ? resp->content_length : 0},
                    {"firmware_like", !why.empty()},
                    {"why", why.empty() ? fmt::format("the body's magic bytes say {} ({})",
                                                      magic.kind, magic.name)
                                        : why},
                    {"payload", magic.name},
                    {"payload_kind", magic.kind},
                    {"device", device},
                    {"server", server_addr},
                    {"port", f.sport}},
                   cx.At(f, pkt, fmt::format("{} {} Host: {}", r.method, path, r.host), true));
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

std::string UpdateLike(std::string_view path, std::string_view host) {
  const std::string p = LowerCopy(path.substr(0, path.find('?')));
  for (const char* ext : {".bin", ".img", ".trx", ".fw", ".chk", ".ipk", ".swu", ".mender",
                          ".raucb", ".hex", ".ota", ".pkg", ".upd", ".itb", ".ubi"}) {
    if (p.ends_with(ext)) return fmt::format("the file name ends in {}", ext);
  }
  for (const char* word : {"firmware", "upgrade", "update", "/ota", "sysupgrade", "fwupd"}) {
    if (p.find(word) != std::string::npos) return fmt::format("the path mentions {}", word);
  }
  const std::string h = LowerCopy(host);
  for (const char* word : {"firmware", "upgrade", "update", "fwupd", "ota."}) {
    if (h.find(word) != std::string::npos) return fmt::format("the host name mentions {}", word);
  }
  return {};
}

std::string RedactQuery(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, q + 1));
  std::string_view rest = target.substr(q + 1);
  const auto fragment = rest.find('#');
  const std::string_view tail = fragment == std::string_view::npos ? "" : rest.substr(fragment);
  rest = rest.substr(0, fragment);
  bool first = true;
  for (;;) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (!first) out += '&';
    first = false;
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      out += pair;
    } else {
      const std::string key = LowerCopy(pair.substr(0, eq));
      const std::string_view value = pair.substr(eq + 1);
      bool secret = false;
      for (const char* w : {"pass", "pwd", "token", "secret", "key", "auth", "session", "sid",
                            "sig", "code", "cred", "otp", "pin"}) {
        if (key.find(w) != std::string::npos) secret = true;
      }
      // A long value of letters and digits mixed (an opaque token) is a secret whatever its name.
      std::size_t alpha = 0, digit = 0;
      for (char c : value) {
        alpha += std::isalpha(static_cast<unsigned char>(c)) ? 1 : 0;
        digit += std::isdigit(static_cast<unsigned char>(c)) ? 1 : 0;
      }
      if (value.size() >= 20 && alpha && digit) secret = true;
      out += pair.substr(0, eq + 1);
      out += secret && !value.empty() ? Redact(value) : std::string(value);
    }
    if (amp == std::string_view::npos) break;
  }
  return out + std::string(tail);
}

PayloadMagic IdentifyPayload(std::string_view b) {
  const auto at = [&](std::size_t off, std::string_view m) {
    return b.size() >= off + m.size() && b.substr(off, m.size()) == m;
  };
  using namespace std::string_view_literals;
  struct Magic {
    std::string_view bytes;
    const char* name;
    const char* kind;
    bool image;
  };
  static constexpr Magic kMagics[] = {
      {"\x1f\x8b\x08"sv, "gzip", "archive", false},
      {"\xfd"
       "7zXZ\x00"sv,
       "xz", "archive", false},
      {"BZh"sv, "bzip2", "archive", false},
      {"PK\x03\x04"sv, "zip", "archive", false},
      {"7z\xbc\xaf\x27\x1c"sv, "7z", "archive", false},
      {"\x28\xb5\x2f\xfd"sv, "zstd", "archive", false},
      {"070701"sv, "cpio", "archive", false},
      {"070702"sv, "cpio", "archive", false},
      {"070707"sv, "cpio", "archive", false},
      {"!<arch>\n"sv, "ar", "archive", false},
      {"hsqs"sv, "squashfs", "image", true},
      {"sqsh"sv, "squashfs", "image", true},
      {"\x27\x05\x19\x56"sv, "uimage", "image", true},
      {"\xd0\x0d\xfe\xed"sv, "fit", "image", true},
      {"HDR0"sv, "trx", "image", true},
      {"UBI#"sv, "ubi", "image", true},
      {"\x7f"
       "ELF"sv,
       "elf", "executable", false},
      {"\xfe\xed\xfa\xce"sv, "mach-o", "executable", false},
      {"\xfe\xed\xfa\xcf"sv, "mach-o", "executable", false},
      {"\xce\xfa\xed\xfe"sv, "mach-o", "executable", false},
      {"\xcf\xfa\xed\xfe"sv, "mach-o", "executable", false},
      {"#!/"sv, "shell-script", "executable", false},
  };
  for (const Magic& m : kMagics) {
    if (m.bytes == "BZh"sv && !(b.size() > 3 && b[3] >= '1' && b[3] <= '9')) continue;
    if (at(0, m.bytes)) return {m.name, m.kind, m.image};
  }
  if (at(257, "ustar")) return {"tar", "archive", false};
  // PE: "MZ" and, at e_lfanew (little-endian at 0x3c), "PE\0\0" within what was kept.
  if (at(0, "MZ") && b.size() >= 0x40) {
    std::uint32_t lfanew = 0;
    for (int i = 3; i >= 0; --i) lfanew = (lfanew << 8) | static_cast<unsigned char>(b[0x3c + i]);
    if (lfanew <= b.size() && at(lfanew, "PE\0\0"sv)) return {"pe", "executable", false};
  }
  return {};
}

std::unique_ptr<StreamAnalyzer> MakeHttpAnalyzer() { return std::make_unique<HttpAnalyzer>(); }

}  // namespace iotcop::traffic::analyzers
