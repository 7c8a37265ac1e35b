// File: unpack/handlers/chk.cc
// Netgear CHK firmware headers (written by OpenWrt's mkchkimg and Netgear's own tools): a
// big-endian header with the kernel and root filesystem lengths, a checksum of each, of both
// together and of the header itself, then the board id ("U12H072T00_NETGEAR"). The kernel and
// rootfs ranges are scanned in place.
#include <fmt/format.h>

#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kChkFixed = 40;
constexpr std::uint64_t kChkMaxHeader = 40 + 64;  // board ids are short model strings
constexpr std::uint64_t kChkHeaderSumAt = 0x24;

struct ChkInfo {
  std::uint32_t header_len = 0;
  std::uint32_t kernel_len = 0;
  std::uint32_t rootfs_len = 0;
  std::uint32_t kernel_sum = 0;
  std::uint32_t rootfs_sum = 0;
  std::uint32_t image_sum = 0;
};

// Netgear's checksum (mkchkimg.c netgear_checksum_*): c0 sums the bytes, c1 sums c0; each is
// folded twice to 16 bits and the result is c1 << 16 | c0.
class ChkSum {
 public:
  void Add(ByteView b) {
    for (std::uint8_t x : b) {
      c0_ += x;
      c1_ += c0_;
    }
  }
  std::uint32_t Final() const {
    auto fold = [](std::uint32_t v) {
      const std::uint32_t b = (v & 0xffff) + (v >> 16);
      return ((b >> 16) + b) & 0xffff;
    };
    return fold(c1_) << 16 | fold(c0_);
  }

 private:
  std::uint32_t c0_ = 0, c1_ = 0;
};

std::uint32_t ChkSumOf(ByteView b) {
  ChkSum s;
  s.Add(b);
  return s.Final();
}

bool ChkBoardChar(std::uint8_t c) { return c >= 0x20 && c < 0x7f; }

class ChkHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "chk",
        "Netgear CHK firmware header",
        "Big-endian header at magic 0x2A23245E: header length (40 bytes plus a board id of 1 to "
        "64 printable characters), region and version bytes, kernel and rootfs checksums, "
        "kernel and rootfs lengths, image checksum (kernel and rootfs together) and header "
        "checksum (over the header with that field zero). The header checksum must match "
        "before the chunk is claimed; the kernel (non-empty) and rootfs must lie inside the "
        "data. The other three checksums (Netgear's Fletcher-like sum) are verified; a mismatch "
        "is a warning naming the checksum's offset. The kernel and rootfs ranges are scanned in "
        "place.",
        {"OpenWrt tools/firmware-utils/src/mkchkimg.c (struct chk_header, netgear_checksum)",
         "unblob unblob/handlers/archive/netgear/chk.py"},
        "The board id is reported, not checked against a list of models."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"\x2a\x23\x24\x5e", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto fixed = Slice(data, offset, kChkFixed);
    if (!fixed) return MakeError(Errc::kNotThisFormat, "short header");
    const std::uint8_t* p = fixed->data();
    ChkInfo info;
    info.header_len = LoadBe<std::uint32_t>(p + 4);
    if (info.header_len <= kChkFixed || info.header_len > kChkMaxHeader) {
      return MakeError(Errc::kNotThisFormat, "header length");
    }
    auto h = Slice(data, offset, info.header_len);
    if (!h) return MakeError(Errc::kNotThisFormat, "short header");
    for (std::uint64_t i = kChkFixed; i < info.header_len; ++i) {
      if (!ChkBoardChar((*h)[i])) return MakeError(Errc::kNotThisFormat, "board id");
    }
    info.kernel_sum = LoadBe<std::uint32_t>(p + 0x10);
    info.rootfs_sum = LoadBe<std::uint32_t>(p + 0x14);
    info.kernel_len = LoadBe<std::uint32_t>(p + 0x18);
    info.rootfs_len = LoadBe<std::uint32_t>(p + 0x1c);
    info.image_sum = LoadBe<std::uint32_t>(p + 0x20);
    ChkSum hs;
    hs.Add(h->first(kChkHeaderSumAt));
    const std::uint8_t zero[4] = {0, 0, 0, 0};
    hs.Add(ByteView(zero, 4));
    hs.Add(h->subspan(kChkHeaderSumAt + 4));
    if (hs.Final() != LoadBe<std::uint32_t>(p + kChkHeaderSumAt)) {
      return MakeError(Errc::kNotThisFormat, "header checksum");
    }
    const std::uint64_t body = std::uint64_t{info.kernel_len} + info.rootfs_len;
    if (info.kernel_len == 0 || !Fits(data.size(), offset + info.header_len, body)) {
      return MakeError(Errc::kNotThisFormat, "lengths");
    }
    Chunk c;
    c.offset = offset;
    c.length = info.header_len + body;
    c.description = fmt::format("Netgear CHK, board '{}', v{}.{}.{}, region {}",
                                std::string(reinterpret_cast<const char*>(h->data()) + kChkFixed,
                                            info.header_len - kChkFixed),
                                p[9], p[10], p[11], p[8]);
    c.state = info;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& info = std::any_cast<const ChkInfo&>(chunk.state);
    const std::uint64_t kernel_at = chunk.offset + info.header_len;
    const std::uint64_t rootfs_at = kernel_at + info.kernel_len;
    const ByteView kernel = ctx.view().subspan(kernel_at, info.kernel_len);
    const ByteView rootfs = ctx.view().subspan(rootfs_at, info.rootfs_len);
    ChkSum whole;
    whole.Add(kernel);
    whole.Add(rootfs);
    if (ChkSumOf(kernel) != info.kernel_sum) {
      ctx.Warn(chunk.offset + 0x10, "CHK kernel checksum does not match the kernel");
    }
    if (info.rootfs_len != 0 && ChkSumOf(rootfs) != info.rootfs_sum) {
      ctx.Warn(chunk.offset + 0x14, "CHK rootfs checksum does not match the rootfs");
    }
    if (whole.Final() != info.image_sum) {
      ctx.Warn(chunk.offset + 0x20, "CHK image checksum does not match kernel and rootfs");
    }
    ctx.ScanRange(kernel_at, info.kernel_len, "kernel");
    if (info.rootfs_len != 0) ctx.ScanRange(rootfs_at, info.rootfs_len, "rootfs");
    return Ok();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeChkHandler() { return std::make_unique<ChkHandler>(); }

}  // namespace iotcop::unpack
