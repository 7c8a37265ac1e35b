// File: tests/support/disk_fixture.h
// Helpers for the disk-image handler tests (FAT, MBR, GPT, Android sparse): a known tree that FAT
// can hold (no links, no modes: nested folders, long and short names, a file of many clusters) and
// a FAT image of it made with Debian's mkfs.fat and mtools' mcopy.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "unpack/engine.h"

namespace iotcop::test {

// Writes the FAT-compatible known tree under `src`. Returns false (with a gtest failure) on error.
bool MakeFatTree(const std::filesystem::path& src);

// mkfs.fat -F `bits` of `kib` KiB at `img`, then `src`'s contents copied in with mcopy -s.
// Returns false (with a gtest failure) on error.
bool MakeFatImage(const std::filesystem::path& src, const std::filesystem::path& img, int bits,
                  int kib);

// `v` as `n` little-endian bytes, and `s` zero-padded to a multiple of `page`: for images written
// by hand from a published layout.
std::string LeBytes(std::uint64_t v, int n);
std::string PadTo(std::string s, std::size_t page);

// The roots whose origin starts with handler `outer` and ends with handler `inner`, in tree order.
std::vector<std::uint32_t> RootsFrom(const unpack::UnpackResult& r, const std::string& outer,
                                     const std::string& inner);

// True when mkfs.fat and mcopy are installed.
bool HaveFatTools();

}  // namespace iotcop::test
