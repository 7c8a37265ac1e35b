// The bundled sample product (scripts/make-sample-firmware.sh): a uImage holding an xz SquashFS
// must unpack into one system root whose /etc/shadow is readable.
#include <gtest/gtest.h>

#include "support/test_support.h"
#include "unpack/engine.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

TEST(UnpackSample, SampleCameraShadowReadable) {
  const fs::path script = fs::path(IOTCOP_SOURCE_DIR) / "scripts" / "make-sample-firmware.sh";
  if (!fs::exists(script)) GTEST_SKIP() << "scripts/make-sample-firmware.sh not in this checkout";
  for (const char* tool : {"mksquashfs", "mkimage"}) {
    if (!test::HaveTool(tool)) GTEST_SKIP() << tool << " not installed";
  }
  test::TempDir tmp;
  auto b = test::RunShell("'" + script.string() + "' '" + (tmp / "sample").string() + "'");
  if (b.exit_code != 0 && b.err.find("missing") != std::string::npos) GTEST_SKIP() << b.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  UnpackOptions o;
  o.out_dir = tmp / "out";
  auto r = UnpackImage(tmp / "sample" / "sample-camera.uimage", o);
  ASSERT_TRUE(r) << r.error().Describe();
  for (const auto& p : r->problems) ADD_FAILURE() << p.message;
  const auto roots = r->tree.SystemRoots();
  ASSERT_EQ(roots.size(), 1u);
  const auto& origin = r->tree.roots()[roots[0]].origin;
  ASSERT_EQ(origin.size(), 2u);
  EXPECT_EQ(origin[0].handler, "uimage");
  EXPECT_EQ(origin[1].handler, "squashfs");
  const Entry* shadow = r->tree.Find(roots[0], "/etc/shadow");
  ASSERT_NE(shadow, nullptr);
  auto text = r->tree.Read(*shadow);
  ASSERT_TRUE(text) << text.error().Describe();
  EXPECT_NE(text->find("root:"), std::string::npos);
}

}  // namespace
}  // namespace iotcop::unpack
