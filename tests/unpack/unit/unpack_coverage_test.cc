// Coverage of an unpacked image: the regions nobody decoded, with offsets in the input, a bounded
// entropy and a best guess (padding, encrypted, compressed, text, a named vendor scheme), and the
// Coverage record (bytes decoded, file systems, files) the assessment keeps.
#include <gtest/gtest.h>

#include <random>

#include <fmt/format.h>

#include "core/bytes.h"
#include "support/store_fixture.h"
#include "support/test_support.h"
#include "unpack/coverage.h"
#include "unpack/engine.h"

namespace iotcop::unpack {
namespace {
namespace fs = std::filesystem;

std::string RandomBytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

const CoverageRegion* RegionAt(const Coverage& c, std::uint64_t input_offset) {
  for (const auto& r : c.regions)
    if (r.input_offset == input_offset) return &r;
  return nullptr;
}

TEST(UnpackCoverage, EntropyOfALargeRegionIsSampledAndStillRight) {
  const std::string random = RandomBytes(8u << 20, 1);
  EXPECT_GT(SampledEntropy(AsBytes(random)), 7.99);
  const std::string zeros(8u << 20, '\0');
  EXPECT_EQ(SampledEntropy(AsBytes(zeros)), 0.0);
  // Half text, half random: the samples see both halves.
  std::string mixed(4u << 20, 'a');
  mixed += RandomBytes(4u << 20, 2);
  const double e = SampledEntropy(AsBytes(mixed));
  EXPECT_GT(e, 4.0);
  EXPECT_LT(e, 6.0);
}

TEST(UnpackCoverage, GuessNamesEncryptedTextAndVendorSchemes) {
  const std::string random = RandomBytes(1u << 20, 3);
  auto g = GuessRegion(AsBytes(random));
  EXPECT_EQ(g.guess, "encrypted");
  EXPECT_EQ(g.note, "likely encrypted");
  // Too short for the chi-square to tell encrypted from compressed: both are said.
  g = GuessRegion(AsBytes(random).subspan(0, 4096));
  EXPECT_EQ(g.guess, "encrypted-or-compressed");
  EXPECT_EQ(g.note, "likely encrypted or compressed with an unknown scheme");
  std::string text;
  while (text.size() < 5000) text += "console=ttyS0,115200 root=/dev/mtdblock2\n";
  EXPECT_EQ(GuessRegion(AsBytes(text)).guess, "text");
  // Skewed high-entropy data (a compressed stream's structure) is not called encrypted.
  std::string skewed = RandomBytes(1u << 20, 4);
  for (std::size_t i = 0; i < skewed.size(); i += 97) skewed[i] = '\0';
  g = GuessRegion(AsBytes(skewed));
  EXPECT_EQ(g.guess, "compressed") << g.entropy;

  bool encrypts = false;
  const std::string shrs = "SHRS" + RandomBytes(1u << 20, 5);
  EXPECT_EQ(VendorScheme(AsBytes(shrs), &encrypts), "D-Link SHRS, AES-128-CBC");
  EXPECT_TRUE(encrypts);
  const std::string chk = "*#$^" + RandomBytes(64, 6);
  EXPECT_EQ(VendorScheme(AsBytes(chk), &encrypts), "Netgear CHK");
  EXPECT_FALSE(encrypts);
  EXPECT_EQ(VendorScheme(AsBytes(random).subspan(0, 2), &encrypts), "");
  EXPECT_EQ(VendorScheme(AsBytes(std::string("SHR")), &encrypts), "");
}

TEST(UnpackCoverage, RandomImageHasNoFileSystemAndSaysWhy) {
  test::TempDir t;
  test::WriteFile(t / "enc.bin", "SHRS" + RandomBytes((3u << 20) + 4096, 7));
  UnpackOptions o;
  o.out_dir = t / "out";
  auto r = UnpackImage(t / "enc.bin", o);
  ASSERT_TRUE(r) << r.error().Describe();
  const Coverage c = CoverageOf(*r, r->input_size);
  EXPECT_EQ(c.size, (3u << 20) + 4100);
  EXPECT_EQ(c.decoded, 0u);
  EXPECT_EQ(c.undecoded, c.size);
  EXPECT_EQ(c.filesystems, 0u);
  EXPECT_EQ(c.files, 0u);
  EXPECT_FALSE(c.extracted());
  ASSERT_EQ(c.regions.size(), 1u);
  EXPECT_EQ(c.regions[0].guess, "encrypted");
  EXPECT_GT(c.regions[0].entropy, 7.99);
  EXPECT_EQ(c.Warning().rfind("no file system could be extracted: 3.0 MiB at 0x0 with entropy ", 0),
            0u)
      << c.Warning();
  EXPECT_NE(c.Warning().find(", likely encrypted (D-Link SHRS, AES-128-CBC)"), std::string::npos)
      << c.Warning();
  EXPECT_NE(c.Summary().find("0.0% of 3.0 MiB decoded"), std::string::npos) << c.Summary();
}

TEST(UnpackCoverage, PartlyDecodableImageListsTheUndecodedRegionsWithOffsets) {
  test::TempDir t;
  test::WriteProductTree(t / "tree", 1);
  const std::string tgz = test::ReadFile(test::MakeTarImage(t / "tree", t / "p.tar.gz"));
  const std::string head = RandomBytes(64u << 10, 8);
  const std::string pad(8192, '\xff');
  const std::string tail = RandomBytes(32u << 10, 9);
  test::WriteFile(t / "fw.bin", head + tgz + pad + tail);
  UnpackOptions o;
  o.out_dir = t / "out";
  auto r = UnpackImage(t / "fw.bin", o);
  ASSERT_TRUE(r) << r.error().Describe();
  const Coverage c = CoverageOf(*r, r->input_size);
  EXPECT_TRUE(c.extracted());
  EXPECT_EQ(c.Warning(), "");
  EXPECT_GE(c.filesystems, 1u);
  EXPECT_GT(c.files, 3u);
  EXPECT_EQ(c.decoded, tgz.size());
  EXPECT_EQ(c.padding, pad.size());
  EXPECT_EQ(c.undecoded, head.size() + tail.size());
  const CoverageRegion* h = RegionAt(c, 0);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->size, head.size());
  EXPECT_EQ(h->guess, "encrypted");
  const CoverageRegion* p = RegionAt(c, head.size() + tgz.size());
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->guess, "padding");
  EXPECT_EQ(p->size, pad.size());
  const CoverageRegion* tl = RegionAt(c, head.size() + tgz.size() + pad.size());
  ASSERT_NE(tl, nullptr);
  EXPECT_EQ(tl->size, tail.size());
  EXPECT_EQ(
      tl->Describe().rfind(fmt::format("32.0 KiB at {:#x} with entropy", *tl->input_offset), 0), 0u)
      << tl->Describe();
}

}  // namespace
}  // namespace iotcop::unpack
