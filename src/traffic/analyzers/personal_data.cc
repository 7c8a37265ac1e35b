// File: traffic/analyzers/personal_data.cc
// Personal data (FindPersonalData: e-mail and MAC addresses, phone numbers, GPS coordinates, Wi-Fi
// names and keys) as personal_data facts. The scan with its redacted excerpts serves the other
// analyzers too (HTTP bodies and targets, MQTT and CoAP payloads); as an analyzer of its own it
// reads the device's direction of a cleartext flow no other analyzer has read in its own terms.
#include <algorithm>

#include "core/fact_kinds.h"
#include "traffic/analyzers/analyzer.h"
#include "traffic/parsers.h"

namespace iotcop::traffic::analyzers {
namespace {

// The field name before a value at `off` (back to the previous separator, at most 24 bytes) and the
// value redacted: `"psk":"co…(21 chars, redacted)`. Nothing else of the payload, so no other
// secret or personal data near it can leak into the excerpt.
std::string RedactedExcerpt(std::string_view text, std::uint64_t off, std::string_view value) {
  const std::size_t at = static_cast<std::size_t>(std::min<std::uint64_t>(off, text.size()));
  std::size_t b = at;
  while (b > 0 && at - b < 24) {
    const char c = text[b - 1];
    if (c == '&' || c == ',' || c == '{' || c == '\n' || c == '?' || c == ';') break;
    --b;
  }
  // A field's hit is at its key: show the key and what separates it from the value.
  std::size_t v = value.empty() ? std::string_view::npos : text.find(value, at);
  if (v == std::string_view::npos || v - at > 80) v = at;
  std::string out(text.substr(b, v - b));
  for (auto& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return BoundExcerpt(out + Redact(value));
}

class PersonalDataAnalyzer : public StreamAnalyzer {
 public:
  bool Applies(const Conversation& c) const override { return !c.payload_scanned; }

  Next Analyse(Context& cx, Conversation& c) override {
    const Stream& out = c.flow.device_is_client ? c.client : c.server;
    PersonalDataIn(cx, c.flow, out.data(), &out, c.flow.protocol, 0);
    return Next::kContinue;
  }
};

}  // namespace

void PersonalDataIn(Context& cx, const FlowInfo& f, std::string_view text, const Stream* stream,
                    std::string protocol, std::uint64_t packet) {
  for (const auto& hit : FindPersonalData(text, 16)) {
    const std::uint64_t pkt = stream ? stream->PacketAt(hit.offset) : packet;
    const bool sent = f.device_is_client;  // the device's own direction is scanned
    cx.AddFact(facts::kPersonalData,
               {{"type", hit.type},
                {"value", Redact(hit.value)},
                {"protocol", protocol},
                {"device", ToString(f.device)},
                {"peer", ToString(f.device_is_client ? f.server : f.client)},
                {"port", f.sport},
                {"direction", sent ? "sent" : "received"}},
               cx.At(f, pkt, RedactedExcerpt(text, hit.offset, hit.value), f.device_is_client));
  }
}

std::unique_ptr<StreamAnalyzer> MakePersonalDataAnalyzer() {
  return std::make_unique<PersonalDataAnalyzer>();
}

}  // namespace iotcop::traffic::analyzers
