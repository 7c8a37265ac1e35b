#include "verdict/applicability.h"

#include "core/fact_kinds.h"

namespace iotcop {

std::optional<PropertyValue> ResolveProperty(const FactStore& facts, std::string_view name) {
  const Fact* evidence = nullptr;
  const Fact* declared = nullptr;
  for (const Fact* f : facts.OfKind(facts::kProperty)) {
    if (f->value.value("name", "") != name) continue;
    if (f->evidence.source == InputKind::kDeclaration) {
      if (!declared) declared = f;
    } else if (!evidence) {
      evidence = f;
    }
  }
  const Fact* chosen = evidence ? evidence : declared;
  if (!chosen) return std::nullopt;
  PropertyValue v;
  v.value = chosen->value.value("value", false);
  v.reason = chosen->value.value("reason", "");
  v.basis.push_back(chosen->id);
  if (evidence && declared &&
      evidence->value.value("value", false) != declared->value.value("value", false)) {
    v.conflict = "the declaration says " +
                 std::string(declared->value.value("value", false) ? "yes" : "no") +
                 ", the evidence says " + (v.value ? "yes" : "no");
    v.basis.push_back(declared->id);
  }
  return v;
}

}  // namespace iotcop
