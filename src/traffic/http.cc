// File: traffic/http.cc
// HTTP/1.x requests and responses in a reassembled stream (Content-Length and chunked bodies,
// bounded), and the key/value reader of forms, query strings and JSON used by the credential and
// personal-data parsers.
#include <cctype>
#include <charconv>

#include "core/strings.h"
#include "traffic/parsers.h"

namespace iotcop::traffic {
namespace {

constexpr std::size_t kMaxHeaderBlock = 32 * 1024;
constexpr std::size_t kMaxBody = 64 * 1024;
constexpr std::size_t kMaxHeaderValue = 2048;

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

struct Message {
  std::string_view start;  // first line
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string body;
  std::uint64_t body_declared = 0;
  std::size_t next = 0;  // offset after the message
};

std::string_view Header(const Message& m, std::string_view name) {
  for (const auto& [k, v] : m.headers)
    if (IEquals(k, name)) return v.substr(0, kMaxHeaderValue);
  return {};
}

// One message at `pos`; nullopt when the data there is not a complete header block.
std::optional<Message> ReadMessage(std::string_view s, std::size_t pos, bool request) {
  const std::size_t end = s.find("\r\n\r\n", pos);
  const std::size_t lf_end = s.find("\n\n", pos);
  std::size_t head_end, body_at;
  if (end != std::string_view::npos && (lf_end == std::string_view::npos || end < lf_end)) {
    head_end = end;
    body_at = end + 4;
  } else if (lf_end != std::string_view::npos) {
    head_end = lf_end;
    body_at = lf_end + 2;
  } else {
    return std::nullopt;
  }
  if (head_end - pos > kMaxHeaderBlock) return std::nullopt;
  Message m;
  std::string_view block = s.substr(pos, head_end - pos);
  std::size_t nl = block.find('\n');
  m.start = Trim(block.substr(0, nl));
  while (nl != std::string_view::npos && m.headers.size() < 128) {
    const std::size_t from = nl + 1;
    nl = block.find('\n', from);
    std::string_view line = Trim(block.substr(from, nl == std::string_view::npos ? nl : nl - from));
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    m.headers.emplace_back(Trim(line.substr(0, colon)), Trim(line.substr(colon + 1)));
  }
  std::uint64_t length = 0;
  const std::string_view cl = Header(m, "Content-Length");
  std::from_chars(cl.data(), cl.data() + cl.size(), length);
  const bool chunked = Header(m, "Transfer-Encoding").find("chunked") != std::string_view::npos;
  std::size_t p = body_at;
  if (chunked) {
    // chunk-size CRLF data CRLF ... 0 CRLF CRLF
    while (p < s.size()) {
      const std::size_t le = s.find("\r\n", p);
      if (le == std::string_view::npos) break;
      std::uint64_t n = 0;
      auto r = std::from_chars(s.data() + p, s.data() + le, n, 16);
      if (r.ec != std::errc()) break;
      p = le + 2;
      if (n == 0) {
        p = std::min(s.size(), p + 2);
        break;
      }
      const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n, s.size() - p));
      if (m.body.size() < kMaxBody)
        m.body.append(s.substr(p, std::min(take, kMaxBody - m.body.size())));
      m.body_declared += n;
      if (n > s.size() - p) {
        p = s.size();
        break;
      }
      p += static_cast<std::size_t>(n) + 2;
    }
    m.next = std::min(p, s.size());
  } else {
    const std::size_t avail = s.size() - std::min(body_at, s.size());
    if (!request && cl.empty()) length = avail;  // no length: the body runs to the close
    const std::size_t have = static_cast<std::size_t>(std::min<std::uint64_t>(length, avail));
    m.body = std::string(s.substr(body_at, std::min(have, kMaxBody)));
    m.body_declared = length;
    m.next = body_at + have;
  }
  return m;
}

bool IsMethod(std::string_view m) {
  for (const char* k : {"GET", "POST", "PUT", "HEAD", "DELETE", "PATCH", "OPTIONS", "CONNECT"})
    if (m == k) return true;
  return false;
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::vector<HttpRequest> ParseHttpRequests(std::string_view s, std::size_t max) {
  std::vector<HttpRequest> out;
  std::size_t pos = 0;
  while (pos < s.size() && out.size() < max) {
    auto m = ReadMessage(s, pos, true);
    if (!m) break;
    const std::size_t sp1 = m->start.find(' ');
    const std::size_t sp2 = m->start.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 <= sp1) break;
    HttpRequest r;
    r.method = std::string(m->start.substr(0, sp1));
    if (!IsMethod(r.method)) break;
    r.target = std::string(m->start.substr(sp1 + 1, std::min<std::size_t>(sp2 - sp1 - 1, 4096)));
    r.version = std::string(m->start.substr(sp2 + 1, 16));
    if (!r.version.starts_with("HTTP/1.")) break;
    r.host = std::string(Header(*m, "Host"));
    r.user_agent = std::string(Header(*m, "User-Agent"));
    r.content_type = std::string(Header(*m, "Content-Type"));
    r.authorization = std::string(Header(*m, "Authorization"));
    r.body = std::move(m->body);
    r.offset = pos;
    out.push_back(std::move(r));
    if (m->next <= pos) break;
    pos = m->next;
  }
  return out;
}

std::vector<HttpResponse> ParseHttpResponses(std::string_view s, std::size_t max) {
  std::vector<HttpResponse> out;
  std::size_t pos = 0;
  while (pos < s.size() && out.size() < max) {
    if (!s.substr(pos).starts_with("HTTP/1.")) break;
    auto m = ReadMessage(s, pos, false);
    if (!m) break;
    HttpResponse r;
    const std::size_t sp = m->start.find(' ');
    if (sp == std::string_view::npos) break;
    std::from_chars(m->start.data() + sp + 1, m->start.data() + m->start.size(), r.status);
    r.content_type = std::string(Header(*m, "Content-Type"));
    r.content_disposition = std::string(Header(*m, "Content-Disposition"));
    r.content_length = m->body_declared;
    r.body_start = m->body.substr(0, 64);
    r.offset = pos;
    out.push_back(std::move(r));
    if (m->next <= pos) break;
    pos = m->next;
  }
  return out;
}

std::string UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && Hex(s[i + 1]) >= 0 && Hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
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
      const std::string decoded = UrlDecode(value);
      fn(key_buf, decoded, i);
    } else {
      fn(key_buf, value, i);
    }
    i = p;
  }
}

}  // namespace iotcop::traffic
