#include "firmware/image_trailers.h"

#include <fmt/format.h>

#include <cstring>

namespace iotcop::firmware {
namespace {

constexpr std::uint32_t kFwtoolMagic = 0x46577830;  // "FWx0"
constexpr std::size_t kFwtoolTrailer = 16;
constexpr std::size_t kFwtoolHeader = 8;
constexpr std::size_t kAvbFooter = 64;
constexpr std::size_t kVbmetaHeader = 256;
constexpr int kMaxChunks = 16;

const char* AvbAlgorithm(std::uint32_t a) {
  switch (a) {
    case 0:
      return "NONE";
    case 1:
      return "SHA256_RSA2048";
    case 2:
      return "SHA256_RSA4096";
    case 3:
      return "SHA256_RSA8192";
    case 4:
      return "SHA512_RSA2048";
    case 5:
      return "SHA512_RSA4096";
    case 6:
      return "SHA512_RSA8192";
    default:
      return nullptr;
  }
}

std::string Printable(ByteView v, std::size_t max) {
  std::string s;
  for (std::size_t i = 0; i < v.size() && s.size() < max; ++i) {
    const char c = static_cast<char>(v[i]);
    s += (c >= 0x20 && c < 0x7f) ? c : ' ';
  }
  return s;
}

Status ParseFwtool(ByteView tail, const std::string& input, std::vector<ImageTrailer>& out) {
  std::uint64_t end = tail.size();
  for (int n = 0; n < kMaxChunks && end >= kFwtoolTrailer; ++n) {
    const std::uint8_t* t = tail.data() + end - kFwtoolTrailer;
    if (LoadBe<std::uint32_t>(t) != kFwtoolMagic) break;
    const std::uint8_t type = t[8];
    const std::uint32_t size = LoadBe<std::uint32_t>(t + 12);
    const std::uint64_t at = end - kFwtoolTrailer;
    if (size < kFwtoolHeader + kFwtoolTrailer || size > end) {
      return MakeError(Errc::kCorrupt,
                       fmt::format("fwtool trailer: chunk size {} does not fit the {} bytes "
                                   "before the trailer's end",
                                   size, end),
                       input, at);
    }
    if (type > 1) {
      return MakeError(Errc::kCorrupt, fmt::format("fwtool trailer: unknown chunk type {}", type),
                       input, at + 8);
    }
    const std::uint64_t start = end - size;
    ImageTrailer tr;
    tr.format = "openwrt-fwtool";
    tr.kind = type == 0 ? "signature" : "metadata";
    tr.is_signature = type == 0;
    tr.offset = start;
    tr.size = size;
    const ByteView data =
        tail.subspan(static_cast<std::size_t>(start + kFwtoolHeader),
                     static_cast<std::size_t>(size - kFwtoolHeader - kFwtoolTrailer));
    tr.detail =
        type == 0 ? fmt::format("{}-byte signature (ucert)", data.size()) : Printable(data, 200);
    out.push_back(std::move(tr));
    end = start;
  }
  return Ok();
}

Status ParseAvb(ByteView tail, const std::string& input, std::vector<ImageTrailer>& out) {
  const std::uint64_t image_size = tail.size();
  if (tail.size() < kAvbFooter) return Ok();
  const std::uint8_t* f = tail.data() + tail.size() - kAvbFooter;
  if (std::memcmp(f, "AVBf", 4) != 0) return Ok();
  const std::uint64_t at = image_size - kAvbFooter;
  const std::uint64_t vb_off = LoadBe<std::uint64_t>(f + 20);
  const std::uint64_t vb_size = LoadBe<std::uint64_t>(f + 28);
  if (vb_size < kVbmetaHeader || !Fits(at, vb_off, vb_size)) {
    return MakeError(
        Errc::kCorrupt,
        fmt::format("AVB footer: vbmeta at {} ({} bytes) does not fit before the footer", vb_off,
                    vb_size),
        input, at);
  }
  const std::uint8_t* h = tail.data() + vb_off;
  if (std::memcmp(h, "AVB0", 4) != 0) {
    return MakeError(Errc::kCorrupt, "AVB footer: no vbmeta magic AVB0 where it points", input,
                     vb_off);
  }
  const std::uint32_t algorithm = LoadBe<std::uint32_t>(h + 28);
  const char* name = AvbAlgorithm(algorithm);
  if (!name) {
    return MakeError(Errc::kCorrupt, fmt::format("vbmeta: unknown algorithm {}", algorithm), input,
                     vb_off + 28);
  }
  ImageTrailer tr;
  tr.format = "android-avb";
  tr.kind = "vbmeta";
  tr.is_signature = algorithm != 0;
  tr.offset = at;
  tr.size = vb_size;
  tr.detail = fmt::format("vbmeta algorithm {}", name);
  out.push_back(std::move(tr));
  return Ok();
}

}  // namespace

Result<std::vector<ImageTrailer>> ParseImageTrailers(ByteView image, const std::string& input) {
  std::vector<ImageTrailer> out;
  if (Status st = ParseFwtool(image, input, out); !st) return st.error();
  if (Status st = ParseAvb(image, input, out); !st) return st.error();
  return out;
}

}  // namespace iotcop::firmware
