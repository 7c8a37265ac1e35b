// File: unpack/engine.h
// Unpacks a firmware image into a Tree: identify by magic at offset 0, carve embedded chunks at any
// offset, extract through the jail, recurse. Problems (truncation, limits, unknown regions) are
// reported with offsets and never stop the rest of the image from unpacking.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/assessment.h"
#include "core/result.h"
#include "unpack/tree.h"

namespace iotcop::unpack {

struct Limits {
  std::uint64_t max_total_bytes = 4ull << 30;  // everything written, all levels
  std::uint64_t max_files = 200000;
  std::uint64_t max_ratio = 1000;  // decompressed / compressed, per chunk and per view
  int max_depth = 16;
};

// A region of the input no handler claimed.
struct Region {
  std::string container;  // display name of the view it is in (the input's file name, a blob...)
  std::uint64_t offset = 0, size = 0;
  double entropy = 0;  // sampled for large regions (unpack/coverage.h)
  std::string note;    // "padding (0x00/0xff)", "likely encrypted (D-Link SHRS, AES-128-CBC)"
  std::string guess;   // padding | encrypted | compressed | encrypted-or-compressed | text | other
  std::optional<std::uint64_t> input_offset;  // in the input, when the view is the input's bytes
};

struct UnpackResult {
  Tree tree;
  std::vector<Problem> problems;
  std::vector<Region> unknown;
  std::uint64_t bytes_written = 0;
  std::uint64_t input_size = 0;
};

struct UnpackOptions {
  std::filesystem::path out_dir;  // extraction folder; created; nothing is written outside it
  Limits limits;
  bool keep_blobs = false;  // keep decompressed blobs that were fully unpacked further
  // Called with a short description of what is being unpacked (for a progress line).
  std::function<void(std::string_view)> progress;
};

// Never fails for bad content (that becomes Problems); fails only when the input cannot be read
// or out_dir cannot be created.
Result<UnpackResult> UnpackImage(const std::filesystem::path& image, const UnpackOptions& options);

}  // namespace iotcop::unpack
