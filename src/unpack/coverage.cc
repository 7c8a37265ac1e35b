#include "unpack/coverage.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "unpack/engine.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kWholeRegionMax = 1u << 20;  // above it, sample
constexpr std::uint64_t kSamples = 64, kSampleSize = 16u << 10;

using Histogram = std::array<std::uint64_t, 256>;

// The byte histogram of `data`, or of evenly spaced samples of it; returns the bytes counted.
std::uint64_t SampledHistogram(ByteView data, Histogram& h) {
  h.fill(0);
  if (data.size() <= kWholeRegionMax) {
    for (std::uint8_t b : data) ++h[b];
    return data.size();
  }
  const std::uint64_t step = (data.size() - kSampleSize) / (kSamples - 1);
  for (std::uint64_t s = 0; s < kSamples; ++s)
    for (std::uint8_t b : data.subspan(s * step, kSampleSize)) ++h[b];
  return kSamples * kSampleSize;
}

double HistogramEntropy(const Histogram& h, std::uint64_t n) {
  double e = 0;
  for (std::uint64_t c : h) {
    if (c == 0) continue;
    const double p = static_cast<double>(c) / static_cast<double>(n);
    e -= p * std::log2(p);
  }
  return e;
}

// Pearson's chi-square of the histogram against uniform bytes: about 255 (+-23) for random data;
// compressed streams keep structure (headers, Huffman tables, literals) that lifts it far above.
double ChiSquareUniform(const Histogram& h, std::uint64_t n) {
  const double expected = static_cast<double>(n) / 256.0;
  double chi = 0;
  for (std::uint64_t c : h) {
    const double d = static_cast<double>(c) - expected;
    chi += d * d / expected;
  }
  return chi;
}

struct VendorMagic {
  std::uint64_t at;
  std::string_view bytes;
  const char* scheme;
  bool encrypted;
};

// Headers of vendor containers and encryption schemes (issue 16, section 3): a region left
// undecoded that starts with one (a scheme iotcop does not decode, an unknown key or password, a
// header that failed validation) is called by its name.
constexpr VendorMagic kVendorMagics[] = {
    {0, "SHRS", "D-Link SHRS, AES-128-CBC", true},
    {0, "encrpted_img", "D-Link encrpted_img", true},
    {0, "Salted__", "OpenSSL enc with a salt, as Foscam and Instar ship", true},
    {0, "MH01", "D-Link MH01", false},
    {0, "\x5e\xa3\xa4\x17", "SEAMA", false},
    {0, "*#$^", "Netgear CHK", false},
    {0, "HDR1", "Xiaomi HDR1", false},
    {0, "HDR2", "Xiaomi HDR2", false},
    {0, "DH\x03\x04", "Dahua ZIP (DH)", false},
    {4, "TP-LINK Technologies", "TP-Link firmware header", false},
    {0x1014, "fwup-ptn", "TP-Link safeloader", false},
    {0, "ANDROID!", "Android boot image", false},
    {0, "\x3a\xff\x26\xed", "Android sparse image", false},
};

}  // namespace

double SampledEntropy(ByteView data) {
  Histogram h;
  const std::uint64_t n = SampledHistogram(data, h);
  return n ? HistogramEntropy(h, n) : 0.0;
}

std::string VendorScheme(ByteView head, bool* encrypted) {
  for (const auto& m : kVendorMagics) {
    if (!Fits(head.size(), m.at, m.bytes.size())) continue;
    if (std::memcmp(head.data() + m.at, m.bytes.data(), m.bytes.size()) != 0) continue;
    if (encrypted) *encrypted = m.encrypted;
    return m.scheme;
  }
  if (encrypted) *encrypted = false;
  return "";
}

RegionGuess GuessRegion(ByteView data, const std::string& vendor, bool vendor_encrypts) {
  RegionGuess g;
  Histogram h;
  const std::uint64_t n = SampledHistogram(data, h);
  if (n == 0) return g;
  g.entropy = HistogramEntropy(h, n);
  const std::string in_vendor = vendor.empty() ? "" : " (" + vendor + ")";
  if (g.entropy >= 7.9 && n >= 256) {
    // Too few bytes for the chi-square to tell encrypted from compressed: say both.
    const double chi = ChiSquareUniform(h, n);
    if (vendor_encrypts || (n >= (64u << 10) && chi < 1.5 * 255)) {
      g.guess = "encrypted";
      g.note = "likely encrypted" + in_vendor;
    } else if (n >= (64u << 10)) {
      g.guess = "compressed";
      g.note = "likely compressed with an unknown scheme" + in_vendor;
    } else {
      g.guess = "encrypted-or-compressed";
      g.note = "likely encrypted or compressed with an unknown scheme" + in_vendor;
    }
    return g;
  }
  std::uint64_t printable = 0;
  for (int b = 0x20; b < 0x7f; ++b) printable += h[static_cast<std::size_t>(b)];
  printable += h['\t'] + h['\n'] + h['\r'];
  if (printable * 100 >= n * 95) {
    g.guess = "text";
    g.note = "text" + in_vendor;
    return g;
  }
  g.guess = "other";
  if (!vendor.empty()) g.note = vendor;
  return g;
}

Coverage CoverageOf(const UnpackResult& r, std::uint64_t size) {
  Coverage c;
  c.size = size;
  for (const auto& u : r.unknown) {
    if (!u.input_offset) continue;
    (u.guess == "padding" ? c.padding : c.undecoded) += u.size;
  }
  c.decoded = size - std::min(size, c.padding + c.undecoded);
  const auto& roots = r.tree.roots();
  for (const auto& root : roots) c.filesystems += root.kind != "blobs";
  for (const auto& e : r.tree.entries())
    c.files += e.type == EntryType::kFile && e.root < roots.size() && roots[e.root].kind != "blobs";
  // The largest regions when there are too many, listed in the order they were found.
  std::vector<std::size_t> keep(r.unknown.size());
  for (std::size_t i = 0; i < keep.size(); ++i) keep[i] = i;
  if (keep.size() > kMaxCoverageRegions) {
    std::stable_sort(keep.begin(), keep.end(), [&](std::size_t a, std::size_t b) {
      return r.unknown[a].size > r.unknown[b].size;
    });
    c.regions_omitted = keep.size() - kMaxCoverageRegions;
    keep.resize(kMaxCoverageRegions);
    std::sort(keep.begin(), keep.end());
  }
  for (std::size_t i : keep) {
    const Region& u = r.unknown[i];
    c.regions.push_back(
        {u.container, u.offset, u.size, u.input_offset, u.entropy, u.guess, u.note});
  }
  return c;
}

}  // namespace iotcop::unpack
