// File: protocols/http.cc
// HTTP/1.x and RTSP heads, bodies and streams, bounded; challenges; percent-decoding (see http.h).
#include "protocols/http.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "core/strings.h"

namespace iotcop::protocols {
namespace {

// The line at `pos` (ended by LF, one CR before it removed), `pos` moved past it; false when no
// LF is left.
bool NextHttpLine(std::string_view data, std::size_t& pos, std::string_view& line) {
  if (pos >= data.size()) return false;
  const auto nl = data.find('\n', pos);
  if (nl == std::string_view::npos) return false;
  line = data.substr(pos, nl - pos);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  pos = nl + 1;
  return true;
}

bool IsHttpProtocol(std::string_view p) { return p.starts_with("HTTP/") || p.starts_with("RTSP/"); }

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A Content-Length (base 10) or chunk size (16): the whole text, or when `lenient` its leading
// digits. False when it is not a number.
bool ParseHttpNumber(std::string_view text, int base, bool lenient, std::uint64_t& n) {
  n = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n, base);
  if (ec != std::errc()) {
    n = 0;
    return false;
  }
  return lenient || p == text.data() + text.size();
}

Status ParseStartLine(std::string_view line, const std::string& input, const HttpSyntax& syntax,
                      HttpKind kind, HttpHead& h) {
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
    line.remove_suffix(1);
  if (kind == HttpKind::kRequest) {
    const auto sp1 = line.find(' ');
    const auto sp2 = line.rfind(' ');
    if (sp1 == std::string_view::npos || sp1 == 0 || sp2 <= sp1)
      return MakeError(Errc::kCorrupt, "request line without a target and a protocol", input, 0);
    h.method = std::string(line.substr(0, sp1));
    h.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
    h.protocol = std::string(line.substr(sp2 + 1));
    if (!IsHttpProtocol(h.protocol))
      return MakeError(Errc::kNotThisFormat, "not an HTTP or RTSP request", input, sp2 + 1);
    return Ok();
  }
  const auto sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0)
    return MakeError(Errc::kCorrupt, "status line without a status code", input, 0);
  h.protocol = std::string(line.substr(0, sp));
  if (!IsHttpProtocol(h.protocol))
    return MakeError(Errc::kNotThisFormat, "not an HTTP or RTSP response", input, 0);
  const std::string_view rest = line.substr(sp + 1);
  const auto sp2 = rest.find(' ');
  const std::string_view code = rest.substr(0, sp2);
  if (code.size() == 3 &&
      std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    h.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  } else if (syntax.lenient) {
    std::from_chars(rest.data(), rest.data() + rest.size(), h.status);
  } else {
    return MakeError(Errc::kCorrupt, "status code is not three digits", input, sp + 1);
  }
  if (sp2 != std::string_view::npos) h.reason = std::string(Trim(rest.substr(sp2 + 1)));
  return Ok();
}

// The body after the head in `data` (see ParseHttpMessage); sets m.body, declared, truncated, end.
Status ReadHttpBody(std::string_view data, const std::string& input, const HttpSyntax& syntax,
                    HttpKind kind, HttpMessage& m) {
  auto keep = [&](std::string_view bytes) {
    if (m.body.size() < syntax.max_body)
      m.body.append(bytes.substr(0, syntax.max_body - m.body.size()));
  };
  if (Lower(m.Header("transfer-encoding")).find("chunked") != std::string::npos) {
    // chunk-size [;ext] CRLF data CRLF ... 0 CRLF [trailers] CRLF
    std::size_t p = m.size;
    for (;;) {
      const auto nl = data.find('\n', p);
      if (nl == std::string_view::npos) {
        m.truncated = true;
        p = data.size();
        break;
      }
      std::string_view text = Trim(data.substr(p, nl - p));
      text = Trim(text.substr(0, text.find(';')));
      std::uint64_t size = 0;
      if (!ParseHttpNumber(text, 16, syntax.lenient, size)) {
        if (syntax.lenient) break;  // the body ends where the chunks stop making sense
        return MakeError(Errc::kCorrupt, "bad chunk size", input, p);
      }
      p = nl + 1;
      if (size == 0) {  // the last chunk; trailer lines up to an empty one
        std::string_view line;
        bool ended = false;
        while (!ended && NextHttpLine(data, p, line)) ended = line.empty();
        if (!ended) p = data.size();
        break;
      }
      m.declared += size;
      const std::size_t avail = data.size() - p;
      keep(data.substr(p, static_cast<std::size_t>(std::min<std::uint64_t>(size, avail))));
      if (size > avail) {
        m.truncated = true;
        p = data.size();
        break;
      }
      p += static_cast<std::size_t>(size);
      if (p < data.size() && data[p] == '\r') ++p;
      if (p < data.size() && data[p] == '\n') ++p;
    }
    m.end = p;
    return Ok();
  }
  const std::size_t avail = data.size() - m.size;
  std::uint64_t take = 0;
  const std::string length = m.Header("content-length");
  if (!length.empty()) {
    if (!ParseHttpNumber(length, 10, syntax.lenient, m.declared) && !syntax.lenient)
      return MakeError(Errc::kCorrupt, "bad Content-Length", input, m.size);
    take = std::min<std::uint64_t>(m.declared, avail);
    m.truncated = m.declared > avail;
  } else if (kind == HttpKind::kResponse) {  // no length: the body runs to the close
    take = m.declared = avail;
  }
  keep(data.substr(m.size, static_cast<std::size_t>(take)));
  m.end = m.size + static_cast<std::size_t>(take);
  return Ok();
}

}  // namespace

