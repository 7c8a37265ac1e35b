// File: unpack/mapped_file.h
// A read-only memory mapping of a whole file: how the engine reads images and blobs without
// copying them (the kernel pages them in as handlers touch them).
#pragma once

#include <filesystem>

#include "core/bytes.h"
#include "core/result.h"

namespace iotcop::unpack {

class MappedFile {
 public:
  static Result<MappedFile> Open(const std::filesystem::path& path);
  MappedFile() = default;
  MappedFile(MappedFile&& o) noexcept : data_(o.data_), size_(o.size_) {
    o.data_ = nullptr;
    o.size_ = 0;
  }
  MappedFile& operator=(MappedFile&& o) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();
  ByteView view() const { return {static_cast<const std::uint8_t*>(data_), size_}; }
  // Drops the whole pages inside `range` (a part of some MappedFile's view) from this process's
  // memory: they stay in the page cache and come back on the next touch. What keeps the peak RSS
  // of unpacking a large image flat: pages a handler has read and is done with no longer count.
  // Only for memory from a MappedFile (on anonymous memory it would zero the pages).
  static void Release(ByteView range);

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace iotcop::unpack
