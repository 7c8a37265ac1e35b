// File: firmware/image_trailers.h
// Signatures appended to a whole firmware image rather than kept inside it:
//  - OpenWrt fwtool trailers (`fwtool -S` / `-I`, checked by sysupgrade with ucert): chunks chained
//    backwards from the end, each [header(8) | data | trailer(16)], the trailer big-endian
//    {magic "FWx0", crc32, type (0 signature, 1 metadata), pad[3], size of the whole chunk};
//  - Android Verified Boot 2.0 footers (avbtool add_hash_footer): the last 64 bytes
//    {"AVBf", version, original image size, vbmeta offset and size}, pointing at a vbmeta blob
//    ("AVB0") whose algorithm says whether it is signed (NONE = not signed).
// Bounded: every length is checked against the image before it is used.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace iotcop::firmware {

struct ImageTrailer {
  std::string format;         // "openwrt-fwtool" | "android-avb"
  std::string kind;           // fwtool: "signature" | "metadata"; avb: "vbmeta"
  bool is_signature = false;  // carries a signature (not metadata, not algorithm NONE)
  std::uint64_t offset = 0;   // of the chunk (fwtool) or of the footer (avb), in the image
  std::uint64_t size = 0;     // of the chunk or of the vbmeta blob
  std::string detail;         // algorithm, metadata excerpt
};

// Parses the trailers at the end of `image`. No trailer: empty vector. A trailer whose magic is
// right but whose fields cannot be: an error naming `input` and the offset.
Result<std::vector<ImageTrailer>> ParseImageTrailers(ByteView image, const std::string& input);

}  // namespace iotcop::firmware
