// File: network/probes.h
// Service identification as data: the probes of rules/probes.yaml (what to send, which ports they
// are tried first on, regexes over the answer -> service, product, version) and the matcher that
// reads a device's answer against them. The answer is untrusted: only its first 4 KiB are read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace iotcop::network {

struct ProbeMatch {
  std::string service;
  std::regex pattern;
  std::string pattern_text;
  std::string product, version;  // literal or $N templates
  nlohmann::json attrs = nlohmann::json::object();
  bool cleartext = false;
};

struct Probe {
  std::string name;
  std::string transport = "tcp";
  std::vector<std::uint16_t> ports;
  std::string send;
  bool tls = false;
  std::vector<ProbeMatch> matches;
};

struct Identification {
  std::string probe, service, product, version;
  nlohmann::json attrs = nlohmann::json::object();
  bool cleartext = false;
};

// Bytes of an answer the matcher looks at.
inline constexpr std::size_t kMatchWindow = 4096;

Result<std::vector<Probe>> LoadProbes(const std::filesystem::path& file);
// rules/probes.yaml of DataDir(), loaded once.
const Result<std::vector<Probe>>& BuiltinProbes();

// The first match of `probe` on `answer`, or nullopt.
std::optional<Identification> MatchProbe(const Probe& probe, std::string_view answer);

}  // namespace iotcop::network
