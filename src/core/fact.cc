#include "core/fact.h"

namespace iotcop {

FactId FactStore::Add(std::string kind, nlohmann::json value, Evidence evidence,
                      std::string collector) {
  const FactId id = facts_.size();
  by_kind_[kind].push_back(id);
  facts_.push_back(
      Fact{id, std::move(kind), std::move(value), std::move(evidence), std::move(collector)});
  return id;
}

void FactStore::Merge(FactStore&& other) {
  for (auto& f : other.facts_)
    Add(std::move(f.kind), std::move(f.value), std::move(f.evidence), std::move(f.collector));
  other.facts_.clear();
  other.by_kind_.clear();
}

std::vector<const Fact*> FactStore::OfKind(std::string_view kind) const {
  std::vector<const Fact*> out;
  auto it = by_kind_.find(std::string(kind));
  if (it == by_kind_.end()) return out;
  out.reserve(it->second.size());
  for (FactId id : it->second) out.push_back(&facts_[id]);
  return out;
}

bool FactStore::Has(std::string_view kind) const {
  auto it = by_kind_.find(std::string(kind));
  return it != by_kind_.end() && !it->second.empty();
}

void to_json(nlohmann::json& j, const Fact& f) {
  j = nlohmann::json{{"id", f.id},
                     {"kind", f.kind},
                     {"value", f.value},
                     {"evidence", f.evidence},
                     {"collector", f.collector}};
}

std::string FieldText(const nlohmann::json& value, const char* key) {
  if (!value.is_object()) return {};
  const auto it = value.find(key);
  if (it == value.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  return it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace iotcop
