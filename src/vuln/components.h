// File: vuln/components.h
// The component signatures of rules/components.yaml, loaded once: CPE identity, package names,
// file name patterns and version regexes (see the file's header for the fields), and the names a
// live service announces itself by (`services`: SSH identification, HTTP/RTSP Server headers, FTP
// greetings, SSDP SERVER tokens). Also the CPE and purl spelling every component fact uses. The
// firmware collectors and the live-service matcher (network/vulnerabilities.cc) share them.
#pragma once

#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "core/result.h"

namespace iotcop::vuln {

struct ComponentRule {
  std::string name, vendor, product, part = "a", type = "library";
  std::vector<std::string> packages;
  std::vector<std::string> services;  // product names of live banners, lower case (and `name`)
  std::vector<std::string> files;     // fnmatch patterns on base names
  std::string hint;
  std::optional<std::regex> version;
  std::optional<std::regex> paths;
  std::string paths_prefix;  // the literal start of `paths` ("/lib/modules/"): a cheap prefilter
  bool blobs = false;
};

Result<std::vector<ComponentRule>> LoadComponentRules(const std::filesystem::path& file);
// rules/components.yaml of DataDir(), loaded on first use (an error is returned every time).
const Result<std::vector<ComponentRule>>& BuiltinComponentRules();

// The rule whose name or one of whose `services` equals `product` (case-insensitive), if any.
const ComponentRule* FindServiceComponent(const std::vector<ComponentRule>& rules,
                                          std::string_view product);

// cpe:2.3:<part>:<vendor>:<product>:<version>:*:*:*:*:*:*:* with CPE escaping; empty when the
// rule has no vendor/product or the version is unknown.
std::string MakeCpe(const ComponentRule& rule, std::string_view version);
// pkg:<type>/<namespace>/<name>@<version> with percent-encoding.
std::string MakePurl(std::string_view type, std::string_view ns, std::string_view name,
                     std::string_view version);

}  // namespace iotcop::vuln
