// File: unpack/coverage.h
// How much of an image the engine understood: each region no handler claimed gets a bounded
// (sampled) entropy and a best guess (padding, encrypted, compressed with an unknown scheme, text,
// other; a known vendor header at its start is named), and an UnpackResult becomes the
// assessment's Coverage record (bytes decoded, regions left, file systems and files extracted).
#pragma once

#include <cstdint>
#include <string>

#include "core/assessment.h"
#include "core/bytes.h"

namespace iotcop::unpack {

struct UnpackResult;

struct RegionGuess {
  double entropy = 0;
  std::string guess;  // encrypted | compressed | encrypted-or-compressed | text | other
  std::string note;   // "likely encrypted (D-Link SHRS, AES-128-CBC)"
};

// Shannon entropy (bits per byte) of `data`; a region over 1 MiB is judged from 64 evenly spaced
// samples of 16 KiB, so the cost is bounded whatever the region's size.
double SampledEntropy(ByteView data);

// A vendor container or encryption scheme whose header starts `head` ("D-Link SHRS, AES-128-CBC"),
// empty if none is known; `encrypted` says whether the scheme encrypts what follows.
std::string VendorScheme(ByteView head, bool* encrypted = nullptr);

// The best guess for a region of data that is not padding. `vendor`: a scheme found at the start
// of the gap the region is part of (VendorScheme), if any.
RegionGuess GuessRegion(ByteView data, const std::string& vendor = "",
                        bool vendor_encrypts = false);

// The coverage record of one unpacked image of `size` bytes.
Coverage CoverageOf(const UnpackResult& r, std::uint64_t size);

}  // namespace iotcop::unpack
