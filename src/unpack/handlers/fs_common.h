// File: unpack/handlers/fs_common.h
// Helpers shared by the Unix filesystem handlers (ext, UBIFS, CramFS...): the entry type of a
// st_mode, the kernel's device-number encodings and the kernel's raw CRC-32 used by UBI/UBIFS.
#pragma once

#include <cstdint>

#include "core/bytes.h"
#include "unpack/tree.h"

namespace iotcop::unpack::handlers {

// The entry type of a Unix st_mode (S_IFMT bits); anything unknown is a regular file.
EntryType EntryTypeOfMode(std::uint32_t mode);

struct DevNumber {
  std::uint32_t major = 0, minor = 0;
};
// The kernel's new_encode_dev() 32-bit form (12-bit major, 20-bit minor), as ext4 i_block[1] and
// UBIFS store it.
DevNumber DecodeNewDev(std::uint32_t dev);
// The kernel's huge_encode_dev() 64-bit form (UBIFS).
DevNumber DecodeHugeDev(std::uint64_t dev);

// The kernel's crc32_le(0xffffffff, ...) without a final inversion: the checksum of UBI headers
// and UBIFS nodes.
std::uint32_t KernelCrc32(ByteView data);

}  // namespace iotcop::unpack::handlers
