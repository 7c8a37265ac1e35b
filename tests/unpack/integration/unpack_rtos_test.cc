// File: tests/unpack/integration/unpack_rtos_test.cc
// The rtos handler on its own: banners laid in a flat image as their sources write them (NUL-
// terminated strings among other bytes) become one "rtos" note each at the banner's offset,
// claiming the banner only; names without a version are not claimed, and a long printable run or
// thousands of bare magics stay bounded. (tests/firmware/integration/firmware_rtos_test.cc
// builds the images with gcc and checks the facts.)
#include <gtest/gtest.h>

#include "support/fs_fixture.h"
#include "support/test_support.h"

namespace iotcop::unpack {
namespace {

TEST(Rtos, BannersBecomeNotesAtTheirOffsets) {
  test::TempDir tmp;
  std::string img(64, '\x7f');
  const std::size_t zephyr = img.size() + 4;
  img += std::string("*** Booting Zephyr OS build zephyr-v3.4.0-12-gabc ***\n\0", 56);
  img += std::string(100, '\0');
  const std::size_t freertos = img.size();
  img += std::string("FreeRTOS Kernel V10.4.3\0", 24);
  const std::size_t vxworks = img.size();
  img += std::string("VxWorks5.5.1\0VxWorks\0", 21);
  test::WriteFile(tmp / "rtos.bin", img);
  auto r = test::Unpack(tmp / "rtos.bin", tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  ASSERT_EQ(r.tree.notes().size(), 3u);
  const auto& n = r.tree.notes();
  EXPECT_EQ(n[0].kind, "rtos");
  EXPECT_EQ(n[0].offset, zephyr);
  EXPECT_EQ(n[0].text, "Booting Zephyr OS build zephyr-v3.4.0-12-gabc ***");
  ASSERT_EQ(n[0].origin.size(), 1u);
  EXPECT_EQ(n[0].origin[0].handler, "rtos");
  EXPECT_EQ(n[0].origin[0].length, 50u);  // the banner and its line end
  EXPECT_EQ(n[1].offset, freertos);
  EXPECT_EQ(n[1].text, "FreeRTOS Kernel V10.4.3");
  EXPECT_EQ(n[2].offset, vxworks);
  EXPECT_EQ(n[2].text, "VxWorks5.5.1");
}

TEST(RtosHostile, LongRunsAndBareMagicsAreBounded) {
  test::TempDir tmp;
  std::string img = "VxWorks 6.9" + std::string(5000, 'A');
  for (int i = 0; i < 20000; ++i) img += "VxWorks ";
  img += "FreeRTOS V%s";
  test::WriteFile(tmp / "many.bin", img);
  auto r = test::Unpack(tmp / "many.bin", tmp / "out");
  ASSERT_EQ(r.tree.notes().size(), 1u);
  EXPECT_EQ(r.tree.notes()[0].text.size(), 200u);  // cut at 200 bytes
  EXPECT_TRUE(r.tree.notes()[0].text.starts_with("VxWorks 6.9AAA"));
}

}  // namespace
}  // namespace iotcop::unpack
