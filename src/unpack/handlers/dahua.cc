// File: unpack/handlers/dahua.cc
// Dahua camera and recorder firmware: a zip archive whose signatures start with "DH" in place of
// "PK" (the first local header always; in some images the central directory and end record
// too). The archive is validated by its end record and central directory, then read by
// libarchive straight from the mapped image with "PK" put back where "DH" stands (no copy).
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/handlers/libarchive_read.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint64_t kDahuaLocal = 30;
constexpr std::uint64_t kDahuaCentral = 46;
constexpr std::uint64_t kDahuaEnd = 22;

// "PK" or "DH" followed by the two record bytes; sets *dh for "DH".
bool DahuaSig(const std::uint8_t* p, std::uint8_t a, std::uint8_t b, bool* dh) {
  if (p[2] != a || p[3] != b) return false;
  *dh = p[0] == 'D' && p[1] == 'H';
  return *dh || (p[0] == 'P' && p[1] == 'K');
}

struct DahuaInfo {
  std::vector<handlers::BytePatch> patches;  // relative to the chunk
  std::uint32_t entries = 0;
};

// Validates the central directory [cd_off, cd_off + cd_size) of the archive `z` against an end
// record announcing `entries` entries; fills `info` (patches for every "DH" signature).
bool DahuaWalk(ByteView z, std::uint64_t cd_off, std::uint64_t cd_size, std::uint32_t entries,
               DahuaInfo* info) {
  std::uint64_t at = cd_off;
  const std::uint64_t cd_end = cd_off + cd_size;
  bool first_local = false;
  for (std::uint32_t i = 0; i < entries; ++i) {
    if (!Fits(cd_end, at, kDahuaCentral)) return false;
    const std::uint8_t* c = z.data() + at;
    bool dh = false;
    if (!DahuaSig(c, 1, 2, &dh)) return false;
    if (dh) info->patches.push_back({at, "PK"});
    const std::uint64_t name_len = LoadLe<std::uint16_t>(c + 28);
    const std::uint64_t len =
        kDahuaCentral + name_len + LoadLe<std::uint16_t>(c + 30) + LoadLe<std::uint16_t>(c + 32);
    const std::uint64_t local = LoadLe<std::uint32_t>(c + 42);
    if (!Fits(cd_end, at, len) || !Fits(cd_off, local, kDahuaLocal)) return false;
    const std::uint8_t* l = z.data() + local;
    if (!DahuaSig(l, 3, 4, &dh) || LoadLe<std::uint16_t>(l + 26) != name_len) return false;
    if (dh) info->patches.push_back({local, "PK"});
    first_local = first_local || local == 0;
    at += len;
  }
  return first_local && at == cd_end;
}

class DahuaHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "dahua",
        "Dahua firmware (zip with \"DH\" signatures)",
        "A zip archive starting with the local header signature \"DH\\3\\4\". The chunk ends at "
        "the first end-of-central-directory record (\"PK\\5\\6\" or \"DH\\5\\6\") whose central "
        "directory ends right before it; the directory must hold exactly the announced number "
        "of entries (\"PK\\1\\2\" or \"DH\\1\\2\", each inside the directory), each pointing "
        "before the directory at a local header (\"PK\" or \"DH\") with the same name length, "
        "one of them at the start. libarchive's zip reader then reads the archive from the "
        "mapped image in place, \"PK\" put back where \"DH\" stands as it reads; entries go "
        "through the jail.",
        {"binwalk v3 src/signatures/dahua_zip.rs", "unblob unblob/handlers/archive/dahua",
         "PKWARE APPNOTE.TXT"},
        "Zip64 archives and encrypted entries are not extracted (encrypted entries are warned "
        "about). The only obfuscation undone is the renamed signatures."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"DH\x03\x04", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    const std::uint64_t avail = std::min<std::uint64_t>(data.size() - offset, 1ull << 32);
    const ByteView z = data.subspan(offset, avail);
    if (z.size() < kDahuaLocal + kDahuaEnd) return MakeError(Errc::kNotThisFormat, "short");
    // End records: "\x05\x06" after "PK" or "DH", found by their third byte.
    for (std::uint64_t q = kDahuaLocal + 2; q + kDahuaEnd - 2 <= z.size(); ++q) {
      const void* hit = std::memchr(z.data() + q, 0x05, z.size() - (kDahuaEnd - 2) - q + 1);
      if (!hit) break;
      q = static_cast<std::uint64_t>(static_cast<const std::uint8_t*>(hit) - z.data());
      const std::uint64_t p = q - 2;
      bool dh = false;
      if (!DahuaSig(z.data() + p, 5, 6, &dh)) continue;
      const std::uint8_t* e = z.data() + p;
      const std::uint32_t entries = LoadLe<std::uint16_t>(e + 10);
      const std::uint32_t cd_size = LoadLe<std::uint32_t>(e + 12);
      const std::uint32_t cd_off = LoadLe<std::uint32_t>(e + 16);
      if (entries == 0 || std::uint64_t{cd_off} + cd_size != p) continue;
      DahuaInfo info;
      if (!DahuaWalk(z, cd_off, cd_size, entries, &info)) continue;
      if (dh) info.patches.push_back({p, "PK"});
      std::sort(info.patches.begin(), info.patches.end(),
                [](const auto& a, const auto& b) { return a.at < b.at; });
      info.entries = entries;
      Chunk c;
      c.offset = offset;
      c.length = std::min<std::uint64_t>(p + kDahuaEnd + LoadLe<std::uint16_t>(e + 20), z.size());
      c.description =
          fmt::format("Dahua zip, {} entries, {} \"DH\" signatures", entries, info.patches.size());
      c.state = std::move(info);
      return c;
    }
    return MakeError(Errc::kNotThisFormat, "no end of central directory");
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& info = std::any_cast<const DahuaInfo&>(chunk.state);
    return handlers::ExtractWithLibarchive(ctx.view().subspan(chunk.offset, chunk.length),
                                           chunk.offset, archive_read_support_format_zip_seekable,
                                           ctx, info.patches);
  }
};

}  // namespace

std::unique_ptr<Handler> MakeDahuaHandler() { return std::make_unique<DahuaHandler>(); }

}  // namespace iotcop::unpack
