// U-Boot FIT images (flattened device tree with /images): every image's payload (inline `data`,
// or external `data-offset`/`data-position` + `data-size`) becomes a file of the FIT's root, hashes
// are verified, and signature nodes are listed in /signatures.txt of that root.
#include <libfdt.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "unpack/handlers/common.h"
#include "unpack/jail.h"

namespace iotcop::unpack {
namespace {

constexpr std::uint32_t kFdtMagic = 0xd00dfeed;
constexpr std::uint64_t kMaxFdt = 256u << 20;

struct Fit {
  std::shared_ptr<std::vector<std::uint8_t>> fdt;  // 8-byte aligned copy of the structure
  std::uint64_t total = 0;                         // fdt_totalsize
  std::uint64_t end = 0;                           // with external data
  std::size_t images = 0, signatures = 0;
};

std::string Prop(const void* fdt, int node, const char* name) {
  int len = 0;
  const auto* p = static_cast<const char*>(fdt_getprop(fdt, node, name, &len));
  if (!p || len <= 0) return {};
  return std::string(p, strnlen(p, static_cast<std::size_t>(len)));
}
std::optional<std::uint64_t> PropU32(const void* fdt, int node, const char* name) {
  int len = 0;
  const void* p = fdt_getprop(fdt, node, name, &len);
  if (!p || len != 4) return std::nullopt;
  return LoadBe<std::uint32_t>(static_cast<const std::uint8_t*>(p));
}
bool StartsWith(const char* s, int len, std::string_view prefix) {
  return len >= 0 && static_cast<std::size_t>(len) >= prefix.size() &&
         std::memcmp(s, prefix.data(), prefix.size()) == 0;
}
// A name safe as one path component.
std::string SafeName(const char* s, int len) {
  std::string n(s, static_cast<std::size_t>(std::max(len, 0)));
  for (char& c : n) {
    if (c == '/' || c == '\0') c = '_';
  }
  if (n.empty() || n == "." || n == "..") n = "_" + n;
  return n;
}

// Where an image's payload is: [offset, offset + size) relative to the FIT's start.
struct Payload {
  std::uint64_t offset = 0, size = 0;
  bool external = false;
};

std::optional<Payload> PayloadOf(const void* fdt, int node, std::uint64_t total) {
  int len = 0;
  const void* d = fdt_getprop(fdt, node, "data", &len);
  if (d && len >= 0) {
    return Payload{static_cast<std::uint64_t>(static_cast<const std::uint8_t*>(d) -
                                              static_cast<const std::uint8_t*>(fdt)),
                   static_cast<std::uint64_t>(len), false};
  }
  auto size = PropU32(fdt, node, "data-size");
  if (!size) return std::nullopt;
  if (auto pos = PropU32(fdt, node, "data-position")) return Payload{*pos, *size, true};
  if (auto off = PropU32(fdt, node, "data-offset")) {
    return Payload{((total + 3) & ~std::uint64_t{3}) + *off, *size, true};
  }
  return std::nullopt;
}

class FitHandler : public Handler {
 public:
  const FormatDoc& doc() const override {
    static const FormatDoc d{
        "fit",
        "U-Boot FIT image",
        "Flattened device tree (magic 0xd00dfeed) whose header fits the input and passes "
        "libfdt's fdt_check_full(), with an /images node (a plain device tree blob is not "
        "claimed). The chunk covers the tree and any external data (data-offset, counted from "
        "the 4-byte aligned end of the tree, or data-position). Each image under /images becomes "
        "the file /images/<name> of the FIT's root, so the engine identifies its payload "
        "whatever its `compression` property says (gzip, lzma... handlers take over); hash-* "
        "nodes (crc32, md5, sha1, sha256, sha384, sha512) are verified and a mismatch is a "
        "warning. Signature nodes (signature-* under /images/* or /configurations/*) are listed "
        "in the file /signatures.txt of the FIT's root, one line per node: "
        "`<node path> algo=<algo> key-name-hint=<hint> sign-images=<list> value-bytes=<n>`; the "
        "file exists only when the FIT has at least one signature node, and the chunk "
        "description says \"signed (N signature nodes)\". A checker asks the tree for "
        "/signatures.txt in roots whose origin handler is \"fit\".",
        {"U-Boot doc/usage/fit/ (source_file_format.rst, signature.rst)", "libfdt (dtc)"},
        "Signatures are recorded, not verified (that needs the device's public key). Images "
        "whose payload lies outside the input are reported and skipped. Cipher (encrypted) "
        "images are written as stored."};
    return d;
  }
  std::vector<Magic> magics() const override { return {{"\xd0\x0d\xfe\xed", 0, true}}; }

