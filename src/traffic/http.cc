// File: traffic/http.cc
// HTTP/1.x requests and responses in a reassembled stream as the analysis sees them (read by
// protocols/http.h, leniently and bounded), and the key/value reader of forms, query strings and
// JSON used by the credential and personal-data parsers.
#include <cctype>

#include "protocols/http.h"
#include "traffic/parsers.h"

namespace iotcop::traffic {
namespace {

constexpr std::size_t kMaxHeaderValue = 2048;

// A capture is read best-effort: what is not a header line is skipped, at most 128 headers in a
// head of 32 KiB, 64 KiB of each body kept, a folded line is a line of its own.
constexpr protocols::HttpSyntax kCaptureHttpSyntax{.max_headers = 128,
                                                   .max_line = protocols::HttpSyntax::kNoLimit,
                                                   .max_head = 32 * 1024,
                                                   .max_body = 64 * 1024,
                                                   .unfold = false,
                                                   .lenient = true};

std::string CaptureHeader(const protocols::HttpHead& h, std::string_view lower_name) {
  return h.Header(lower_name).substr(0, kMaxHeaderValue);
}

bool IsMethod(std::string_view m) {
  for (const char* k : {"GET", "POST", "PUT", "HEAD", "DELETE", "PATCH", "OPTIONS", "CONNECT"})
    if (m == k) return true;
  return false;
}

}  // namespace

std::vector<HttpRequest> ParseHttpRequests(std::string_view s, std::size_t max) {
  std::vector<HttpRequest> out;
  for (auto& m : protocols::ParseHttpStream(s, protocols::HttpKind::kRequest, kCaptureHttpSyntax,
                                            max, [](const protocols::HttpHead& h) {
                                              return IsMethod(h.method) &&
                                                     h.protocol.starts_with("HTTP/1.");
                                            })) {
    HttpRequest r;
    r.method = m.method;
    r.target = m.target.substr(0, 4096);
    r.version = m.protocol.substr(0, 16);
    r.host = CaptureHeader(m, "host");
    r.user_agent = CaptureHeader(m, "user-agent");
    r.content_type = CaptureHeader(m, "content-type");
    r.authorization = CaptureHeader(m, "authorization");
    r.body = std::move(m.body);
    r.offset = m.offset;
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<HttpResponse> ParseHttpResponses(std::string_view s, std::size_t max) {
  std::vector<HttpResponse> out;
  for (const auto& m : protocols::ParseHttpStream(
           s, protocols::HttpKind::kResponse, kCaptureHttpSyntax, max,
           [](const protocols::HttpHead& h) { return h.protocol.starts_with("HTTP/1."); })) {
    HttpResponse r;
    r.status = m.status;
    r.content_type = CaptureHeader(m, "content-type");
    r.content_disposition = CaptureHeader(m, "content-disposition");
    r.content_length = m.declared;
    r.body_start = m.body.substr(0, 512);
    r.offset = m.offset;
    out.push_back(std::move(r));
  }
  return out;
}

void ForEachField(std::string_view text,
                  const std::function<void(std::string_view, std::string_view, std::uint64_t)>& fn,
                  std::size_t max) {
  std::size_t count = 0;
  std::string key_buf;
  auto is_key = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  };
  for (std::size_t i = 0; i < text.size() && count < max; ++i) {
    // A key: a run of key characters, optionally quoted, followed by = or :
    if (!is_key(text[i]) || (i > 0 && is_key(text[i - 1]))) continue;
    std::size_t k = i;
    while (k < text.size() && is_key(text[k]) && k - i < 64) ++k;
    if (k - i >= 64) {
      i = k;
      continue;
    }
    const bool quoted = i > 0 && text[i - 1] == '"' && k < text.size() && text[k] == '"';
    std::size_t p = k + (quoted ? 1 : 0);
    while (p < text.size() && text[p] == ' ') ++p;
    if (p >= text.size() || (text[p] != '=' && text[p] != ':')) continue;
    const bool form = text[p] == '=';
    ++p;
    while (p < text.size() && text[p] == ' ') ++p;
    std::string_view value;
    if (p < text.size() && text[p] == '"') {
      const std::size_t e = text.find('"', p + 1);
      value = text.substr(p + 1, (e == std::string_view::npos ? text.size() : e) - p - 1);
    } else {
      std::size_t e = p;
      while (e < text.size() && text[e] != '&' && text[e] != ',' && text[e] != '}' &&
             text[e] != '\n' && text[e] != '\r' && text[e] != ';' && !(text[e] == ' ' && !form))
        ++e;
      value = text.substr(p, e - p);
    }
    value = value.substr(0, 1024);
    key_buf.assign(text.substr(i, k - i));
    for (auto& c : key_buf) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ++count;
    if (form) {
      const std::string decoded = protocols::UrlDecode(value);
      fn(key_buf, decoded, i);
    } else {
      fn(key_buf, value, i);
    }
    i = p;
  }
}

}  // namespace iotcop::traffic
