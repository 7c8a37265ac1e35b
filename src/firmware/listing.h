// File: firmware/listing.h
// Bounded lists for finding messages: "a, b, c and 12 more", so a finding about many files stays
// readable and the full list lives in the facts.
#pragma once

#include <string>
#include <vector>

namespace iotcop::firmware {

inline std::string JoinBounded(const std::vector<std::string>& items, std::size_t max = 12) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < max; ++i) {
    if (i) out += ", ";
    out += items[i];
  }
  if (items.size() > max) out += " and " + std::to_string(items.size() - max) + " more";
  return out;
}

}  // namespace iotcop::firmware