  Result<Chunk> Identify(ByteView data, std::uint64_t offset) const override {
    auto hdr = Slice(data, offset, 40);
    if (!hdr || LoadBe<std::uint32_t>(hdr->data()) != kFdtMagic) {
      return MakeError(Errc::kNotThisFormat, "header");
    }
    const std::uint64_t total = LoadBe<std::uint32_t>(hdr->data() + 4);
    if (total < 40 || total > kMaxFdt || !Fits(data.size(), offset, total)) {
      return MakeError(Errc::kNotThisFormat, "total size");
    }
    Fit fit;
    fit.total = total;
    fit.fdt = std::make_shared<std::vector<std::uint8_t>>(data.begin() + offset,
                                                          data.begin() + offset + total);
    const void* fdt = fit.fdt->data();
    if (fdt_check_full(fdt, total) != 0) return MakeError(Errc::kNotThisFormat, "fdt_check_full");
    const int images = fdt_path_offset(fdt, "/images");
    if (images < 0) return MakeError(Errc::kNotThisFormat, "no /images (a plain device tree)");
    fit.end = total;
    int node;
    fdt_for_each_subnode(node, fdt, images) {
      ++fit.images;
      if (auto p = PayloadOf(fdt, node, total); p && p->external) {
        auto end = CheckedAdd(p->offset, p->size);
        if (end && Fits(data.size() - offset, 0, *end)) fit.end = std::max(fit.end, *end);
      }
    }
    fit.signatures = Signatures(fdt).size();
    Chunk c;
    c.offset = offset;
    c.length = fit.end;
    const std::string desc = Prop(fdt, 0, "description");
    c.description =
        fmt::format("FIT image '{}', {} images{}", desc.substr(0, 80), fit.images,
                    fit.signatures ? fmt::format(", signed ({} signature nodes)", fit.signatures)
                                   : ", unsigned");
    c.state = fit;
    return c;
  }

  Status Extract(const Chunk& chunk, ExtractContext& ctx) const override {
    const auto& fit = std::any_cast<const Fit&>(chunk.state);
    const void* fdt = fit.fdt->data();
    const ByteView view = ctx.view().subspan(chunk.offset, chunk.length);
    auto jail_r = ctx.NewRoot("archive");
    if (!jail_r) return jail_r.error();
    Jail& jail = **jail_r;
    const int images = fdt_path_offset(fdt, "/images");
    int node;
    fdt_for_each_subnode(node, fdt, images) {
      int nlen = 0;
      const char* name = fdt_get_name(fdt, node, &nlen);
      if (!name) continue;
      const std::string path = "/images/" + SafeName(name, nlen);
      auto p = PayloadOf(fdt, node, fit.total);
      if (!p) {
        ctx.Warn(chunk.offset + static_cast<std::uint64_t>(node),
                 fmt::format("FIT {}: no data, data-offset or data-position", path));
        continue;
      }
      auto payload = Slice(view, p->offset, p->size);
      if (!payload) {
        ctx.Warn(chunk.offset + std::min<std::uint64_t>(p->offset, view.size()),
                 fmt::format("FIT {}: {} bytes at 0x{:x} lie outside the input (truncated)", path,
                             p->size, p->offset));
        continue;
      }
      CheckHashes(fdt, node, *payload, path, chunk.offset + p->offset, ctx);
      auto st = jail.WriteFile(path, EntryMeta{0644, 0, 0}, *payload);
      if (!st && st.error().code == Errc::kLimitExceeded) return st;
    }
    const auto sigs = Signatures(fdt);
    if (!sigs.empty()) {
      std::string text;
      for (const auto& s : sigs) text += s + "\n";
      auto st = jail.WriteFile("/signatures.txt", EntryMeta{0644, 0, 0}, AsBytes(text));
      if (!st && st.error().code == Errc::kLimitExceeded) return st;
    }
    return Ok();
  }

