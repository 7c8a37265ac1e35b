// File: tests/unit/fuzz_regressions_test.cc
// Inputs the libFuzzer targets (fuzz/, docs/fuzzing.md) found to crash, hang or exhaust memory,
// each kept as it was found (or minimised) and now required to give a clean error naming where.
#include <gtest/gtest.h>

#include <string>

#include "network/robustness_payloads.h"

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

}  // namespace
}  // namespace iotcop
