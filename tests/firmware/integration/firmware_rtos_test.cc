// File: tests/firmware/integration/firmware_rtos_test.cc
// RTOS identification: flat images built here with gcc and objcopy -O binary (an RTOS image is
// one binary, no file system) carrying each RTOS's banner as its source writes it (Zephyr's
// kernel/banner.c, FreeRTOS's tskKERNEL_VERSION_NUMBER as "FreeRTOS Kernel V10.4.3", VxWorks'
// version string, eCos RedBoot's RedBoot_version) must give an "rtos" note and the operating
// system as a component and an operating_system fact citing the banner; an Intel HEX of the
// Zephyr image too (ihex > blob > banner). Banners without a version (a "%s" format string, a
// bare "VxWorks") and ordinary text are not claimed.
#include <gtest/gtest.h>

#include "core/fact_kinds.h"
#include "firmware/collector.h"
#include "support/fs_fixture.h"
#include "support/test_support.h"

namespace iotcop::firmware {
namespace {

namespace fs = std::filesystem;

// A flat binary image (objcopy -O binary of a static, freestanding gcc build) with `banner` in
// its read-only data, escaped for a C string.
fs::path RtosImage(const test::TempDir& tmp, const std::string& name, const std::string& banner) {
  test::WriteFile(tmp / (name + ".c"), "const char banner[] = \"" + banner +
                                           "\";\nconst char *keep(void) { return banner; }\n"
                                           "void _start(void) { for (;;) {} }\n");
  auto b = test::RunShell("set -e; cd '" + tmp.path().string() +
                          "'; gcc -O1 -nostdlib -static -o " + name + ".elf " + name +
                          ".c; objcopy -O binary " + name + ".elf " + name + ".bin");
  EXPECT_EQ(b.exit_code, 0) << b.err;
  return tmp / (name + ".bin");
}

struct RtosOs {
  std::string name, version, excerpt;
  bool component = false;
};

RtosOs RtosFacts(const fs::path& img, const unpack::UnpackResult& r) {
  FactStore facts;
  std::vector<Problem> problems;
  CollectFirmware(FirmwareInput{r.tree, img.string()}, facts, problems);
  RtosOs out;
  for (const Fact* f : facts.OfKind(facts::kOperatingSystem)) {
    out.name = f->value.value("name", "");
    out.version = f->value.value("version", "");
    out.excerpt = f->evidence.excerpt;
  }
  for (const Fact* f : facts.OfKind(facts::kComponent)) {
    out.component = out.component || (f->value.value("name", "") == out.name &&
                                      f->value.value("type", "") == "operating-system" &&
                                      !f->value.value("cpe", "").empty());
  }
  return out;
}

bool HaveRtosTools() { return test::HaveTool("gcc") && test::HaveTool("objcopy"); }

TEST(RtosFacts, BannersOfEachRtos) {
  if (!HaveRtosTools()) GTEST_SKIP() << "gcc or objcopy not installed";
  struct Case {
    std::string banner, os, version;
  };
  const Case cases[] = {
      {"*** Booting Zephyr OS build v3.5.0 ***\\n", "zephyr", "3.5.0"},
      {"*** Booting Zephyr OS build zephyr-v3.4.0-1234-gabcdef012345 ***\\n", "zephyr", "3.4.0"},
      {"***** BOOTING ZEPHYR OS v1.9.0 *****\\n", "zephyr", "1.9.0"},
      {"FreeRTOS Kernel V10.4.3", "freertos", "10.4.3"},
      {"VxWorks 6.9", "vxworks", "6.9"},
      {"VxWorks5.5.1", "vxworks", "5.5.1"},
  };
  test::TempDir tmp;
  int i = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.banner);
    const std::string name = "rtos" + std::to_string(i++);
    const fs::path img = RtosImage(tmp, name, c.banner);
    auto r = test::Unpack(img, tmp / ("out-" + name));
    std::size_t notes = 0;
    for (const auto& n : r.tree.notes()) {
      if (n.kind != "rtos") continue;
      ++notes;
      EXPECT_EQ(n.container, img.filename().string());
      EXPECT_EQ(test::ReadFile(img).substr(n.offset, 4), n.text.substr(0, 4));
    }
    EXPECT_EQ(notes, 1u);
    const RtosOs os = RtosFacts(img, r);
    EXPECT_EQ(os.name, c.os);
    EXPECT_EQ(os.version, c.version);
    EXPECT_TRUE(os.component);
  }
}

TEST(RtosFacts, RedBootBannerNamesTheEcosBootMonitor) {
  if (!HaveRtosTools()) GTEST_SKIP() << "gcc or objcopy not installed";
  test::TempDir tmp;
  const fs::path img =
      RtosImage(tmp, "redboot",
                "\\nRedBoot(tm) bootstrap and debug environment [ROMRAM]\\n"
                "Non-certified release, version v3_0 - built 10:00:00, Jan  1 2010\\n\\n");
  auto r = test::Unpack(img, tmp / "out");
  ASSERT_EQ(r.tree.notes().size(), 1u);
  EXPECT_EQ(r.tree.notes()[0].kind, "rtos");
  FactStore facts;
  std::vector<Problem> problems;
  CollectFirmware(FirmwareInput{r.tree, img.string()}, facts, problems);
  bool redboot = false;
  for (const Fact* f : facts.OfKind(facts::kComponent)) {
    redboot = redboot ||
              (f->value.value("name", "") == "redboot" && f->value.value("version", "") == "3_0");
  }
  EXPECT_TRUE(redboot);
}

TEST(RtosFacts, ZephyrInIntelHex) {
  if (!HaveRtosTools()) GTEST_SKIP() << "gcc or objcopy not installed";
  test::TempDir tmp;
  const fs::path bin = RtosImage(tmp, "zephyr", "*** Booting Zephyr OS build v3.6.0 ***\\n");
  auto b = test::RunShell("cd '" + tmp.path().string() +
                          "' && objcopy -I binary -O ihex --change-addresses 0x08000000 zephyr.bin "
                          "zephyr.hex");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto r = test::Unpack(tmp / "zephyr.hex", tmp / "out");
  ASSERT_EQ(r.tree.notes().size(), 1u);
  ASSERT_GE(r.tree.notes()[0].origin.size(), 2u);
  EXPECT_EQ(r.tree.notes()[0].origin[0].handler, "ihex");
  const RtosOs os = RtosFacts(tmp / "zephyr.hex", r);
  EXPECT_EQ(os.name, "zephyr");
  EXPECT_EQ(os.version, "3.6.0");
  EXPECT_NE(os.excerpt.find("Booting Zephyr OS build v3.6.0"), std::string::npos) << os.excerpt;
}

TEST(RtosFactsHostile, NoVersionNoClaim) {
  if (!HaveRtosTools()) GTEST_SKIP() << "gcc or objcopy not installed";
  test::TempDir tmp;
  const std::string banners[] = {"*** Booting Zephyr OS build %s %s ***\\n", "VxWorks",
                                 "VxWorks shell> ", "FreeRTOS V%s", "FreeRTOS Kernel Vx.y"};
  int i = 0;
  for (const auto& banner : banners) {
    SCOPED_TRACE(banner);
    const std::string name = "none" + std::to_string(i++);
    const fs::path img = RtosImage(tmp, name, banner);
    auto r = test::Unpack(img, tmp / ("out-" + name));
    EXPECT_TRUE(r.tree.notes().empty());
    EXPECT_TRUE(RtosFacts(img, r).name.empty());
  }
}

}  // namespace
}  // namespace iotcop::firmware
