// Signature trailers appended to whole images: OpenWrt fwtool chunks and Android AVB footers,
// built byte for byte as fwtool and avbtool lay them out.
#include "firmware/image_trailers.h"

#include <gtest/gtest.h>

#include "core/fact_kinds.h"
#include "firmware/collector.h"
#include "support/firmware_support.h"
#include "support/test_support.h"

namespace iotcop {
namespace {

void PutBe32(std::string& s, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
void PutBe64(std::string& s, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}

// One fwtool chunk: header {version, flags}, data, trailer {magic, crc32, type, pad, size}.
std::string FwtoolChunk(const std::string& data, std::uint8_t type) {
  std::string c;
  PutBe32(c, 0);  // header version
  PutBe32(c, 0);  // flags
  c += data;
  PutBe32(c, 0x46577830);
  PutBe32(c, 0x12345678);  // crc32 (not checked)
  c += static_cast<char>(type);
  c += std::string(3, '\0');
  PutBe32(c, static_cast<std::uint32_t>(8 + data.size() + 16));
  return c;
}

std::string AvbImage(std::uint32_t algorithm) {
  std::string img(4096, 'k');  // the original image
  const std::uint64_t vb_off = img.size();
  std::string vbmeta = "AVB0";
  PutBe32(vbmeta, 1);
  PutBe32(vbmeta, 0);
  PutBe64(vbmeta, 576);   // authentication block
  PutBe64(vbmeta, 1088);  // auxiliary block
  PutBe32(vbmeta, algorithm);
  vbmeta.resize(256 + 576 + 1088, '\0');
  img += vbmeta;
  img.resize(16384 - 64, '\0');  // partition padding
  std::string footer = "AVBf";
  PutBe32(footer, 1);
  PutBe32(footer, 0);
  PutBe64(footer, vb_off);
  PutBe64(footer, vb_off);
  PutBe64(footer, vbmeta.size());
  footer.resize(64, '\0');
  return img + footer;
}

ByteView View(const std::string& s) { return AsBytes(s); }

TEST(ImageTrailers, FwtoolMetadataAndSignatureChunks) {
  const std::string payload(1000, 'x');
  const std::string meta =
      R"({"supported_devices":["tplink,archer-c7-v2"],"version":{"dist":"OpenWrt"}})";
  const std::string img = payload + FwtoolChunk(meta, 1) + FwtoolChunk(std::string(300, '\x5a'), 0);
  auto t = firmware::ParseImageTrailers(View(img), "fw.bin");
  ASSERT_TRUE(t.ok()) << t.error().Describe();
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0].kind, "signature");
  EXPECT_TRUE((*t)[0].is_signature);
  EXPECT_EQ((*t)[0].offset, 1000u + 8 + meta.size() + 16);
  EXPECT_EQ((*t)[1].kind, "metadata");
  EXPECT_FALSE((*t)[1].is_signature);
  EXPECT_EQ((*t)[1].offset, 1000u);
  EXPECT_NE((*t)[1].detail.find("archer-c7-v2"), std::string::npos);

  // Metadata only: a trailer, but no signature.
  auto meta_only = firmware::ParseImageTrailers(View(payload + FwtoolChunk(meta, 1)), "fw.bin");
  ASSERT_TRUE(meta_only.ok());
  ASSERT_EQ(meta_only->size(), 1u);
  EXPECT_FALSE(meta_only->front().is_signature);

