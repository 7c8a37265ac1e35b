// File: network/robustness_payloads.cc
#include "network/robustness_payloads.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>

namespace iotcop::network {
namespace {

constexpr std::size_t kMaxPayload = 1 << 20;
constexpr std::size_t kMaxRepeat = 1 << 20;  // N of {repeat N TEXT}, as rules/robustness.yaml says

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

Result<PayloadSet> LoadPayloads(const std::string& path) {
  PayloadSet set;
  try {
    const YAML::Node root = YAML::LoadFile(path);
    if (!root.IsMap()) return MakeError(Errc::kCorrupt, "not a map of protocols", path);
    for (const auto& proto : root) {
      const std::string name = proto.first.as<std::string>();
      if (!proto.second.IsSequence())
        return MakeError(Errc::kCorrupt, name + ": not a list of batches", path);
      for (const auto& b : proto.second) {
        Batch batch;
        batch.name = b["batch"].as<std::string>();
        for (const auto& p : b["payloads"]) {
          batch.payloads.push_back({p["id"].as<std::string>(), p["send"].as<std::string>()});
          if (auto e =
                  ExpandPayload(batch.payloads.back().send, "h", "m", batch.payloads.back().id);
              !e)
            return MakeError(Errc::kCorrupt, e.error().Describe(), path);
        }
        set[name].push_back(std::move(batch));
      }
    }
  } catch (const YAML::Exception& e) {
    return MakeError(Errc::kCorrupt, e.what(), path);
  }
  return set;
}

Result<std::string> ExpandPayload(std::string_view t, std::string_view host,
                                  std::string_view marker, const std::string& id) {
  std::string out;
  std::size_t i = 0;
  while (i < t.size()) {
    if (out.size() > kMaxPayload)
      return MakeError(Errc::kLimitExceeded, "payload over 1 MiB", id, i);
    if (t[i] != '{') {
      out += t[i++];
      continue;
    }
    const auto close = t.find('}', i);
    if (close == std::string_view::npos) return MakeError(Errc::kCorrupt, "unclosed {", id, i);
    const std::string_view body = t.substr(i + 1, close - i - 1);
    if (body == "host") {
      out += host;
    } else if (body == "marker") {
      out += marker;
    } else if (body.starts_with("repeat ")) {
      std::string_view rest = body.substr(7);
      const auto sp = rest.find(' ');
      if (sp == std::string_view::npos)
        return MakeError(Errc::kCorrupt, "{repeat N TEXT} without TEXT", id, i);
      std::size_t n = 0;
      auto [p, ec] = std::from_chars(rest.data(), rest.data() + sp, n);
      if (ec != std::errc() || p != rest.data() + sp)
        return MakeError(Errc::kCorrupt, "{repeat N TEXT}: N is not a number", id, i);
      const std::string_view text = rest.substr(sp + 1);
      // N is bounded first, so N * |TEXT| cannot wrap, and an empty TEXT cannot loop for long.
      if (n > kMaxRepeat)
        return MakeError(Errc::kLimitExceeded, "{repeat N TEXT}: N over 1048576", id, i);
      if (n * text.size() + out.size() > kMaxPayload)
        return MakeError(Errc::kLimitExceeded, "payload over 1 MiB", id, i);
      for (std::size_t k = 0; k < n; ++k) out += text;
    } else if (body.starts_with("hex ")) {
      int hi = -1;
      for (char c : body.substr(4)) {
        if (c == ' ') continue;
        const int d = HexDigit(c);
        if (d < 0) return MakeError(Errc::kCorrupt, "{hex}: not a hex digit", id, i);
        if (hi < 0) {
          hi = d;
        } else {
          out += static_cast<char>(hi * 16 + d);
          hi = -1;
        }
      }
      if (hi >= 0) return MakeError(Errc::kCorrupt, "{hex}: odd number of digits", id, i);
    } else {
      out += t.substr(i, close - i + 1);  // not a placeholder: literal text ({} in JSON...)
    }
    i = close + 1;
  }
  return out;
}

}  // namespace iotcop::network
