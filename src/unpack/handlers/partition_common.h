// File: unpack/handlers/partition_common.h
// Helpers shared by the partition-table handlers (MBR, GPT): a partition's range scanned in place,
// cut to the data present with a warning naming the offset when the dump is truncated.
#pragma once

#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "unpack/handler.h"

namespace iotcop::unpack::handlers {

// Scans the partition [start, start + length) of the view (bytes) under folder `name`; what lies
// beyond the view's end is reported as missing. `entry_at` is where the table entry is.
inline void ScanPartition(ExtractContext& ctx, std::uint64_t start, std::uint64_t length,
                          const std::string& name, std::uint64_t entry_at) {
  const std::uint64_t size = ctx.view().size();
  if (start >= size) {
    ctx.Warn(entry_at, fmt::format("partition {} starts at 0x{:x}, beyond the end of the data "
                                   "(0x{:x} bytes): truncated dump",
                                   name, start, size));
    return;
  }
  std::uint64_t have = length;
  if (!Fits(size, start, length)) {
    have = size - start;
    ctx.Warn(entry_at, fmt::format("partition {} (0x{:x}+0x{:x}) extends beyond the end of the "
                                   "data: {} of {} bytes present",
                                   name, start, length, have, length));
  }
  if (have > 0) ctx.ScanRange(start, have, name);
}

}  // namespace iotcop::unpack::handlers
