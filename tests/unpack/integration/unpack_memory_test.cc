// Peak memory of `iotcop unpack` does not grow with the image: the engine drops the pages of the
// mapped image that the uImage CRC pass and the SquashFS reader are done with
// (ExtractContext::DoneWith). Without that, the whole image is resident at the peak.
#include <gtest/gtest.h>

#include <string>

#include "support/test_support.h"

namespace iotcop {
namespace {

// Peak RSS (KiB) of `iotcop unpack IMAGE` (ASan's quarantine off: it would grow with the blocks).
long PeakRssKib(const std::filesystem::path& image, const std::filesystem::path& out) {
  auto r = test::RunShell("ASAN_OPTIONS=quarantine_size_mb=0:detect_leaks=0 /usr/bin/time -f %M " +
                          test::Q(IOTCOP_BINARY) + " unpack " + test::Q(image) + " -o " +
                          test::Q(out) + " 2>&1 >/dev/null | tail -1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return std::stol(r.out);
}

TEST(UnpackMemory, PeakRssDoesNotGrowWithTheImage) {
  for (const char* tool : {"mksquashfs", "mkimage", "/usr/bin/time"})
    if (!test::HaveTool(tool)) GTEST_SKIP() << tool << " missing";
  test::TempDir tmp;
  // Random data: mksquashfs stores it uncompressed, so the image is as large as the data.
  auto build = [&](const std::string& name, int mib) {
    const auto dir = tmp / (name + "-tree");
    auto r = test::RunShell(
        "mkdir -p " + test::Q(dir) + " && head -c " + std::to_string(mib << 20) +
        " /dev/urandom > " + test::Q(dir / "data.bin") + " && mksquashfs " + test::Q(dir) + " " +
        test::Q(tmp / (name + ".sqfs")) +
        " -comp gzip -noappend -quiet -no-progress >/dev/null && mkimage -A "
        "arm -O linux -T filesystem -C none -n t -d " +
        test::Q(tmp / (name + ".sqfs")) + " " + test::Q(tmp / (name + ".uimage")) + " >/dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return tmp / (name + ".uimage");
  };
  const long small = PeakRssKib(build("small", 1), tmp / "out-small");
  const long large = PeakRssKib(build("large", 48), tmp / "out-large");
  // The 48 MiB file really came out (so the large run did read the whole image).
  auto found = test::RunShell("find " + test::Q(tmp / "out-large") + " -name data.bin -size " +
                              std::to_string(48 << 10) + "k | wc -l");
  EXPECT_EQ(found.out, "1\n");
  EXPECT_LT(large - small, 16 * 1024)
      << "peak RSS " << small << " KiB on a 1 MiB image, " << large << " KiB on a 48 MiB one";
}

}  // namespace
}  // namespace iotcop
