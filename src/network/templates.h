// File: network/templates.h
// Probe templates: unauthenticated requests as data (rules/templates/*.yaml and `--templates DIR`),
// each with what it decides or informs (EN 303 645 provisions), when it applies (services from
// identification, ports), the request (HTTP/HTTPS, RTSP, raw TCP, MQTT subscribe after an
// anonymous connect) and matchers over the answer. Every field is listed once in
// TemplateFields(): the validator rejects keys it does not list and docs/templates.md is generated
// from it. A template that does not validate is a problem naming file, line and field; the others
// still load. Matching is pure and bounded (the answer is untrusted: only its first
// kTemplateWindow bytes are matched).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/severity.h"

namespace iotcop::network {

// One field of the template format: the validator's table and the documentation's.
struct TemplateField {
  const char* section;  // "" (top level), "request", "request.discover", "cleanup", "matchers[]"
  const char* name;
  const char* type;
  bool required;
  const char* text;
};
const std::vector<TemplateField>& TemplateFields();

struct TemplateDiscover {          // HTTP only: a first GET whose regex group 1 is the request path
  std::vector<std::string> paths;  // tried in order
  std::regex pattern;
  std::string pattern_text;
};

struct TemplateRequest {
  std::string protocol;            // http (https on a TLS endpoint) | rtsp | tcp | mqtt
  std::string method;              // http: GET...; rtsp: DESCRIBE...
  std::vector<std::string> paths;  // http/rtsp: tried in order until one matches
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;   // http/rtsp body; tcp: the bytes sent ("" = read the banner only)
  std::string topic;  // mqtt
  std::optional<TemplateDiscover> discover;
};

struct TemplateMatcher {
  std::string part;  // status | body | header
  std::vector<int> status;
  std::regex pattern;
  std::string pattern_text;
  bool negative = false;
};

struct Template {
  std::string id, name, description;
  std::vector<std::string> decides, informs;  // EN 303 645 V2.1.1 provision ids
  Severity severity = Severity::kMedium;
  std::vector<std::string> services;
  std::vector<std::uint16_t> ports;
  TemplateRequest request;
  std::optional<TemplateRequest> cleanup;  // http: sent after a match (undo an action)
  bool all = true;                         // condition: all | any
  std::vector<TemplateMatcher> matchers;
  std::optional<std::regex> extract;
  std::string extract_text;
  std::string file;
  int line = 0;
};

// A template that could not be loaded: "file:line: field: message".
struct TemplateProblem {
  std::string file;
  int line = 0;
  std::string field;
  std::string message;
  std::string Describe() const;
};

struct TemplateSet {
  std::vector<Template> templates;
  std::vector<TemplateProblem> problems;
};

// Bytes of an answer the matchers look at.
inline constexpr std::size_t kTemplateWindow = 8192;
// Files larger than this are refused (a template file is hand-written data).
inline constexpr std::size_t kMaxTemplateFile = 1 << 20;

// Parses one YAML document holding `templates:` (a list). `provisions` are the known provision
// ids (empty: not checked). Valid templates are appended to `out.templates`, problems to
// `out.problems`; an id already in `out` is a problem.
void ParseTemplates(std::string_view yaml, const std::string& file,
                    const std::set<std::string>& provisions, TemplateSet& out);
// Every *.yaml / *.yml of `dir` (sorted by name), or one file.
void LoadTemplates(const std::filesystem::path& dir_or_file,
                   const std::set<std::string>& provisions, TemplateSet& out);
// The built-in folder: rules/templates of DataDir().
std::filesystem::path BuiltinTemplateDir();

// What came back from one request, as the matchers see it.
struct TemplateAnswer {
  int status = 0;       // HTTP/RTSP status, MQTT CONNACK code; 0 for raw TCP
  std::string headers;  // "name: value\n" lines, names lower-cased
  std::string body;     // HTTP/RTSP body, raw TCP bytes, MQTT "topic payload" lines
};

// The matchers of `t` over `a`: nullopt when it does not match, else the evidence excerpt (the
// `extract` group or the first body/header match with some context; secrets redacted; bounded).
std::optional<std::string> MatchTemplate(const Template& t, const TemplateAnswer& a);

// `text` with the values of password-, key- and token-like fields replaced by "<redacted>".
std::string RedactSecrets(std::string_view text);

// "{{address}}", "{{port}}", "{{host}}" (address:port) and "{{local_address}}" replaced.
struct TemplateVars {
  std::string address, host, local_address;
  std::uint16_t port = 0;
};
std::string ExpandTemplate(std::string_view text, const TemplateVars& v);

}  // namespace iotcop::network
