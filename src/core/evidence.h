// File: core/evidence.h
// Evidence lets a reader reproduce a fact or finding: which input, where in it (path and offset or
// line, host and port, packet number) and a short excerpt with secrets redacted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace iotcop {

enum class InputKind { kFirmware, kNetwork, kTraffic, kDeclaration };
const char* InputKindName(InputKind k);

struct Evidence {
  InputKind source = InputKind::kFirmware;
  std::string input;                    // the user's input: image path, host, capture, declaration
  std::string path;                     // path inside the input (file in the unpacked tree)
  std::optional<std::uint64_t> offset;  // byte offset within `path` (or within input if no path)
  std::optional<std::uint32_t> line;    // 1-based line within `path`
  std::string endpoint;                 // host:port/proto for live evidence
  std::optional<std::uint64_t> packet;  // 1-based packet number in a capture
  std::string excerpt;                  // bounded, secrets redacted
  // Live evidence obtained from the firmware's own service run under emulation (emulate/): the
  // service's command line. Empty for a real device, a capture or the files of an image.
  std::string emulated;

  // One line for people: "fw.bin!/etc/shadow:1: root:$6$…"
  std::string Locator() const;
};

void to_json(nlohmann::json& j, const Evidence& e);

// Excerpts are cut to this many bytes, at a UTF-8 boundary, with an ellipsis.
inline constexpr std::size_t kMaxExcerpt = 240;
std::string BoundExcerpt(std::string_view text, std::size_t max = kMaxExcerpt);

// Replaces a secret by a hint that shows its kind and length but not its value:
// "ad…(5 chars, redacted)". Hash strings keep their scheme prefix ("$6$…").
std::string Redact(std::string_view secret);

}  // namespace iotcop
