// File: tests/unpack/integration/unpack_shrs_test.cc
// D-Link SHRS: a SquashFS of the known tree (Debian's mksquashfs) encrypted with the openssl tool
// (AES-128-CBC, the published key), behind a header written here from the published layout with
// the SHA-512 digests computed by openssl, must give back the known tree through shrs > squashfs.
// Hostile variants: a ciphertext that does not match its digest, lying lengths and a cut image are
// not claimed (the coverage note still names SHRS); a plaintext digest that does not match is a
// warning naming its offset.
#include <gtest/gtest.h>

#include "support/container_fixture.h"
#include "support/fs_fixture.h"

namespace iotcop::unpack {
namespace {

constexpr const char* kShrsTestKey = "c05fbf1936c99429ce2a0781f08d6ad8";
constexpr const char* kShrsTestIv = "67c6697351ff4aec29cdbaabf2fbe346";

std::string ShrsUnhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

// SHA-512 of the file at `p` by the openssl tool (binary digest).
std::string ShrsSha512(const std::filesystem::path& p) {
  auto r = test::RunShell("openssl dgst -sha512 -binary " + test::Q(p) + " > " +
                          test::Q(p.string() + ".sha"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return test::ReadFile(p.string() + ".sha");
}

struct ShrsFixture {
  std::string image;        // header + ciphertext
  std::uint32_t plain = 0;  // plaintext length
};

// Builds the SquashFS, pads it to a whole block with zeros, encrypts it with openssl and writes
// the header.
ShrsFixture MakeShrs(const test::TempDir& tmp) {
  ShrsFixture f;
  const std::string plain = test::MakeContainerPayload(tmp).rootfs;
  if (plain.empty()) return f;
  const std::string dir = tmp.path().string();
  test::WriteFile(tmp / "plain.bin", plain);
  f.plain = static_cast<std::uint32_t>(plain.size());
  std::string padded = plain;
  padded.resize((plain.size() + 15) & ~std::size_t{15}, '\0');
  test::WriteFile(tmp / "padded.bin", padded);
  test::WriteFile(tmp / "keyed.bin", plain + ShrsUnhex(kShrsTestKey));
  auto e = test::RunShell("set -e; cd '" + dir + "'; openssl enc -aes-128-cbc -nopad -K " +
                          kShrsTestKey + " -iv " + kShrsTestIv + " -in padded.bin -out cipher.bin");
  EXPECT_EQ(e.exit_code, 0) << e.err;
  if (e.exit_code != 0) return f;
  const std::string cipher = test::ReadFile(tmp / "cipher.bin");
  std::string h(0x6DC, '\0');
  h.replace(0, 4, "SHRS");
  test::PutBe(h, 4, f.plain);
  test::PutBe(h, 8, static_cast<std::uint32_t>(cipher.size()));
  h.replace(0x0C, 16, ShrsUnhex(kShrsTestIv));
  h.replace(0x1C, 64, ShrsSha512(tmp / "keyed.bin"));
  h.replace(0x5C, 64, ShrsSha512(tmp / "plain.bin"));
  h.replace(0x9C, 64, ShrsSha512(tmp / "cipher.bin"));
  for (std::size_t i = 0x2DC; i < 0x6DC; ++i) h[i] = static_cast<char>(i * 7);  // "signatures"
  f.image = h + cipher;
  return f;
}

bool HaveShrsTools() {
  return test::HaveTool("mksquashfs") && test::HaveTool("xz") && test::HaveTool("openssl");
}

bool ShrsNamedInCoverage(const UnpackResult& r) {
  for (const auto& u : r.unknown) {
    if (u.offset == 0 && u.note.find("SHRS") != std::string::npos) return true;
  }
  return false;
}

TEST(Shrs, DecryptsToTheKnownTree) {
  if (!HaveShrsTools()) GTEST_SKIP() << "mksquashfs, xz or openssl not installed";
  test::TempDir tmp;
  const auto f = MakeShrs(tmp);
  ASSERT_FALSE(f.image.empty());
  auto r = test::UnpackBytes(tmp, "fw.bin", f.image);
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "squashfs");
  ASSERT_NE(root, UINT32_MAX);
  const auto& o = r.tree.roots()[root].origin;
  ASSERT_GE(o.size(), 2u);
  EXPECT_EQ(o[0].handler, "shrs");
  EXPECT_EQ(o[0].offset, 0u);
  EXPECT_EQ(o[0].length, f.image.size());
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root), 60u);
  test::ExpectInside(r, tmp / "out-fw.bin");
}

// Ciphertext changed after the digest was taken, lengths that lie (not whole blocks, more than
// the data, plain longer than cipher): not claimed, and the coverage note names the scheme.
TEST(ShrsHostile, BadDigestAndLyingLengthsAreNotClaimed) {
  if (!HaveShrsTools()) GTEST_SKIP() << "mksquashfs, xz or openssl not installed";
  test::TempDir tmp;
  const auto f = MakeShrs(tmp);
  ASSERT_FALSE(f.image.empty());
  auto with_be32 = [&](std::size_t at, std::uint32_t v) {
    std::string s = f.image;
    test::PutBe(s, at, v);
    return s;
  };
  std::string flipped = f.image;
  flipped[0x6DC + 100] = static_cast<char>(flipped[0x6DC + 100] ^ 0x55);
  const auto cipher_len = static_cast<std::uint32_t>(f.image.size() - 0x6DC);
  for (const auto& [name, img] :
       {std::pair{"flipped", flipped}, std::pair{"unaligned", with_be32(8, cipher_len - 1)},
        std::pair{"toolong", with_be32(8, cipher_len + 0x100000)},
        std::pair{"plainlonger", with_be32(4, cipher_len + 1)},
        std::pair{"cut", f.image.substr(0, f.image.size() - 4096)}}) {
    auto r = test::UnpackBytes(tmp, name, img);
    EXPECT_EQ(test::RootOf(r.tree, "squashfs"), UINT32_MAX) << name;
    EXPECT_TRUE(ShrsNamedInCoverage(r)) << name;
    test::ExpectInside(r, tmp / (std::string("out-") + name));
  }
}

// The plaintext digest does not match (as with another key): decrypted, with a warning at 0x5C.
TEST(ShrsHostile, PlaintextDigestMismatchIsAWarning) {
  if (!HaveShrsTools()) GTEST_SKIP() << "mksquashfs, xz or openssl not installed";
  test::TempDir tmp;
  const auto f = MakeShrs(tmp);
  ASSERT_FALSE(f.image.empty());
  std::string img = f.image;
  img[0x5C] = static_cast<char>(img[0x5C] ^ 1);
  auto r = test::UnpackBytes(tmp, "fw.bin", img);
  EXPECT_TRUE(test::HasProblemAt(r, "SHA-512", 0x5C));
  EXPECT_NE(test::RootOf(r.tree, "squashfs"), UINT32_MAX);
}

}  // namespace
}  // namespace iotcop::unpack
