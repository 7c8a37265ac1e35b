// File: tests/unpack/integration/unpack_espimage_test.cc
// Espressif images, written here from the published layouts (esptool's firmware-image-format
// documentation and bin_image.py, ESP-IDF's esp_app_format.h and gen_esp32part.py; esptool is not
// packaged in Debian): an ESP32 application image with its extended header, esp_app_desc_t,
// checksum and appended SHA-256, whose DROM segment holds a gzip stream (Debian's gzip) that must
// be found by scanning the segment in place; an ESP8266 image; a flash dump with the bootloader,
// a partition table with its MD5 entry and the application in the factory partition. Hostile
// variants: a bad checksum, a bad SHA-256, a lying segment count, a truncated image, a bad MD5
// and a cut partition.
#include <openssl/evp.h>

#include <gtest/gtest.h>

#include "support/fs_fixture.h"
#include "support/test_support.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

void EspPut32(std::string& s, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
std::string EspLe32(std::uint32_t v) {
  std::string s(4, '\0');
  EspPut32(s, 0, v);
  return s;
}
std::string EspDigest(const std::string& data, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), n);
}
std::string EspFixed(const std::string& s, std::size_t n) {
  std::string out = s.substr(0, n);
  out.resize(n, '\0');
  return out;
}

struct EspSeg {
  std::uint32_t load;
  std::string data;
};

// esptool's layout: header (8 bytes; ESP32: + 16-byte extended header), segments, zero padding
// to one byte before a 16-byte line, the XOR checksum (seed 0xEF), then the SHA-256 when asked.
std::string EspTestImage(bool esp32, const std::vector<EspSeg>& segs, bool hash) {
  std::string img;
  img += '\xE9';
  img += static_cast<char>(segs.size());
  img += '\x02';  // DIO
  img += '\x20';  // 2 MB, 40 MHz
  img += EspLe32(0x40081214);
  if (esp32) {
    std::string ext(16, '\0');
    ext[0] = '\xEE';  // WP pin disabled
    // chip id 0 (ESP32) at 4-5; min rev 0; max rev full 399 at 9-10
    ext[9] = static_cast<char>(399 & 0xff);
    ext[10] = static_cast<char>(399 >> 8);
    ext[15] = hash ? 1 : 0;
    img += ext;
  }
  unsigned char sum = 0xEF;
  for (const auto& s : segs) {
    img += EspLe32(s.load) + EspLe32(static_cast<std::uint32_t>(s.data.size())) + s.data;
    for (unsigned char c : s.data) sum ^= c;
  }
  while (img.size() % 16 != 15) img += '\0';
  img += static_cast<char>(sum);
  if (hash) img += EspDigest(img, EVP_sha256());
  return img;
}

// esp_app_desc_t (256 bytes): magic, secure_version, reserved, version, project_name, time,
// date, idf_ver, app_elf_sha256, reserved.
std::string EspAppDesc() {
  return EspLe32(0xABCD5432) + std::string(12, '\0') + EspFixed("v1.0", 32) +
         EspFixed("hello_world", 32) + EspFixed("10:00:00", 16) + EspFixed("Jan  1 2024", 16) +
         EspFixed("v5.1.2", 32) + std::string(32 + 80, '\0');
}

// A gzip stream of a known text (Debian's gzip), padded to 4 bytes as segments are.
std::string EspGzip(const test::TempDir& tmp) {
  auto b = test::RunShell(
      "cd '" + tmp.path().string() +
      "' && printf 'esp32 config: wifi_ssid=lab\\n' > cfg.txt && gzip -9 -n -k cfg.txt");
  EXPECT_EQ(b.exit_code, 0) << b.err;
  std::string gz = test::ReadFile(tmp / "cfg.txt.gz");
  gz.resize((gz.size() + 3) & ~std::size_t{3}, '\0');
  return gz;
}

std::vector<EspSeg> EspAppSegments(const test::TempDir& tmp) {
  return {{0x3f400020, EspAppDesc() + EspGzip(tmp)},
          {0x3ffb0000, std::string(0x40, '\x11')},
          {0x40080000, std::string(0x100, '\x22')}};
}

std::size_t EspNotes(const UnpackResult& r, const std::string& kind) {
  std::size_t n = 0;
  for (const auto& note : r.tree.notes()) n += note.kind == kind;
  return n;
}

