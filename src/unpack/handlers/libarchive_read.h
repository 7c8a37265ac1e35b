// File: unpack/handlers/libarchive_read.h
// Extraction of one archive held in memory through libarchive (tar, cpio, zip, 7z, ISO 9660):
// every entry, hardlinks and symlinks included, goes through the Jail; contents are streamed.
#pragma once

#include <archive.h>

#include <string>
#include <vector>

#include "unpack/handler.h"

namespace iotcop::unpack::handlers {

// Bytes the reader sees in place of the archive's own at `at` (relative to the archive): vendor
// archives that renamed a signature (Dahua's "DH" for "PK") are read without copying the image.
struct BytePatch {
  std::uint64_t at = 0;
  std::string bytes;
};

// `enable` turns on exactly one libarchive format reader (e.g. archive_read_support_format_tar).
// `patches` (sorted by `at`, not overlapping, inside the archive) are applied as libarchive reads:
// the archive is handed over in pieces of the mapped view, with the patched bytes in between.
Status ExtractWithLibarchive(ByteView archive_bytes, std::uint64_t offset,
                             int (*enable)(struct archive*), ExtractContext& ctx,
                             const std::vector<BytePatch>& patches = {});

}  // namespace iotcop::unpack::handlers
