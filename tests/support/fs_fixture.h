// File: tests/support/fs_fixture.h
// Helpers for the filesystem-handler fixture tests (ext, cramfs, romfs, FIT, UBI...): one known
// source tree, building an image from it with a real tool, unpacking it, comparing the unpacked
// tree with the source byte for byte, and cutting or patching an image into hostile variants.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "unpack/engine.h"

namespace iotcop::test {

// Writes the known tree under `src`: folders with their modes, a real binary, text files, setuid,
// an empty file, a private folder, a file spanning many blocks, relative and absolute symlinks, a
// symlink longer than 60 bytes and a hardlink. Returns false (with a gtest failure) on error.
bool MakeFsTree(const std::filesystem::path& src);

// Runs `build` (shell; $SRC is `src`, $OUT the image, $T a scratch folder) and returns the image
// path, or empty with a gtest failure.
std::filesystem::path BuildImage(const std::filesystem::path& work,
                                 const std::filesystem::path& src, const std::string& build);

// Unpacks `image` into `out`; asserts the engine ran.
unpack::UnpackResult Unpack(const std::filesystem::path& image, const std::filesystem::path& out);

// The root produced by handler `handler_id` with the most entries (UINT32_MAX when none).
std::uint32_t RootOf(const unpack::Tree& tree, const std::string& handler_id);

struct CompareOptions {
  bool modes = true;      // the format stores permission bits
  bool owners = false;    // compare uid/gid with the source's
  bool hardlinks = true;  // the format keeps hardlinks (else they are plain copies; same check)
};
// Every entry of `src` must be in `root` of `tree` with the same type, content, mode and link
// target; counts the entries compared (gtest failures for differences).
std::size_t CompareWithSource(const std::filesystem::path& src, const unpack::Tree& tree,
                              std::uint32_t root, const CompareOptions& opt = {});

// Nothing of `r` was written outside `out`.
void ExpectInside(const unpack::UnpackResult& r, const std::filesystem::path& out);

// Copies `image` to `dst` keeping only its first `len` bytes.
void Truncate(const std::filesystem::path& image, const std::filesystem::path& dst,
              std::uint64_t len);
// Copies `image` to `dst` with `bytes` written at `offset`.
void Patch(const std::filesystem::path& image, const std::filesystem::path& dst,
           std::uint64_t offset, const std::string& bytes);

// Unpacks `image` cut to each length in `cuts` (into work/cut-<N>), expects nothing written
// outside, and hands each result to `check` when given.
void ForEachTruncation(
    const std::filesystem::path& image, const std::filesystem::path& work,
    const std::vector<std::uint64_t>& cuts,
    const std::function<void(std::uint64_t, const unpack::UnpackResult&)>& check = {});

// True when some problem's message contains `needle`.
bool HasProblem(const unpack::UnpackResult& r, const std::string& needle);

// True when some problem's message contains `needle` and names offset `offset` of its input.
bool HasProblemAt(const unpack::UnpackResult& r, const std::string& needle, std::uint64_t offset);

}  // namespace iotcop::test