std::string HttpHead::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return {};
}

std::vector<std::string> HttpHead::All(std::string_view lower_name) const {
  std::vector<std::string> r;
  for (const auto& [k, v] : headers)
    if (k == lower_name) r.push_back(v);
  return r;
}

std::size_t HttpHeadEnd(std::string_view data) {
  std::size_t pos = 0;
  std::string_view line;
  if (!NextHttpLine(data, pos, line)) return 0;  // the start line
  while (NextHttpLine(data, pos, line))
    if (line.empty()) return pos;
  return 0;
}

Result<HttpHead> ParseHttpHead(std::string_view data, const std::string& input,
                               const HttpSyntax& syntax, HttpKind kind) {
  HttpHead h;
  const char* start = kind == HttpKind::kRequest ? "request line" : "status line";
  std::size_t pos = 0;
  std::string_view line;
  if (!NextHttpLine(data, pos, line))
    return MakeError(Errc::kTruncated, fmt::format("no complete {}", start), input, 0);
  if (line.size() > syntax.max_line)
    return MakeError(Errc::kLimitExceeded, fmt::format("{} too long", start), input, 0);
  if (auto st = ParseStartLine(line, input, syntax, kind, h); !st) return st.error();
  std::size_t content_end = line.size();  // the head's bytes so far, without the line end
  for (;;) {
    if (content_end > syntax.max_head)
      return MakeError(Errc::kLimitExceeded,
                       fmt::format("head longer than {} bytes", syntax.max_head), input, 0);
    const std::size_t at = pos;
    if (!NextHttpLine(data, pos, line))
      return MakeError(Errc::kTruncated, "headers do not end", input, at);
    if (line.empty()) break;
    content_end = at + line.size();
    if (line.size() > syntax.max_line) {
      if (syntax.lenient) continue;
      return MakeError(Errc::kLimitExceeded, "header line too long", input, at);
    }
    if (syntax.unfold && (line.front() == ' ' || line.front() == '\t') && !h.headers.empty()) {
      h.headers.back().second += " " + std::string(Trim(line));
      continue;
    }
    const std::string_view text = Trim(line);
    if (text.empty()) continue;
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      if (syntax.lenient) continue;
      return MakeError(Errc::kCorrupt, "header line without a name", input, at);
    }
    if (h.headers.size() >= syntax.max_headers) {
      if (syntax.lenient) continue;
      return MakeError(Errc::kLimitExceeded,
                       fmt::format("more than {} headers", syntax.max_headers), input, at);
    }
    h.headers.emplace_back(Lower(Trim(text.substr(0, colon))),
                           std::string(Trim(text.substr(colon + 1))));
  }
  h.size = pos;
  return h;
}

Result<HttpMessage> ParseHttpMessage(std::string_view data, const std::string& input,
                                     const HttpSyntax& syntax, HttpKind kind) {
  auto head = ParseHttpHead(data, input, syntax, kind);
  if (!head) return head.error();
  HttpMessage m;
  static_cast<HttpHead&>(m) = std::move(*head);
  if (auto st = ReadHttpBody(data, input, syntax, kind, m); !st) return st.error();
  return m;
}

std::vector<HttpMessage> ParseHttpStream(std::string_view stream, HttpKind kind,
                                         const HttpSyntax& syntax, std::size_t max,
                                         const std::function<bool(const HttpHead&)>& accept) {
  std::vector<HttpMessage> out;
  std::size_t pos = 0;
  while (pos < stream.size() && out.size() < max) {
    auto m = ParseHttpMessage(stream.substr(pos), {}, syntax, kind);
    if (!m || (accept && !accept(*m))) break;
    m->offset = pos;
    m->end += pos;
    pos = m->end;
    out.push_back(std::move(*m));
  }
  return out;
}

std::vector<Challenge> ParseChallenges(std::string_view v) {
  std::vector<Challenge> out;
  std::size_t i = 0;
  const std::size_t n = v.size();
  auto skip_ws = [&] {
    while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) ++i;
  };
  while (i < n && out.size() < 16) {
    skip_ws();
    std::size_t s = i;
    while (i < n && IsTokenChar(v[i])) ++i;
    if (i == s) {  // not a token: skip one byte and go on
      ++i;
      continue;
    }
    std::string token(v.substr(s, i - s));
    // After a token: '=' means an auth-param of the current challenge, else a new scheme.
    std::size_t j = i;
    while (j < n && (v[j] == ' ' || v[j] == '\t')) ++j;
    if (j < n && v[j] == '=' && !out.empty()) {
      i = j + 1;
      while (i < n && (v[i] == ' ' || v[i] == '\t')) ++i;
      std::string value;
      if (i < n && v[i] == '"') {
        ++i;
        while (i < n && v[i] != '"') {
          if (v[i] == '\\' && i + 1 < n) ++i;
          value += v[i++];
        }
        if (i < n) ++i;  // closing quote
      } else {
        const std::size_t vs = i;
        while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t') ++i;
        value = std::string(v.substr(vs, i - vs));
      }
      if (out.back().params.size() < 32) out.back().params[Lower(token)] = value;
    } else if (j < n && v[j] == '=') {
      i = j + 1;  // a parameter before any scheme: ignore
    } else {
      out.push_back({Lower(token), {}});
      // token68 (Basic/Bearer may carry one): skip it when no '=' param follows.
    }
  }
  return out;
}

std::string UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace iotcop::protocols