TEST(EspImage, Esp32AppSegmentsHashAndPayload) {
  if (!test::HaveTool("gzip")) GTEST_SKIP() << "gzip not installed";
  test::TempDir tmp;
  test::WriteFile(tmp / "app.bin", EspTestImage(true, EspAppSegments(tmp), true));
  auto r = test::Unpack(tmp / "app.bin", tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  EXPECT_EQ(EspNotes(r, "esp-segment"), 3u);
  ASSERT_EQ(EspNotes(r, "esp-app"), 1u);
  for (const auto& n : r.tree.notes()) {
    if (n.kind == "esp-app") {
      EXPECT_EQ(n.text,
                "project 'hello_world' version 'v1.0', built Jan  1 2024 10:00:00, ESP-IDF "
                "v5.1.2");
      EXPECT_EQ(n.offset, 24u + 8u);
      ASSERT_FALSE(n.origin.empty());
      EXPECT_EQ(n.origin[0].handler, "espimage");
      EXPECT_EQ(n.origin[0].length, fs::file_size(tmp / "app.bin"));
    }
    if (n.kind == "esp-segment" && n.text.starts_with("segment 0:")) {
      EXPECT_NE(n.text.find("loaded at 0x3f400020"), std::string::npos) << n.text;
    }
  }
  // The gzip stream inside the DROM segment was found by scanning the segment in place.
  bool gz = false;
  for (const auto& e : r.tree.entries()) {
    if (e.type == EntryType::kFile && !e.disk.empty() &&
        test::ReadFile(e.disk) == "esp32 config: wifi_ssid=lab\n") {
      gz = true;
    }
  }
  EXPECT_TRUE(gz);
  test::ExpectInside(r, tmp / "out");
}

TEST(EspImage, Esp8266App) {
  test::TempDir tmp;
  const std::vector<EspSeg> segs = {{0x40100000, std::string(0x80, '\x33')},
                                    {0x3ffe8000, std::string(0x20, '\x44')}};
  test::WriteFile(tmp / "esp8266.bin", EspTestImage(false, segs, false));
  auto r = test::Unpack(tmp / "esp8266.bin", tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  EXPECT_EQ(EspNotes(r, "esp-segment"), 2u);
  EXPECT_EQ(EspNotes(r, "esp-app"), 0u);
}

TEST(EspImageHostile, ChecksumHashCountAndTruncation) {
  if (!test::HaveTool("gzip")) GTEST_SKIP() << "gzip not installed";
  test::TempDir tmp;
  const std::string good = EspTestImage(true, EspAppSegments(tmp), true);
  const std::size_t sum_at = good.size() - 33;
  std::string bad_sum = good;
  bad_sum[sum_at] = static_cast<char>(bad_sum[sum_at] ^ 0x5a);
  test::WriteFile(tmp / "sum.bin", bad_sum);
  auto a = test::Unpack(tmp / "sum.bin", tmp / "out-sum");
  EXPECT_TRUE(test::HasProblem(a, "ESP image checksum byte is"));
  EXPECT_TRUE(test::HasProblem(a, "SHA-256 does not match"));  // the hash covers the checksum
  EXPECT_EQ(EspNotes(a, "esp-segment"), 3u);

  std::string bad_hash = good;
  bad_hash[good.size() - 1] = static_cast<char>(bad_hash[good.size() - 1] ^ 1);
  test::WriteFile(tmp / "hash.bin", bad_hash);
  auto b = test::Unpack(tmp / "hash.bin", tmp / "out-hash");
  EXPECT_TRUE(test::HasProblem(b, "ESP image appended SHA-256 does not match the image"));
  EXPECT_FALSE(test::HasProblem(b, "checksum byte"));

  // A segment count of 9 where there are 3: the "segments" after the third are the checksum
  // line and the hash, not segments; the image is not claimed as one.
  std::string lying = good;
  lying[1] = 9;
  test::WriteFile(tmp / "count.bin", lying);
  auto c = test::Unpack(tmp / "count.bin", tmp / "out-count");
  EXPECT_EQ(EspNotes(c, "esp-segment"), 0u);
  test::ExpectInside(c, tmp / "out-count");

  // Cut inside the last segment: nothing claimed, nothing read past the end; cut inside the
  // hash: claimed, the hash reported missing.
  test::ForEachTruncation(
      tmp / "sum.bin", tmp / "cuts", {40, 200, good.size() - 300},
      [](std::uint64_t, const UnpackResult& r) { EXPECT_EQ(EspNotes(r, "esp-segment"), 0u); });
  test::Truncate(tmp / "hash.bin", tmp / "nohash.bin", good.size() - 10);
  auto d = test::Unpack(tmp / "nohash.bin", tmp / "out-nohash");
  EXPECT_TRUE(test::HasProblem(d, "ESP image SHA-256 missing"));
}

// gen_esp32part.py: "<2sBBLL16sL" entries, the MD5 entry, 0xFF to 0xC00.
std::string EspPartEntry(std::uint8_t type, std::uint8_t subtype, std::uint32_t offset,
                         std::uint32_t size, const std::string& label) {
  return std::string("\xAA\x50", 2) + static_cast<char>(type) + static_cast<char>(subtype) +
         EspLe32(offset) + EspLe32(size) + EspFixed(label, 16) + EspLe32(0);
}
std::string EspTestTable(bool good_md5) {
  std::string t = EspPartEntry(1, 0x02, 0x9000, 0x6000, "nvs") +
                  EspPartEntry(1, 0x01, 0xf000, 0x1000, "phy_init") +
                  EspPartEntry(0, 0x00, 0x10000, 0x10000, "factory");
  std::string md5 = EspDigest(t, EVP_md5());
  if (!good_md5) md5[0] = static_cast<char>(md5[0] ^ 1);
  t += std::string("\xEB\xEB", 2) + std::string(14, '\xFF') + md5;
  t.resize(0xC00, '\xFF');
  return t;
}

// Flash: bootloader image at 0x1000, the table at 0x8000, nvs, phy_init, the app at 0x10000.
std::string EspFlash(const test::TempDir& tmp, bool good_md5) {
  std::string flash(0x20000, '\xFF');
  const std::string boot = EspTestImage(
      true, {{0x3fff0030, std::string(0x200, '\x55')}, {0x40078000, std::string(0x300, '\x66')}},
      true);
  flash.replace(0x1000, boot.size(), boot);
  flash.replace(0x8000, 0xC00, EspTestTable(good_md5));
  const std::string app = EspTestImage(true, EspAppSegments(tmp), true);
  flash.replace(0x10000, app.size(), app);
  return flash;
}

TEST(EspPart, FlashDumpPartitionsScannedInPlace) {
  if (!test::HaveTool("gzip")) GTEST_SKIP() << "gzip not installed";
  test::TempDir tmp;
  test::WriteFile(tmp / "flash.bin", EspFlash(tmp, true));
  auto r = test::Unpack(tmp / "flash.bin", tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  ASSERT_EQ(EspNotes(r, "esp-partition"), 3u);
  EXPECT_EQ(EspNotes(r, "esp-app"), 1u);
  EXPECT_EQ(EspNotes(r, "esp-segment"), 2u + 3u);  // bootloader and app
  for (const auto& n : r.tree.notes()) {
    if (n.kind == "esp-partition" && n.text.starts_with("partition 'factory'")) {
      EXPECT_EQ(n.text, "partition 'factory' app/factory at 0x10000, 0x10000 bytes");
      EXPECT_EQ(n.offset, 0x8000u + 64u);
    }
    if (n.kind == "esp-app") {  // found inside the factory partition
      ASSERT_GE(n.origin.size(), 2u);
      EXPECT_EQ(n.origin[0].handler, "esppart");
      EXPECT_EQ(n.origin[0].offset, 0x8000u);
      EXPECT_EQ(n.origin[1].handler, "espimage");
      EXPECT_EQ(n.origin[1].offset, 0x8000u);  // in the esppart chunk
    }
  }
  test::ExpectInside(r, tmp / "out");
}

TEST(EspPartHostile, BadMd5CutPartitionAndOverlap) {
  if (!test::HaveTool("gzip")) GTEST_SKIP() << "gzip not installed";
  test::TempDir tmp;
  test::WriteFile(tmp / "md5.bin", EspFlash(tmp, false));
  auto a = test::Unpack(tmp / "md5.bin", tmp / "out-md5");
  EXPECT_TRUE(test::HasProblem(a, "ESP32 partition table MD5 does not match its entries"));
  EXPECT_EQ(EspNotes(a, "esp-partition"), 3u);

  test::Truncate(tmp / "md5.bin", tmp / "cut.bin", 0x18000);
  auto b = test::Unpack(tmp / "cut.bin", tmp / "out-cut");
  EXPECT_TRUE(test::HasProblem(b, "ESP32 partition 'factory' cut: 0x8000 of 0x10000 bytes"));

  // Two partitions claiming the same flash, and one far outside the dump.
  std::string flash(0x10000, '\xFF');
  std::string t = EspPartEntry(1, 0x02, 0x9000, 0x2000, "nvs") +
                  EspPartEntry(1, 0x82, 0xa000, 0x2000, "evil") +
                  EspPartEntry(1, 0x81, 0x7fff000, 0x1000000, "far");
  flash.replace(0x8000, t.size(), t);
  test::WriteFile(tmp / "overlap.bin", flash);
  auto c = test::Unpack(tmp / "overlap.bin", tmp / "out-overlap");
  EXPECT_TRUE(test::HasProblem(c, "ESP32 partition 'evil' at 0xa000 overlaps"));
  EXPECT_TRUE(test::HasProblem(c, "ESP32 partition 'far' at 0x7fff000 is not in the image"));
  test::ExpectInside(c, tmp / "out-overlap");
}

}  // namespace
}  // namespace iotcop::unpack
