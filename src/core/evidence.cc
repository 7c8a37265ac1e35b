#include "core/evidence.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace iotcop {

const char* InputKindName(InputKind k) {
  switch (k) {
    case InputKind::kFirmware:
      return "firmware";
    case InputKind::kNetwork:
      return "network";
    case InputKind::kTraffic:
      return "traffic";
    case InputKind::kDeclaration:
      return "declaration";
  }
  return "unknown";
}

std::string Evidence::Locator() const {
  std::string out = input;
  if (!endpoint.empty()) out += (out.empty() ? "" : " ") + endpoint;
  if (!path.empty()) out += "!" + path;
  if (line) out += fmt::format(":{}", *line);
  if (offset) out += fmt::format("@{:#x}", *offset);
  if (packet) out += fmt::format(" packet {}", *packet);
  if (!emulated.empty()) out += " (emulated: " + emulated + ")";
  return out;
}

void to_json(nlohmann::json& j, const Evidence& e) {
  j = nlohmann::json::object();
  j["source"] = InputKindName(e.source);
  j["input"] = e.input;
  if (!e.path.empty()) j["path"] = e.path;
  if (e.offset) j["offset"] = *e.offset;
  if (e.line) j["line"] = *e.line;
  if (!e.endpoint.empty()) j["endpoint"] = e.endpoint;
  if (e.packet) j["packet"] = *e.packet;
  if (!e.excerpt.empty()) j["excerpt"] = e.excerpt;
  if (!e.emulated.empty()) j["emulated"] = e.emulated;
  j["locator"] = e.Locator();
}

std::string BoundExcerpt(std::string_view text, std::size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max) + 3);
  for (char c : text.substr(0, std::min(text.size(), max))) {
    const auto u = static_cast<unsigned char>(c);
    if (u == '\t' || u >= 0x20) {
      out.push_back(u == 0x7f ? '?' : c);
    } else if (u == '\n' || u == '\r') {
      out.push_back(' ');
    } else {
      out.push_back('.');
    }
  }
  if (text.size() > max) {
    // Do not leave half a UTF-8 sequence at the cut.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80)) out.pop_back();
    out += "…";
  }
  return out;
}

std::string Redact(std::string_view secret) {
  if (secret.empty()) return "(empty)";
  std::string shown;
  if (secret.size() > 3 && secret[0] == '$') {
    // Keep "$id$" of a crypt hash: the scheme is evidence, the hash is the secret.
    const auto second = secret.find('$', 1);
    if (second != std::string_view::npos && second < 8)
      shown = std::string(secret.substr(0, second + 1));
  } else if (secret.size() >= 8) {
    shown = std::string(secret.substr(0, 2));
  }
  return fmt::format("{}…({} chars, redacted)", shown, secret.size());
}

}  // namespace iotcop
