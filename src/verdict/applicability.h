// File: verdict/applicability.h
// Conditions ("M C (5)": the device is not constrained) are tested against product properties.
// A property is a fact of kind "property" {name, value: bool, reason}. Evidence from the product
// (firmware, network, traffic) outranks the manufacturer's declaration; a disagreement is noted.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/fact.h"

namespace iotcop {

// The properties conditions refer to (the `property:` of a catalogue condition).
//   passwords_used, preinstalled_passwords, software_updatable, constrained, telemetry_collected,
//   consent_basis, user_authentication, automatic_updates, hardcoded_identity,
//   updates_over_network, update_mechanism, debug_interface_physical
struct PropertyValue {
  bool value = false;
  std::string reason;
  std::vector<FactId> basis;
  std::string conflict;  // set when the declaration and the evidence disagree
};

std::optional<PropertyValue> ResolveProperty(const FactStore& facts, std::string_view name);

}  // namespace iotcop
