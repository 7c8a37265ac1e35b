// File: unpack/handlers/android_common.h
// Helpers shared by the Android boot and vendor_boot handlers: the page-aligned sections that
// follow the header, laid out from the header's sizes and scanned in place.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "unpack/handler.h"

namespace iotcop::unpack::handlers {

struct AndroidSection {
  std::string name;          // "kernel", "ramdisk", "second", "dtb"...
  std::uint64_t offset = 0;  // relative to the image's start
  std::uint64_t size = 0;    // as the header says
};

inline std::uint64_t AndroidPageAlign(std::uint64_t v, std::uint64_t page) {
  return (v + page - 1) / page * page;
}

// Lays `sizes` (name, bytes) out one after the other from `start`, each starting on a page:
// returns the sections and sets `end` to the end of the last one (page-aligned).
inline std::vector<AndroidSection> AndroidLayout(
    const std::vector<std::pair<std::string, std::uint64_t>>& sizes, std::uint64_t start,
    std::uint64_t page, std::uint64_t& end) {
  std::vector<AndroidSection> out;
  std::uint64_t at = start;
  for (const auto& [name, size] : sizes) {
    if (size > 0) out.push_back({name, at, size});
    at += AndroidPageAlign(size, page);
  }
  end = at;
  return out;
}

// Scans each section of an image at `base` in place; a section cut by the end of the view is
// scanned as far as it goes and reported at its offset. `what` names the image in messages.
inline void AndroidScanSections(ExtractContext& ctx, std::uint64_t base,
                                const std::vector<AndroidSection>& sections,
                                const std::string& what) {
  const std::uint64_t size = ctx.view().size();
  for (const auto& s : sections) {
    const std::uint64_t at = base + s.offset;
    if (at >= size) {
      ctx.Warn(at, fmt::format("{} {} ({} bytes) beyond the end of the data (truncated)", what,
                               s.name, s.size));
      continue;
    }
    std::uint64_t have = s.size;
    if (!Fits(size, at, s.size)) {
      have = size - at;
      ctx.Warn(at,
               fmt::format("{} {} truncated: {} of {} bytes present", what, s.name, have, s.size));
    }
    ctx.ScanRange(at, have, s.name);
  }
}

}  // namespace iotcop::unpack::handlers
