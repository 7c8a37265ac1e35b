// File: tests/unpack/unit/fuzz_regressions_test.cc
// Inputs the libFuzzer targets (fuzz/, docs/fuzzing.md) found to crash, hang or exhaust memory,
// each kept as it was found (or minimised) and now required to give a clean error naming where.
#include <gtest/gtest.h>

#include <string>

#include "network/robustness_payloads.h"
#include "support/fs_fixture.h"
#include "support/test_support.h"
#include "vuln/vex.h"

namespace iotcop {
namespace {

// fuzz_robustness_payload, timeout: {repeat N TEXT} with an empty TEXT and N = 459954826 (leading
// zeros) appended nothing 460 million times; a huge N wrapped N * |TEXT| past the 1 MiB check.
TEST(FuzzRegression, RobustnessPayloadRepeatCountIsBounded) {
  const std::string hang("G/{repeat 000000000000459954826 }\t\0\0\0\0B\x7f<", 41);
  auto r = network::ExpandPayload(hang, "127.0.0.1", "iotcop00000000", "fuzz");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kLimitExceeded);
  EXPECT_EQ(r.error().offset, 2u);
  EXPECT_NE(r.error().Describe().find("fuzz"), std::string::npos);

  // 2^63 * 2 wraps to 0 in 64 bits: the product check alone let this loop forever.
  auto wrap = network::ExpandPayload("{repeat 9223372036854775808 AA}", "h", "m", "wrap");
  ASSERT_FALSE(wrap.ok());
  EXPECT_EQ(wrap.error().code, Errc::kLimitExceeded);

  // The documented maximum still expands.
  auto max = network::ExpandPayload("{repeat 1048576 A}", "h", "m", "max");
  ASSERT_TRUE(max.ok()) << max.error().Describe();
  EXPECT_EQ(max->size(), 1048576u);
}

// Unpacks the crashing input fuzz/regressions/NAME (kept in the tree) into a temporary folder.
unpack::UnpackResult UnpackRegression(const char* name) {
  test::TempDir tmp;
  return test::Unpack(std::filesystem::path(IOTCOP_SOURCE_DIR) / "fuzz/regressions" / name,
                      tmp / "out");
}

// fuzz_squashfs, out-of-memory: a 2005-byte SquashFS whose superblock claims 167772161 fragments
// made libsquashfs allocate 2.5 GiB for the fragment table; now refused, naming the offset.
TEST(FuzzRegression, SquashfsFragmentCountIsBounded) {
  const auto r = UnpackRegression("squashfs-oom-17f3a279d4b027d8aba2cace774ceb285c129bd7");
  EXPECT_TRUE(test::HasProblem(r, "fragment table of 167772161 entries does not fit"));
}

// An inode claiming a file of ~2^42 bytes made libsquashfs allocate its block list (4 GiB) before
// reading it; the inode table cannot hold such a list, so the image is refused first.
TEST(FuzzRegression, SquashfsInodeBlockListIsBoundedByTheInodeTable) {
  const auto r = UnpackRegression("squashfs-oom-f1bc2f8739ba110d0a75182adbf6d6c7844e4e82");
  EXPECT_TRUE(test::HasProblem(r, "bytes of block list or target; the inode table holds at most"));
}

// fuzz_vex, crash: a CycloneDX document with the number 3e671374 ended the process: nlohmann's
// parser throws out_of_range (not parse_error) for a number no double holds. Now a clean error
// naming the input and the number's offset.
TEST(FuzzRegression, VexNumberOverflowIsAnError) {
  const auto name = "vex-crash-5723f304c94bf51f77b86f8a9050642ff5246e0a";
  const std::string found =
      test::ReadFile(std::filesystem::path(IOTCOP_SOURCE_DIR) / "fuzz/regressions" / name);
  const auto r = vuln::ParseVex(found, name);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCorrupt);
  EXPECT_NE(r.error().Describe().find("number out of range"), std::string::npos);
  EXPECT_EQ(r.error().offset, found.find("3e671374"));

  const std::string small = R"({"bomFormat": "CycloneDX", "specVersion": 1e400})";
  const auto s = vuln::ParseVex(small, "small.json");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().offset, small.find("1e400"));
  EXPECT_NE(s.error().Describe().find("small.json"), std::string::npos);
}

}  // namespace
}  // namespace iotcop
