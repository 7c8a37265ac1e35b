// File: tests/support/container_fixture.h
// Helpers for the vendor-container fixture tests (SHRS, CHK, SEAMA, Xiaomi...): the payloads a
// container wraps (a SquashFS of the known tree, an LZMA "kernel"), field writers for headers built
// from published layouts, and the checks every hostile case makes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "support/test_support.h"
#include "unpack/engine.h"

namespace iotcop::test {

// Writes `v` as `bytes` bytes at `at` of `s`, big or little endian.
void PutBe(std::string& s, std::size_t at, std::uint64_t v, int bytes = 4);
void PutLe(std::string& s, std::size_t at, std::uint64_t v, int bytes = 4);

struct ContainerPayload {
  std::string kernel;  // the first 100000 bytes of /bin/ls through `xz --format=lzma`
  std::string rootfs;  // the known tree (MakeFsTree under tmp/src) by `mksquashfs -comp xz`
};
// Builds both with Debian's tools; empty strings with a gtest failure on error.
ContainerPayload MakeContainerPayload(const TempDir& tmp);

// Unpacks `image` written to tmp/name into tmp/out-name.
unpack::UnpackResult UnpackBytes(const TempDir& tmp, const std::string& name,
                                 const std::string& image);

// The SquashFS root of `r` exists and its outermost handler is `handler` (a hostile container not
// claimed: "squashfs"; a claimed one: the container's id).
void ExpectSquashfsThrough(const unpack::UnpackResult& r, const std::string& handler,
                           const std::string& label);

// Unpacks `image` cut at each of `cuts` (ForEachTruncation): every unknown region lies inside the
// cut, and a SquashFS found is not claimed through `handler` (a cut container is not claimed).
void ExpectCutsNotClaimed(const std::filesystem::path& image, const TempDir& tmp,
                          const std::vector<std::uint64_t>& cuts, const std::string& handler);

}  // namespace iotcop::test
