// File: network/templates.cc
// Loading, validating and matching probe templates (see templates.h).
#include "network/templates.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/paths.h"

namespace iotcop::network {

const std::vector<TemplateField>& TemplateFields() {
  static const std::vector<TemplateField> kFields = {
      {"", "id", "string", true,
       "unique identifier: lower-case letters, digits, `.`, `-`, `_` (a finding's subject)"},
      {"", "name", "string", true, "what a match shows, as the finding's title begins"},
      {"", "description", "string", true,
       "why it matters: the finding's message (what a lab would write)"},
      {"", "decides", "list of provision ids", false,
       "EN 303 645 V2.1.1 provisions a match FAILs (`5.5-5`); only for evidence a test lab would "
       "sign. At least one of `decides` and `informs`"},
      {"", "informs", "list of provision ids", false,
       "provisions a match only informs (shown under the provision, never a verdict by itself)"},
      {"", "severity", "info | low | medium | high | critical", true, "the finding's severity"},
      {"", "services", "list of strings", false,
       "service names from identification (`http`, `https`, `rtsp`, `mqtt`, `telnet`, `ssh`, "
       "...) it applies to. At least one of `services` and `ports`"},
      {"", "ports", "list of TCP ports", false, "ports it applies to, whatever the service"},
      {"", "request", "map", true, "what to send (below)"},
      {"", "cleanup", "map", false,
       "HTTP only: a request sent after a match to undo what the probe did (`DeletePortMapping` "
       "after an accepted `AddPortMapping`); fields as `request` except `protocol`, `discover`; "
       "its path defaults to the path that matched"},
      {"", "condition", "all | any", false,
       "how the positive matchers combine (default all); any negative matcher that matches "
       "vetoes the match"},
      {"", "matchers", "list of maps", true, "what a success looks like (below)"},
      {"", "extract", "regex", false,
       "what the evidence shows: group 1 (or the whole match) over the body, secrets redacted"},
      {"request", "protocol", "http | rtsp | tcp | mqtt", true,
       "`http` speaks HTTPS on a TLS endpoint; `tcp` sends `send` and reads; `mqtt` connects "
       "without credentials and subscribes to `topic`"},
      {"request", "method", "string", false, "http: default GET; rtsp: default DESCRIBE"},
      {"request", "paths", "list of strings", false,
       "http, rtsp: request paths tried in order until one matches (required for both unless "
       "`discover` gives it)"},
      {"request", "headers", "map", false, "extra request headers (http, rtsp)"},
      {"request", "body", "string", false,
       "request body (http, rtsp; Content-Length is added); `{{address}}`, `{{port}}`, "
       "`{{host}}` and `{{local_address}}` (ours, as the device sees it) are replaced here, in "
       "paths and in headers"},
      {"request", "send", "string", false,
       "tcp: bytes sent after connecting (YAML double-quoted escapes); empty: read the banner"},
      {"request", "topic", "string", false, "mqtt: the topic filter subscribed to (required)"},
      {"request", "discover", "map", false,
       "http: find the path first (a UPnP control URL in a device description)"},
      {"request.discover", "paths", "list of strings", true, "paths fetched with GET in order"},
      {"request.discover", "pattern", "regex", true,
       "over the first answer with status 200; group 1 is the request path (a full URL is cut "
       "to its path)"},
      {"matchers[]", "status", "list of integers", false,
       "status codes (HTTP, RTSP; MQTT: the CONNACK code)"},
      {"matchers[]", "body", "regex", false,
       "ECMAScript regex searched in the body (raw TCP: the bytes; MQTT: `topic payload` lines)"},
      {"matchers[]", "header", "regex", false, "searched in the `name: value` header lines"},
      {"matchers[]", "negative", "bool", false,
       "true: the template does not match when this matcher does (a login page answered with "
       "200). Each matcher has exactly one of `status`, `body`, `header`"},
  };
  return kFields;
}

std::string TemplateProblem::Describe() const {
  return fmt::format("{}:{}: {}: {}", file, line, field.empty() ? "template" : field, message);
}

std::filesystem::path BuiltinTemplateDir() { return DataDir() / "rules" / "templates"; }

namespace {

// One template's validation: the first problem found is kept.
struct TplReader {
  const std::string& file;
  const std::set<std::string>& provisions;
  std::optional<TemplateProblem> problem;

