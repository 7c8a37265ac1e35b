#include "unpack/handlers/fs_common.h"

#include "unpack/handlers/common.h"

namespace iotcop::unpack::handlers {

EntryType EntryTypeOfMode(std::uint32_t mode) {
  switch (mode & 0170000) {
    case 0040000:
      return EntryType::kDir;
    case 0120000:
      return EntryType::kSymlink;
    case 0020000:
      return EntryType::kCharDev;
    case 0060000:
      return EntryType::kBlockDev;
    case 0010000:
      return EntryType::kFifo;
    case 0140000:
      return EntryType::kSocket;
  }
  return EntryType::kFile;
}

DevNumber DecodeNewDev(std::uint32_t dev) {
  return {(dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00)};
}

DevNumber DecodeHugeDev(std::uint64_t dev) {
  return {static_cast<std::uint32_t>(((dev >> 32) & 0xfffff000) | ((dev >> 8) & 0xfff)),
          static_cast<std::uint32_t>(((dev >> 12) & 0xffffff00) | (dev & 0xff))};
}

std::uint32_t KernelCrc32(ByteView data) { return ~Crc32(data); }

}  // namespace iotcop::unpack::handlers
