// File: unpack/handlers/libarchive_read.h
// Extraction of one archive held in memory through libarchive (tar, cpio, zip, 7z, ISO 9660):
// every entry, hardlinks and symlinks included, goes through the Jail; contents are streamed.
#pragma once

#include <archive.h>

#include "unpack/handler.h"

namespace iotcop::unpack::handlers {

// `enable` turns on exactly one libarchive format reader (e.g. archive_read_support_format_tar).
Status ExtractWithLibarchive(ByteView archive_bytes, std::uint64_t offset,
                             int (*enable)(struct archive*), ExtractContext& ctx);

}  // namespace iotcop::unpack::handlers
