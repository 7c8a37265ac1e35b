// File: firmware/yara_rules.h
// libyara behind a small RAII interface: yr_initialize once per process, rule sets compiled once
// (from DataDir()/rules/<folder>/*.yar, each folder a namespace) and scanned over bounded buffers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace iotcop::firmware {

struct RuleMatch {
  std::string ns;    // the folder the rule came from: "credentials", "secrets"
  std::string rule;  // rule identifier
  std::map<std::string, std::string> meta;  // meta: values as text
  std::uint64_t offset = 0;                 // first match of the rule
  std::string data;                         // the matched bytes (libyara caps them)
};

class YaraRules {
 public:
  ~YaraRules();
  YaraRules(const YaraRules&) = delete;
  YaraRules& operator=(const YaraRules&) = delete;

  // Compiles every *.yar of each folder (relative to DataDir()/rules) once per process and
  // returns the shared result; an Error names the rule file and line.
  static Result<std::shared_ptr<const YaraRules>> ForFolders(
      const std::vector<std::string>& folders);
  // Compiles rule text (tests). `ns` is the namespace.
  static Result<std::shared_ptr<const YaraRules>> FromText(const std::string& text,
                                                           const std::string& ns);

  // One match per matching rule (its first string match). Timeout in seconds.
  Result<std::vector<RuleMatch>> Scan(ByteView data, int timeout_s = 10) const;

 private:
  struct Impl;
  explicit YaraRules(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace iotcop::firmware