  bool Fail(const YAML::Node& at, const std::string& field, std::string message) {
    if (!problem)
      problem =
          TemplateProblem{file, static_cast<int>(at.Mark().line) + 1, field, std::move(message)};
    return false;
  }
  bool KnownKeys(const YAML::Node& map, const std::string& section, const std::string& prefix) {
    if (!map.IsMap()) return Fail(map, prefix.empty() ? section : prefix, "expected a map");
    for (const auto& kv : map) {
      const std::string key = kv.first.Scalar();
      const auto& f = TemplateFields();
      const bool known = std::any_of(f.begin(), f.end(), [&](const TemplateField& x) {
        return x.section == section && key == x.name;
      });
      if (!known) return Fail(kv.first, prefix + key, "unknown key");
    }
    for (const auto& x : TemplateFields()) {
      // A cleanup request is http and has no protocol of its own.
      if (prefix == "cleanup." && std::string_view(x.name) == "protocol") continue;
      if (x.section == section && x.required && !map[x.name])
        return Fail(map, prefix + x.name, "missing");
    }
    return true;
  }
  bool Str(const YAML::Node& n, const std::string& field, std::string& out) {
    if (!n.IsScalar()) return Fail(n, field, "expected a string");
    out = n.Scalar();
    return true;
  }
  bool StrList(const YAML::Node& n, const std::string& field, std::vector<std::string>& out) {
    if (!n.IsSequence() || n.size() == 0) return Fail(n, field, "expected a non-empty list");
    if (n.size() > 64) return Fail(n, field, "more than 64 entries");
    for (const auto& x : n) {
      if (!x.IsScalar() || x.Scalar().empty()) return Fail(x, field, "expected a string");
      out.push_back(x.Scalar());
    }
    return true;
  }
  bool Regex(const YAML::Node& n, const std::string& field, std::regex& re, std::string& text) {
    if (!Str(n, field, text)) return false;
    if (text.size() > 1024) return Fail(n, field, "regex longer than 1024 characters");
    try {
      re = std::regex(text, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return Fail(n, field, fmt::format("bad regex '{}': {}", text, e.what()));
    }
    return true;
  }
  bool Provisions(const YAML::Node& n, const std::string& field, std::vector<std::string>& out) {
    if (!StrList(n, field, out)) return false;
    for (const auto& p : out) {
      if (!provisions.empty() && !provisions.contains(p))
        return Fail(n, field, fmt::format("unknown provision '{}' (EN 303 645 V2.1.1 ids)", p));
    }
    return true;
  }

  bool Request(const YAML::Node& n, const std::string& section, TemplateRequest& r) {
    const std::string pre = section + ".";
    if (!KnownKeys(n, "request", pre)) return false;
    if (section == "cleanup") {
      if (n["protocol"]) return Fail(n["protocol"], pre + "protocol", "not allowed in cleanup");
      if (n["discover"]) return Fail(n["discover"], pre + "discover", "not allowed in cleanup");
      r.protocol = "http";
    } else if (!Str(n["protocol"], pre + "protocol", r.protocol)) {
      return false;
    }
    static const std::set<std::string> kProtocols = {"http", "rtsp", "tcp", "mqtt"};
    if (!kProtocols.contains(r.protocol))
      return Fail(n["protocol"], pre + "protocol", "expected http, rtsp, tcp or mqtt");
    const bool web = r.protocol == "http" || r.protocol == "rtsp";
    r.method = r.protocol == "rtsp" ? "DESCRIBE" : "GET";
    if (n["method"]) {
      if (!web) return Fail(n["method"], pre + "method", "only for http and rtsp");
      if (!Str(n["method"], pre + "method", r.method)) return false;
      if (r.method.empty() || r.method.size() > 32 ||
          !std::all_of(r.method.begin(), r.method.end(),
                       [](char c) { return (c >= 'A' && c <= 'Z') || c == '-' || c == '_'; }))
        return Fail(n["method"], pre + "method", "expected an upper-case token");
    }
    if (n["paths"]) {
      if (!web) return Fail(n["paths"], pre + "paths", "only for http and rtsp");
      if (!StrList(n["paths"], pre + "paths", r.paths)) return false;
      for (const auto& p : r.paths)
        if (p.front() != '/') return Fail(n["paths"], pre + "paths", "a path starts with /");
    }
    if (n["headers"]) {
      if (!web) return Fail(n["headers"], pre + "headers", "only for http and rtsp");
      if (!n["headers"].IsMap()) return Fail(n["headers"], pre + "headers", "expected a map");
      for (const auto& kv : n["headers"]) {
        if (!kv.second.IsScalar()) return Fail(kv.second, pre + "headers", "expected a string");
        const std::string name = kv.first.Scalar(), value = kv.second.Scalar();
        if (name.empty() || name.find_first_of(":\r\n ") != std::string::npos ||
            value.find_first_of("\r\n") != std::string::npos)
          return Fail(kv.first, pre + "headers", "bad header '" + name + "'");
        r.headers.emplace_back(name, value);
      }
    }
    if (n["body"]) {
      if (!web) return Fail(n["body"], pre + "body", "only for http and rtsp");
      if (!Str(n["body"], pre + "body", r.body)) return false;
    }
    if (n["send"]) {
      if (r.protocol != "tcp") return Fail(n["send"], pre + "send", "only for tcp");
      if (!Str(n["send"], pre + "send", r.body)) return false;
    }
    if (n["topic"]) {
      if (r.protocol != "mqtt") return Fail(n["topic"], pre + "topic", "only for mqtt");
      if (!Str(n["topic"], pre + "topic", r.topic)) return false;
    }
    if (r.protocol == "mqtt" && r.topic.empty())
      return Fail(n, pre + "topic", "missing (mqtt subscribes to it)");
    if (n["discover"]) {
      if (r.protocol != "http") return Fail(n["discover"], pre + "discover", "only for http");
      const YAML::Node d = n["discover"];
      if (!KnownKeys(d, "request.discover", pre + "discover.")) return false;
      TemplateDiscover td;
      if (!StrList(d["paths"], pre + "discover.paths", td.paths)) return false;
      if (!Regex(d["pattern"], pre + "discover.pattern", td.pattern, td.pattern_text)) return false;
      if (td.pattern.mark_count() < 1)
        return Fail(d["pattern"], pre + "discover.pattern", "needs a group (the path)");
      r.discover = std::move(td);
    }
    if (web && section == "request" && r.paths.empty() && !r.discover)
      return Fail(n, pre + "paths", "missing (or `discover`)");
    return true;
  }

  std::optional<Template> Read(const YAML::Node& n) {
    Template t;
    t.file = file;
    t.line = static_cast<int>(n.Mark().line) + 1;
    if (!KnownKeys(n, "", "")) return std::nullopt;
    if (!Str(n["id"], "id", t.id) || !Str(n["name"], "name", t.name) ||
        !Str(n["description"], "description", t.description))
      return std::nullopt;
    if (t.id.empty() || t.id.size() > 80 || !std::all_of(t.id.begin(), t.id.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                 c == '_';
        })) {
      Fail(n["id"], "id", "expected lower-case letters, digits, '.', '-', '_'");
      return std::nullopt;
    }
    if (n["decides"] && !Provisions(n["decides"], "decides", t.decides)) return std::nullopt;
    if (n["informs"] && !Provisions(n["informs"], "informs", t.informs)) return std::nullopt;
    if (t.decides.empty() && t.informs.empty()) {
      Fail(n, "decides", "missing: a template decides or informs at least one provision");
      return std::nullopt;
    }
    std::string sev;
    if (!Str(n["severity"], "severity", sev)) return std::nullopt;
    auto s = ParseSeverity(sev);
    if (!s) {
      Fail(n["severity"], "severity", "expected info, low, medium, high or critical");
      return std::nullopt;
    }
    t.severity = *s;
    if (n["services"] && !StrList(n["services"], "services", t.services)) return std::nullopt;
    if (n["ports"]) {
      const YAML::Node p = n["ports"];
      if (!p.IsSequence() || p.size() == 0 || p.size() > 64) {
        Fail(p, "ports", "expected a list of 1 to 64 ports");
        return std::nullopt;
      }
      for (const auto& x : p) {
        int v = 0;
        if (!x.IsScalar() || !YAML::convert<int>::decode(x, v) || v < 1 || v > 65535) {
          Fail(x, "ports", "expected a port 1-65535");
          return std::nullopt;
        }
        t.ports.push_back(static_cast<std::uint16_t>(v));
      }
    }
    if (t.services.empty() && t.ports.empty()) {
      Fail(n, "services", "missing: a template names the services or ports it applies to");
      return std::nullopt;
    }
    if (!Request(n["request"], "request", t.request)) return std::nullopt;
    if (n["cleanup"]) {
      if (t.request.protocol != "http") {
        Fail(n["cleanup"], "cleanup", "only for http");
        return std::nullopt;
      }
      TemplateRequest c;
      if (!Request(n["cleanup"], "cleanup", c)) return std::nullopt;
      t.cleanup = std::move(c);
    }
    if (n["condition"]) {
      std::string c;
      if (!Str(n["condition"], "condition", c)) return std::nullopt;
      if (c != "all" && c != "any") {
        Fail(n["condition"], "condition", "expected all or any");
        return std::nullopt;
      }
      t.all = c == "all";
    }
    const YAML::Node ms = n["matchers"];
    if (!ms.IsSequence() || ms.size() == 0 || ms.size() > 32) {
      Fail(ms, "matchers", "expected a list of 1 to 32 matchers");
      return std::nullopt;
    }
    for (std::size_t i = 0; i < ms.size(); ++i) {
      const YAML::Node m = ms[i];
      const std::string pre = fmt::format("matchers[{}].", i);
      if (!KnownKeys(m, "matchers[]", pre)) return std::nullopt;
      TemplateMatcher tm;
      int parts = 0;
      if (m["status"]) {
        ++parts;
        tm.part = "status";
        const YAML::Node st = m["status"];
        if (!st.IsSequence() || st.size() == 0) {
          Fail(st, pre + "status", "expected a list of status codes");
          return std::nullopt;
        }
        for (const auto& x : st) {
          int v = 0;
          if (!x.IsScalar() || !YAML::convert<int>::decode(x, v) || v < 0 || v > 999) {
            Fail(x, pre + "status", "expected a status code 0-999");
            return std::nullopt;
          }
          tm.status.push_back(v);
        }
      }
      for (const char* part : {"body", "header"}) {
        if (!m[part]) continue;
        ++parts;
        tm.part = part;
        if (!Regex(m[part], pre + part, tm.pattern, tm.pattern_text)) return std::nullopt;
      }
      if (parts != 1) {
        Fail(m, pre + "status", "exactly one of status, body, header");
        return std::nullopt;
      }
      if (m["negative"]) {
        if (!m["negative"].IsScalar() || !YAML::convert<bool>::decode(m["negative"], tm.negative)) {
          Fail(m["negative"], pre + "negative", "expected true or false");
          return std::nullopt;
        }
      }
      t.matchers.push_back(std::move(tm));
    }
    if (std::all_of(t.matchers.begin(), t.matchers.end(),
                    [](const TemplateMatcher& m) { return m.negative; })) {
      Fail(ms, "matchers", "needs at least one positive matcher");
      return std::nullopt;
    }
    if (n["extract"]) {
      std::regex re;
      if (!Regex(n["extract"], "extract", re, t.extract_text)) return std::nullopt;
      t.extract = std::move(re);
    }
    return t;
  }
};

// Searches `re` in `text`; std::regex's own limits on hostile input count as no match.
bool TplSearch(const std::string& text, const std::regex& re, std::smatch& m) {
  try {
    return std::regex_search(text, m, re);
  } catch (const std::regex_error&) {
    return false;
  }
}

// Printable, one line, at most 240 bytes.
std::string TplPrintable(std::string_view s) {
  std::string out;
  for (unsigned char c : s.substr(0, 240)) {
    if (c == '\r') continue;
    out += (c == '\n' || c == '\t') ? ' ' : (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
  }
  return out;
}

// A match with up to `context` bytes either side.
std::string TplExcerpt(const std::string& text, const std::smatch& m, std::size_t context) {
  const auto pos = static_cast<std::size_t>(m.position(0));
  const std::size_t from = pos > context ? pos - context : 0;
  const std::size_t len = static_cast<std::size_t>(m.length(0)) + (pos - from) + context;
  return TplPrintable(std::string_view(text).substr(from, len));
}

}  // namespace

void ParseTemplates(std::string_view yaml, const std::string& file,
                    const std::set<std::string>& provisions, TemplateSet& out) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    out.problems.push_back({file, e.mark.line + 1, "", "not YAML: " + e.msg});
    return;
  }
  try {
    if (!root.IsMap() || !root["templates"] || !root["templates"].IsSequence()) {
      out.problems.push_back({file, 1, "templates", "expected a map with a `templates:` list"});
      return;
    }
    for (const auto& k : root) {
      if (k.first.Scalar() != "templates")
        out.problems.push_back({file, static_cast<int>(k.first.Mark().line) + 1, k.first.Scalar(),
                                "unknown key (expected only `templates`)"});
    }
    for (const auto& n : root["templates"]) {
      TplReader r{file, provisions, std::nullopt};
      std::optional<Template> t;
      try {
        t = r.Read(n);
      } catch (const YAML::Exception& e) {
        r.Fail(n, "", e.msg);
      }
      if (!t) {
        out.problems.push_back(r.problem
                                   ? *r.problem
                                   : TemplateProblem{file, static_cast<int>(n.Mark().line) + 1, "",
                                                     "invalid template"});
        continue;
      }
      auto same = std::find_if(out.templates.begin(), out.templates.end(),
                               [&](const Template& x) { return x.id == t->id; });
      if (same != out.templates.end()) {
        out.problems.push_back(
            {file, t->line, "id",
             fmt::format("duplicate id '{}' (first at {}:{})", t->id, same->file, same->line)});
        continue;
      }
      out.templates.push_back(std::move(*t));
    }
  } catch (const YAML::Exception& e) {
    out.problems.push_back({file, e.mark.line + 1, "", e.msg});
  }
}