  // No trailer at all.
  auto none = firmware::ParseImageTrailers(View(payload), "fw.bin");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(ImageTrailers, LyingFwtoolSizesAreErrorsWithTheOffset) {
  std::string img = std::string(100, 'x') + FwtoolChunk("sig", 0);
  // Claim a chunk larger than the whole image.
  img[img.size() - 4] = '\x7f';
  auto t = firmware::ParseImageTrailers(View(img), "fw.bin");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().offset, img.size() - 16);
  EXPECT_NE(t.error().Describe().find("fw.bin"), std::string::npos);
  std::string bad_type = std::string(100, 'x') + FwtoolChunk("sig", 0);
  bad_type[bad_type.size() - 8] = 9;
  EXPECT_FALSE(firmware::ParseImageTrailers(View(bad_type), "fw.bin").ok());
  // A magic in a buffer too short for a chunk.
  std::string tiny;
  PutBe32(tiny, 0x46577830);
  tiny += std::string(12, '\0');
  EXPECT_FALSE(firmware::ParseImageTrailers(View(tiny), "fw.bin").ok());
}

TEST(ImageTrailers, AvbFooterSignedOrNot) {
  auto s = firmware::ParseImageTrailers(View(AvbImage(2)), "boot.img");
  ASSERT_TRUE(s.ok()) << s.error().Describe();
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ(s->front().format, "android-avb");
  EXPECT_TRUE(s->front().is_signature);
  EXPECT_EQ(s->front().detail, "vbmeta algorithm SHA256_RSA4096");
  auto n = firmware::ParseImageTrailers(View(AvbImage(0)), "boot.img");
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(n->size(), 1u);
  EXPECT_FALSE(n->front().is_signature) << "algorithm NONE";
  std::string lying = AvbImage(1);
  lying[lying.size() - 64 + 20] = '\x7f';  // vbmeta offset far beyond the image
  auto bad = firmware::ParseImageTrailers(View(lying), "boot.img");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().offset, lying.size() - 64);
  std::string unknown = AvbImage(1);
  unknown[4096 + 31] = 77;
  EXPECT_FALSE(firmware::ParseImageTrailers(View(unknown), "boot.img").ok());
}

TEST(ImageTrailers, CollectorAndCheckSeeTheTrailerOfTheImageFile) {
  test::TempDir tmp;
  const auto root = tmp.path() / "root";
  test::WriteFile(root / "etc/banner", "hello\n");
  const std::string meta = R"({"supported_devices":["x"]})";
  auto run = [&](const std::string& image_bytes) {
    const auto image = tmp.path() / "fw.bin";
    test::WriteFile(image, image_bytes);
    auto tree = test::TreeOf(root);
    firmware::FirmwareInput in{tree, image.string()};
    FactStore facts;
    std::vector<Problem> problems;
    for (const auto& c : firmware::BuiltinCollectors())
      if (c->doc().name == "image-signature") c->Collect(in, facts, problems);
    return std::make_pair(std::move(facts), std::move(problems));
  };
  auto [signed_facts, p1] =
      run(std::string(500, 'x') + FwtoolChunk(meta, 1) + FwtoolChunk(std::string(64, 's'), 0));
  auto sig = signed_facts.OfKind(facts::kImageSignature);
  ASSERT_EQ(sig.size(), 1u);
  EXPECT_EQ(sig[0]->value["format"], "openwrt-fwtool");
  EXPECT_TRUE(sig[0]->value["signed"].get<bool>());
  EXPECT_EQ(sig[0]->value["trailers"].size(), 2u);
  EXPECT_EQ(sig[0]->evidence.offset, 500u + 8 + meta.size() + 16);

  auto [meta_facts, p2] = run(std::string(500, 'x') + FwtoolChunk(meta, 1));
  auto unsigned_sig = meta_facts.OfKind(facts::kImageSignature);
  ASSERT_EQ(unsigned_sig.size(), 1u);
  EXPECT_FALSE(unsigned_sig[0]->value["signed"].get<bool>());
  auto r = test::RunCheck("fw.updates.integrity", meta_facts);
  bool said = false;
  for (const auto& o : r.outcomes) {
    if (o.provision == "5.7-1") {
      said = true;
      EXPECT_NE(o.reason.find("openwrt-fwtool image(s) or trailer(s) carry no signature"),
                std::string::npos)
          << o.reason;
    }
  }
  EXPECT_TRUE(said);

  auto [plain, p3] = run(std::string(500, 'x'));
  EXPECT_TRUE(plain.OfKind(facts::kImageSignature).empty());
  std::string broken = std::string(500, 'x') + FwtoolChunk(meta, 1);
  broken[broken.size() - 4] = '\x7f';
  auto [bad, p4] = run(broken);
  EXPECT_TRUE(bad.OfKind(facts::kImageSignature).empty());
  ASSERT_EQ(p4.size(), 1u);
  EXPECT_NE(p4[0].message.find("fwtool trailer"), std::string::npos);
}

}  // namespace
}  // namespace iotcop
