// File: tests/unpack/integration/unpack_xiaomi_test.cc
// Xiaomi HDR1/HDR2: images written here as OpenWrt's xiaomifw writes them (header, blobs with
// their 0xBABE headers aligned to 4, a zeroed signature block, CRC-32 from offset 12), holding an
// LZMA "kernel" and a SquashFS of the known tree made by Debian's xz and mksquashfs, must give back
// the known tree through xiaomi > squashfs. Hostile variants: a bad CRC, a blob past the
// signature and a cut image are not claimed, and the SquashFS is still carved by the scan.
#include <gtest/gtest.h>

#include "support/container_fixture.h"
#include "support/fs_fixture.h"
#include "unpack/handlers/common.h"

namespace iotcop::unpack {
namespace {

struct XiaomiImage {
  std::string bytes;
  std::size_t rootfs_at = 0;  // where the SquashFS content starts
};

// `v2`: the 80-byte HDR2 header with device "RA70" and region "EU". `blob_size_delta` makes the
// second blob's size lie (before the CRC is computed).
XiaomiImage MakeXiaomiImage(const test::ContainerPayload& p, bool v2,
                            std::uint32_t blob_size_delta = 0) {
  const std::size_t header = v2 ? 80 : 48;
  XiaomiImage img;
  std::string h(header, '\0');
  h.replace(0, 4, v2 ? "HDR2" : "HDR1");
  if (v2) {
    h.replace(16, 4, "RA70");
    h.replace(24, 2, "EU");
  } else {
    test::PutLe(h, 14, 0x25, 2);  // RA70
  }
  std::string body;
  int i = 0;
  for (const auto& [name, content] :
       {std::pair{"uImage", p.kernel}, std::pair{"rootfs", p.rootfs}}) {
    std::string bh(48, '\0');
    test::PutLe(bh, 0, 0xbabe);
    test::PutLe(bh, 4, 0xffffffff);
    test::PutLe(bh, 8, static_cast<std::uint32_t>(content.size()) + (i == 1 ? blob_size_delta : 0));
    test::PutLe(bh, 12, i == 0 ? 4 : 6, 2);
    bh.replace(16, std::string(name).size(), name);
    test::PutLe(h, header - 32 + 4 * i, static_cast<std::uint32_t>(header + body.size()));
    if (i == 1) img.rootfs_at = header + body.size() + 48;
    body += bh + content;
    body.resize((body.size() + 3) & ~std::size_t{3}, '\0');
    ++i;
  }
  test::PutLe(h, 4, static_cast<std::uint32_t>(header + body.size()));
  img.bytes = h + body + std::string(16 + 0x100, '\0');
  test::PutLe(img.bytes, 8, ~handlers::Crc32(AsBytes(std::string_view(img.bytes).substr(12))));
  return img;
}

bool HaveXiaomiTools() { return test::HaveTool("mksquashfs") && test::HaveTool("xz"); }

TEST(Xiaomi, Hdr1AndHdr2BlobsScannedInPlace) {
  if (!HaveXiaomiTools()) GTEST_SKIP() << "mksquashfs or xz not installed";
  test::TempDir tmp;
  const auto p = test::MakeContainerPayload(tmp);
  ASSERT_FALSE(p.rootfs.empty());
  for (bool v2 : {false, true}) {
    const auto img = MakeXiaomiImage(p, v2);
    const std::string name = v2 ? "hdr2.bin" : "hdr1.bin";
    auto r = test::UnpackBytes(tmp, name, img.bytes);
    for (const auto& pr : r.problems) ADD_FAILURE() << name << " problem: " << pr.message;
    const std::uint32_t root = test::RootOf(r.tree, "squashfs");
    ASSERT_NE(root, UINT32_MAX) << name;
    const auto& o = r.tree.roots()[root].origin;
    ASSERT_GE(o.size(), 2u) << name;
    EXPECT_EQ(o[0].handler, "xiaomi") << name;
    EXPECT_EQ(o[0].length, img.bytes.size()) << name;
    EXPECT_EQ(o[1].offset, img.rootfs_at) << name;
    EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root), 60u) << name;
    test::ExpectInside(r, tmp / ("out-" + name));
  }
}

TEST(XiaomiHostile, BadCrcLyingBlobAndCutImageAreNotClaimed) {
  if (!HaveXiaomiTools()) GTEST_SKIP() << "mksquashfs or xz not installed";
  test::TempDir tmp;
  const auto p = test::MakeContainerPayload(tmp);
  ASSERT_FALSE(p.rootfs.empty());
  std::string bad_crc = MakeXiaomiImage(p, false).bytes;
  bad_crc[8] = static_cast<char>(bad_crc[8] ^ 1);
  const std::string whole = MakeXiaomiImage(p, true).bytes;
  for (const auto& [name, img] :
       {std::pair{"crc", bad_crc}, std::pair{"bloblen", MakeXiaomiImage(p, false, 4096).bytes},
        std::pair{"cut", whole.substr(0, whole.size() - 100)}}) {
    auto r = test::UnpackBytes(tmp, name, img);
    test::ExpectSquashfsThrough(r, "squashfs", name);
    bool named = false;
    for (const auto& u : r.unknown) named |= u.note.find("Xiaomi HDR") != std::string::npos;
    EXPECT_TRUE(named) << name;
  }
}

}  // namespace
}  // namespace iotcop::unpack