void LoadTemplates(const std::filesystem::path& dir_or_file,
                   const std::set<std::string>& provisions, TemplateSet& out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> files;
  if (fs::is_directory(dir_or_file, ec)) {
    for (const auto& e : fs::directory_iterator(dir_or_file, ec)) {
      const auto ext = e.path().extension();
      if (e.is_regular_file(ec) && (ext == ".yaml" || ext == ".yml")) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
  } else if (fs::is_regular_file(dir_or_file, ec)) {
    files.push_back(dir_or_file);
  } else {
    out.problems.push_back({dir_or_file.string(), 0, "", "no such folder or file"});
    return;
  }
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string text(kMaxTemplateFile + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (!in.eof() && text.size() > kMaxTemplateFile) {
      out.problems.push_back({f.string(), 0, "", "larger than 1 MiB"});
      continue;
    }
    ParseTemplates(text, f.string(), provisions, out);
  }
}

std::optional<std::string> MatchTemplate(const Template& t, const TemplateAnswer& a) {
  const std::string body = a.body.substr(0, kTemplateWindow);
  const std::string headers = a.headers.substr(0, kTemplateWindow);
  std::string excerpt;
  bool any = false, all = true;
  for (const auto& m : t.matchers) {
    bool hit = false;
    std::smatch sm;
    if (m.part == "status") {
      hit = std::find(m.status.begin(), m.status.end(), a.status) != m.status.end();
    } else {
      const std::string& text = m.part == "body" ? body : headers;
      hit = TplSearch(text, m.pattern, sm);
      if (hit && !m.negative && excerpt.empty()) excerpt = TplExcerpt(text, sm, 40);
    }
    if (m.negative) {
      if (hit) return std::nullopt;
      continue;
    }
    any = any || hit;
    all = all && hit;
  }
  if (!(t.all ? all : any)) return std::nullopt;
  if (t.extract) {
    std::smatch sm;
    if (TplSearch(body, *t.extract, sm)) {
      excerpt = TplPrintable(sm.size() > 1 && sm[1].matched ? sm[1].str() : sm[0].str());
    }
  }
  if (excerpt.empty()) excerpt = fmt::format("status {}", a.status);
  return RedactSecrets(excerpt);
}

std::string RedactSecrets(std::string_view text) {
  // name=value, name: value, "name":"value", <Name>value</Name>; the value up to a delimiter.
  static const std::regex kSecret(
      R"(((?:pass(?:word|wd|phrase)?|pwd|psk|secret|token|(?:wifi|wlan|wep|wpa|api|private|auth|secret)[_-]?key)[^=:<>"'\s]{0,16}(?:"?\s*[=:]\s*"?|>))([^\s"'<&,;]+))",
      std::regex::ECMAScript | std::regex::icase);
  try {
    return std::regex_replace(std::string(text.substr(0, 4 * kTemplateWindow)), kSecret,
                              "$1<redacted>");
  } catch (const std::regex_error&) {
    return "<redacted: excerpt too complex to scan for secrets>";
  }
}

std::string ExpandTemplate(std::string_view text, const TemplateVars& v) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    auto try_var = [&](std::string_view name, const std::string& value) {
      if (text.substr(i).starts_with(name)) {
        out += value;
        i += name.size();
        return true;
      }
      return false;
    };
    if (try_var("{{address}}", v.address) || try_var("{{host}}", v.host) ||
        try_var("{{port}}", std::to_string(v.port)) ||
        try_var("{{local_address}}", v.local_address))
      continue;
    out += text[i++];
  }
  return out;
}

}  // namespace iotcop::network