 private:
  // One line per signature-* node under /images/* or /configurations/*.
  static std::vector<std::string> Signatures(const void* fdt) {
    std::vector<std::string> out;
    for (const char* parent : {"/images", "/configurations"}) {
      const int top = fdt_path_offset(fdt, parent);
      if (top < 0) continue;
      int item;
      fdt_for_each_subnode(item, fdt, top) {
        int sub;
        fdt_for_each_subnode(sub, fdt, item) {
          int len = 0;
          const char* name = fdt_get_name(fdt, sub, &len);
          if (!name || !StartsWith(name, len, "signature")) continue;
          int ilen = 0;
          const char* iname = fdt_get_name(fdt, item, &ilen);
          int vlen = 0;
          const void* value = fdt_getprop(fdt, sub, "value", &vlen);
          // sign-images is a string list ("fdt\0kernel\0").
          int slen = 0;
          const auto* si = static_cast<const char*>(fdt_getprop(fdt, sub, "sign-images", &slen));
          std::string signed_images;
          for (int i = 0; si && i < slen; i += static_cast<int>(strnlen(si + i, slen - i)) + 1) {
            if (!signed_images.empty()) signed_images += ",";
            signed_images += std::string(si + i, strnlen(si + i, slen - i));
          }
          out.push_back(fmt::format(
              "{}/{}/{} algo={} key-name-hint={} sign-images={} value-bytes={}", parent,
              SafeName(iname, ilen), SafeName(name, len), Prop(fdt, sub, "algo"),
              Prop(fdt, sub, "key-name-hint"), signed_images.empty() ? "-" : signed_images,
              value && vlen > 0 ? vlen : 0));
        }
      }
    }
    return out;
  }

  static void CheckHashes(const void* fdt, int image, ByteView payload, const std::string& path,
                          std::uint64_t at, ExtractContext& ctx) {
    int sub;
    fdt_for_each_subnode(sub, fdt, image) {
      int len = 0;
      const char* name = fdt_get_name(fdt, sub, &len);
      if (!name || !StartsWith(name, len, "hash")) continue;
      const std::string algo = Prop(fdt, sub, "algo");
      int vlen = 0;
      const auto* value = static_cast<const std::uint8_t*>(fdt_getprop(fdt, sub, "value", &vlen));
      if (!value || vlen <= 0) continue;
      std::vector<std::uint8_t> digest;
      if (algo == "crc32") {
        const std::uint32_t c = handlers::Crc32(payload);
        digest = {static_cast<std::uint8_t>(c >> 24), static_cast<std::uint8_t>(c >> 16),
                  static_cast<std::uint8_t>(c >> 8), static_cast<std::uint8_t>(c)};
      } else if (const EVP_MD* md = EVP_get_digestbyname(algo.c_str())) {
        digest.resize(EVP_MAX_MD_SIZE);
        unsigned int n = 0;
        if (EVP_Digest(payload.data(), payload.size(), digest.data(), &n, md, nullptr) != 1)
          continue;
        digest.resize(n);
      } else {
        continue;  // an algorithm this build does not know: not verified
      }
      if (digest.size() != static_cast<std::size_t>(vlen) ||
          std::memcmp(digest.data(), value, digest.size()) != 0) {
        ctx.Warn(at, fmt::format("FIT {}: {} hash does not match the payload", path, algo));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Handler> MakeFitHandler() { return std::make_unique<FitHandler>(); }

}  // namespace iotcop::unpack
