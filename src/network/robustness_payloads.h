// File: network/robustness_payloads.h
// The payloads of the robustness campaign, loaded from rules/robustness.yaml, and the expansion
// of their placeholders ({host}, {marker}, {repeat N TEXT}, {hex HEX}). Bounded: a payload never
// grows past 1 MiB.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace iotcop::network {

struct Payload {
  std::string id;
  std::string send;  // the template, placeholders unexpanded
};
struct Batch {
  std::string name;
  std::vector<Payload> payloads;
};
// protocol (http, upnp, mqtt, coap) -> batches, in file order.
using PayloadSet = std::map<std::string, std::vector<Batch>>;

Result<PayloadSet> LoadPayloads(const std::string& path);
// The bytes of one payload; an Error names the payload and the offset of a bad placeholder.
Result<std::string> ExpandPayload(std::string_view tmpl, std::string_view host,
                                  std::string_view marker, const std::string& id);

}  // namespace iotcop::network
