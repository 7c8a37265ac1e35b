// UBI images: erase-counter and volume-id headers (CRC checked), the volume table, and every
// volume rebuilt from its logical erase blocks in order into a blob the engine scans (UBIFS,
// SquashFS... handlers take over).
#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "unpack/handler.h"
#include "unpack/handlers/fs_common.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint32_t kEcMagic = 0x55424923, kVidMagic = 0x55424921;  // "UBI#", "UBI!"
constexpr std::uint64_t kHdr = 64, kVtblRecord = 172, kMaxVolumes = 128;
constexpr std::uint32_t kLayoutVolume = 0x7FFFEFFF;
constexpr std::uint8_t kStatic = 2;

bool EcOk(ByteView d, std::uint64_t at) {
  auto h = Slice(d, at, kHdr);
  return h && LoadBe<std::uint32_t>(h->data()) == kEcMagic && (*h)[4] == 1 &&
         handlers::KernelCrc32(h->subspan(0, 60)) == LoadBe<std::uint32_t>(h->data() + 60);
}
bool Erased(ByteView d, std::uint64_t at, std::uint64_t n) {
  auto s = Slice(d, at, n);
  return s && std::all_of(s->begin(), s->end(), [](std::uint8_t b) { return b == 0xff; });
}

struct Geometry {
  std::uint64_t peb = 0, vid_off = 0, data_off = 0, pebs = 0;
  std::uint32_t image_seq = 0;
};

struct Leb {
  std::uint64_t peb;
  std::uint64_t sqnum;
  std::uint32_t data_size;
};

struct Volume {
  std::string name;
  std::uint32_t reserved = 0, data_pad = 0, used_ebs = 0;
  std::uint8_t type = 1;
  std::map<std::uint32_t, Leb> lebs;
};

class UbiHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "ubi",
        "UBI (Unsorted Block Images)",
        "Erase-counter header magic \"UBI#\" (version 1, header CRC checked). The physical erase "
        "block size is found from the next valid EC header at a power-of-two distance (4 KiB to "
        "2 MiB); the chunk is the run of blocks that carry a valid EC header or are erased. "
        "Volume-id headers (\"UBI!\", CRC checked) map blocks to (volume, LEB); of two copies of "
        "a LEB the higher sequence number wins. The volume table (layout volume, records CRC "
        "checked) names the volumes; each volume is rebuilt LEB by LEB in order into the blob "
        "\"ubi-<id>-<name>\" (unmapped LEBs of dynamic volumes read as erased 0xff; static "
        "volumes use each LEB's data_size), which the engine then scans (UBIFS, SquashFS...).",
        {"Linux drivers/mtd/ubi/ubi-media.h", "mtd-utils ubinize, ubireader"},
        "Fastmap is ignored (the full scan is used). Data CRCs of static volumes are not "
        "verified. Images whose blocks were written with a different image sequence are read "
        "as one image."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"UBI#", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    if (!EcOk(data, offset)) return MakeError(Errc::kNotThisFormat, "EC header");
    const std::uint8_t* h = data.data() + offset;
    Geometry g;
    g.vid_off = LoadBe<std::uint32_t>(h + 16);
    g.data_off = LoadBe<std::uint32_t>(h + 20);
    g.image_seq = LoadBe<std::uint32_t>(h + 24);
    if (g.vid_off < kHdr || g.data_off < g.vid_off + kHdr || g.data_off > (1u << 20)) {
      return MakeError(Errc::kNotThisFormat, "header offsets");
    }
    for (std::uint64_t p = 4096; p <= (2u << 20); p *= 2) {
      if (p > g.data_off && EcOk(data, offset + p)) {
        g.peb = p;
        break;
      }
    }
    if (g.peb == 0) return MakeError(Errc::kNotThisFormat, "no second erase block");
    std::uint64_t at = offset;
    while (Fits(data.size(), at, g.peb) && (EcOk(data, at) || Erased(data, at, g.peb))) {
      ++g.pebs;
      at += g.peb;
    }
    // A last, cut erase block still counts when its header is valid.
    if (EcOk(data, at)) {
      ++g.pebs;
      at = data.size();
    }
    Chunk c;
    c.offset = offset;
    c.length = at - offset;
    c.description = fmt::format("UBI image, {} erase blocks of {} bytes", g.pebs, g.peb);
    c.state = g;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& g = std::any_cast<const Geometry&>(chunk.state);
    const ByteView d = ctx.view().subspan(chunk.offset, chunk.length);
    const std::uint64_t leb_size = g.peb - g.data_off;
    std::map<std::uint32_t, Volume> vols;
    std::uint64_t bad = 0, first_bad = 0;
    for (std::uint64_t i = 0; i < g.pebs; ++i) {
      const std::uint64_t base = i * g.peb;
      if (!EcOk(d, base)) continue;  // erased
      auto vid = Slice(d, base + g.vid_off, kHdr);
      if (!vid || LoadBe<std::uint32_t>(vid->data()) != kVidMagic) continue;  // not mapped
      if (handlers::KernelCrc32(vid->subspan(0, 60)) != LoadBe<std::uint32_t>(vid->data() + 60)) {
        if (bad++ == 0) first_bad = base + g.vid_off;
        continue;
      }
      const std::uint8_t* v = vid->data();
      const std::uint32_t vol_id = LoadBe<std::uint32_t>(v + 8);
      const std::uint32_t lnum = LoadBe<std::uint32_t>(v + 12);
      const std::uint64_t sqnum = LoadBe<std::uint64_t>(v + 40);
      if (vol_id >= kMaxVolumes && vol_id != kLayoutVolume) {
        ctx.Warn(chunk.offset + base + g.vid_off,
                 fmt::format("UBI block {}: volume id {} out of range; skipped", i, vol_id));
        continue;
      }
      Volume& vol = vols[vol_id];
      vol.type = v[5];
      if (vol.type == kStatic) vol.used_ebs = LoadBe<std::uint32_t>(v + 24);
      auto [it, fresh] =
          vol.lebs.try_emplace(lnum, Leb{base, sqnum, LoadBe<std::uint32_t>(v + 20)});
      if (!fresh && it->second.sqnum < sqnum)
        it->second = Leb{base, sqnum, LoadBe<std::uint32_t>(v + 20)};
    }
    if (bad) {
      ctx.Warn(chunk.offset + first_bad,
               fmt::format("{} UBI volume-id headers with a bad CRC skipped", bad));
    }
    ReadVolumeTable(d, g, vols, ctx, chunk.offset);
    for (auto& [id, vol] : vols) {
      if (id == kLayoutVolume || vol.lebs.empty()) continue;
      std::string name = vol.name.empty() ? fmt::format("vol{}", id) : vol.name;
      for (char& ch : name) {
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' ||
              ch == '.')) {
          ch = '_';
        }
      }
      const std::uint32_t last = vol.lebs.rbegin()->first;
      if (vol.reserved != 0 && last >= vol.reserved) {
        ctx.Warn(chunk.offset + vol.lebs.rbegin()->second.peb,
                 fmt::format("UBI volume {}: LEB {} beyond its {} reserved blocks", id, last,
                             vol.reserved));
      }
      auto blob = ctx.NewBlob(fmt::format("ubi-{}-{}", id, name));
      if (!blob) return blob.error();
      const std::uint64_t usable = leb_size - std::min<std::uint64_t>(vol.data_pad, leb_size);
      const std::vector<std::uint8_t> erased(usable, 0xff);
      const std::uint32_t count = vol.type == kStatic && vol.used_ebs ? vol.used_ebs : last + 1;
      bool warned = false;
      for (std::uint32_t l = 0; l < count && l <= last; ++l) {
        auto it = vol.lebs.find(l);
        ByteView piece(erased.data(), erased.size());
        if (it != vol.lebs.end()) {
          const std::uint64_t n =
              vol.type == kStatic ? std::min<std::uint64_t>(it->second.data_size, usable) : usable;
          const std::uint64_t start = it->second.peb + g.data_off;
          const std::uint64_t have =
              start < d.size() ? std::min<std::uint64_t>(n, d.size() - start) : 0;
          if (have < n && !warned) {
            ctx.Warn(chunk.offset + start + have,
                     fmt::format("UBI volume {}: LEB {} truncated", id, l));
            warned = true;
          }
          piece = d.subspan(start, have);
        } else if (vol.type == kStatic) {
          ctx.Warn(chunk.offset, fmt::format("UBI static volume {}: LEB {} missing", id, l));
        }
        if (auto st = (*blob)->Write(piece); !st) return st;
      }
    }
    return Ok();
  }

 private:
  static void ReadVolumeTable(ByteView d, const Geometry& g, std::map<std::uint32_t, Volume>& vols,
                              ExtractContext& ctx, std::uint64_t base) {
    auto layout = vols.find(kLayoutVolume);
    if (layout == vols.end() || layout->second.lebs.empty()) {
      ctx.Warn(base, "UBI: no volume table found; volumes are unnamed");
      return;
    }
    const std::uint64_t start = layout->second.lebs.begin()->second.peb + g.data_off;
    const std::uint64_t n =
        std::min<std::uint64_t>(kMaxVolumes, (g.peb - g.data_off) / kVtblRecord);
    for (std::uint64_t i = 0; i < n; ++i) {
      auto rec = Slice(d, start + i * kVtblRecord, kVtblRecord);
      if (!rec) break;
      const std::uint8_t* r = rec->data();
      if (LoadBe<std::uint32_t>(r) == 0) continue;  // empty slot
      if (handlers::KernelCrc32(rec->subspan(0, 168)) != LoadBe<std::uint32_t>(r + 168)) {
        ctx.Warn(base + start + i * kVtblRecord, fmt::format("UBI volume table record {} CRC", i));
        continue;
      }
      const std::uint16_t name_len = std::min<std::uint16_t>(LoadBe<std::uint16_t>(r + 14), 127);
      auto it = vols.find(static_cast<std::uint32_t>(i));
      if (it == vols.end()) continue;
      it->second.reserved = LoadBe<std::uint32_t>(r);
      it->second.data_pad = LoadBe<std::uint32_t>(r + 8);
      it->second.name.assign(reinterpret_cast<const char*>(r + 16),
                             strnlen(reinterpret_cast<const char*>(r + 16), name_len));
    }
  }
};

}  // namespace

std::unique_ptr<Handler> MakeUbiHandler() { return std::make_unique<UbiHandler>(); }

}  // namespace iotcop::unpack
