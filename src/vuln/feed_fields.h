// File: vuln/feed_fields.h
// Type-checked reading of the fields of one record of a feed (NVD, OSV, CISA KEV): a field of the
// wrong JSON type is noted with its path ("configurations[0].nodes[1].cpeMatch[2].vulnerable:
// expected boolean, got string") and read as absent, so nothing here throws; the reader skips a
// record with a note and reports it (docs/vulndb.md, "Bad feeds").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace iotcop::vuln {

class FeedFields {
 public:
  std::vector<std::string> problems;

  static std::string Member(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }
  static std::string Element(const std::string& path, std::size_t i) {
    return fmt::format("{}[{}]", path, i);
  }
  // True when `j` (at `path`) has the type `want`; else notes it.
  bool Is(const nlohmann::json& j, const std::string& path, nlohmann::json::value_t want) {
    const bool ok =
        want == nlohmann::json::value_t::number_float ? j.is_number() : j.type() == want;
    if (!ok) {
      problems.push_back(
          fmt::format("{}: expected {}, got {}", path, TypeName(want), j.type_name()));
    }
    return ok;
  }
  // The member `key` of the object `obj` when present with the type `want`, else nullptr.
  const nlohmann::json* Get(const nlohmann::json& obj, const std::string& path, const char* key,
                            nlohmann::json::value_t want) {
    auto it = obj.find(key);
    if (it == obj.end() || !Is(*it, Member(path, key), want)) return nullptr;
    return &*it;
  }
  std::string Str(const nlohmann::json& obj, const std::string& path, const char* key) {
    const nlohmann::json* j = Get(obj, path, key, nlohmann::json::value_t::string);
    return j ? j->get_ref<const std::string&>() : std::string();
  }
  bool Bool(const nlohmann::json& obj, const std::string& path, const char* key, bool absent) {
    const nlohmann::json* j = Get(obj, path, key, nlohmann::json::value_t::boolean);
    return j ? j->get<bool>() : absent;
  }
  std::optional<double> Number(const nlohmann::json& obj, const std::string& path,
                               const char* key) {
    const nlohmann::json* j = Get(obj, path, key, nlohmann::json::value_t::number_float);
    return j ? std::optional<double>(j->get<double>()) : std::nullopt;
  }
  // Calls `each(element, element path)` for every object of the array member `key`.
  template <typename F>
  void Objects(const nlohmann::json& obj, const std::string& path, const char* key, F&& each) {
    const std::string at = Member(path, key);
    const nlohmann::json* list = Get(obj, path, key, nlohmann::json::value_t::array);
    if (!list) return;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string el = Element(at, i);
      if (Is((*list)[i], el, nlohmann::json::value_t::object)) each((*list)[i], el);
    }
  }

 private:
  static const char* TypeName(nlohmann::json::value_t t) {
    switch (t) {
      case nlohmann::json::value_t::string:
        return "string";
      case nlohmann::json::value_t::boolean:
        return "boolean";
      case nlohmann::json::value_t::array:
        return "array";
      case nlohmann::json::value_t::object:
        return "object";
      default:
        return "number";
    }
  }
};

}  // namespace iotcop::vuln
