// FIT images made by mkimage -f (inline and external data, signed and unsigned) must give back
// every image as a file, the rootfs inside as the known tree, and list signature nodes in
// /signatures.txt; hostile variants (hash mismatch, truncation) warn with offsets.
#include <gtest/gtest.h>

#include "core/fact_kinds.h"
#include "firmware/collector.h"
#include "support/fs_fixture.h"
#include "support/test_support.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

// Builds kernel.gz, board.dtb, rootfs.sqfs and fit.its in $T, then the FIT with `mkimage_args`.
std::string FitBuild(bool signed_fit, const std::string& mkimage_args) {
  std::string its =
      "/dts-v1/;\n/ {\n description = \"fixture FIT\";\n #address-cells = <1>;\n images {\n"
      "  kernel-1 { description = \"kernel\"; data = /incbin/(\"kernel.gz\"); type = \"kernel\";"
      " arch = \"arm\"; os = \"linux\"; compression = \"gzip\"; load = <0x80008000>;"
      " entry = <0x80008000>; hash-1 { algo = \"sha256\"; }; hash-2 { algo = \"crc32\"; }; };\n"
      "  fdt-1 { data = /incbin/(\"board.dtb\"); type = \"flat_dt\"; arch = \"arm\";"
      " compression = \"none\"; hash-1 { algo = \"sha1\"; }; };\n"
      "  ramdisk-1 { data = /incbin/(\"rootfs.sqfs\"); type = \"ramdisk\"; arch = \"arm\";"
      " os = \"linux\"; compression = \"none\"; hash-1 { algo = \"sha256\"; }; };\n };\n"
      " configurations {\n  default = \"conf-1\";\n  conf-1 { kernel = \"kernel-1\"; fdt = "
      "\"fdt-1\";"
      " ramdisk = \"ramdisk-1\";";
  if (signed_fit) {
    its +=
        " signature-1 { algo = \"sha256,rsa2048\"; key-name-hint = \"dev\";"
        " sign-images = \"fdt\", \"kernel\", \"ramdisk\"; };";
  }
  its += " };\n };\n};\n";
  std::string keys;
  if (signed_fit) {
    keys =
        "mkdir -p keys; openssl genrsa -out keys/dev.key 2048 2>/dev/null;"
        "openssl req -batch -new -x509 -key keys/dev.key -out keys/dev.crt -subj /CN=dev "
        "2>/dev/null;";
  }
  return "cd \"$T\"; { printf 'Linux version 5.10.0-fixture (gcc 12) #1 SMP\\n'; head -c 100000 "
         "/bin/ls; }"
         " | gzip -9 > kernel.gz;"
         "printf '/dts-v1/;\\n/ { model = \"fixture\"; compatible = \"acme,board\"; };\\n' > "
         "board.dts;"
         "dtc -q -I dts -O dtb -o board.dtb board.dts;"
         "mksquashfs \"$SRC\" rootfs.sqfs -noappend -quiet -no-progress -comp xz;"
         "cat > fit.its <<'ITS'\n" +
         its + "ITS\n" + keys + "mkimage " + mkimage_args + " -f fit.its \"$OUT\" >/dev/null";
}

bool HaveFitTools() {
  return test::HaveTool("mkimage") && test::HaveTool("dtc") && test::HaveTool("mksquashfs");
}

struct FitCase {
  std::string name;
  bool signed_fit;
  std::string args;
};

class FitFixture : public ::testing::TestWithParam<FitCase> {};

TEST_P(FitFixture, ImagesAndRootfsBackByteForByte) {
  if (!HaveFitTools()) GTEST_SKIP() << "mkimage, dtc or mksquashfs not installed";
  const FitCase& c = GetParam();
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFsTree(tmp / "src"));
  const fs::path img = test::BuildImage(tmp.path(), tmp / "src", FitBuild(c.signed_fit, c.args));
  ASSERT_FALSE(img.empty());
  auto r = test::Unpack(img, tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t fit = test::RootOf(r.tree, "fit");
  ASSERT_NE(fit, UINT32_MAX);
  for (const char* name : {"kernel.gz", "board.dtb", "rootfs.sqfs"}) {
    const std::string image = std::string("/images/") + (name[0] == 'k'   ? "kernel-1"
                                                         : name[0] == 'b' ? "fdt-1"
                                                                          : "ramdisk-1");
    const Entry* e = r.tree.Find(fit, image, false);
    ASSERT_NE(e, nullptr) << image;
    EXPECT_TRUE(test::ReadFile(e->disk) == test::ReadFile(tmp / "t" / name)) << image;
  }
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, test::RootOf(r.tree, "squashfs")), 60u);
  const Entry* sigs = r.tree.Find(fit, "/signatures.txt", false);
  if (c.signed_fit) {
    ASSERT_NE(sigs, nullptr);
    const std::string text = test::ReadFile(sigs->disk);
    EXPECT_NE(text.find("/configurations/conf-1/signature-1 algo=sha256,rsa2048 key-name-hint=dev "
                        "sign-images=fdt,kernel,ramdisk value-bytes=256"),
              std::string::npos)
        << text;
  } else {
    EXPECT_EQ(sigs, nullptr);
  }
  test::ExpectInside(r, tmp / "out");

  // The firmware collectors turn the listing into an image_signature fact, both ways.
  FactStore facts;
  std::vector<Problem> problems;
  firmware::CollectFirmware(firmware::FirmwareInput{r.tree, img.string()}, facts, problems);
  const auto found = facts.OfKind(facts::kImageSignature);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found.front()->value.value("signed", !c.signed_fit), c.signed_fit);
  EXPECT_EQ(found.front()->value["signatures"].size(), c.signed_fit ? 1u : 0u);
}

INSTANTIATE_TEST_SUITE_P(Fit, FitFixture,
                         ::testing::Values(FitCase{"inline_unsigned", false, ""},
                                           FitCase{"inline_signed", true, "-k keys"},
                                           FitCase{"external_data", false, "-E"},
                                           FitCase{"external_position_signed", true,
                                                   "-E -p 0x1000 -k keys"}),
                         [](const ::testing::TestParamInfo<FitCase>& i) { return i.param.name; });

TEST(FitHostile, PlainDeviceTreeIsNotAFit) {
  if (!test::HaveTool("dtc")) GTEST_SKIP() << "dtc not installed";
  test::TempDir tmp;
  auto b =
      test::RunShell("cd '" + tmp.path().string() +
                     "' && printf '/dts-v1/;\\n/ { model = \"x\"; images { }; };\\n' > a.dts &&"
                     " printf '/dts-v1/;\\n/ { model = \"x\"; };\\n' > b.dts &&"
                     " dtc -q -O dtb -o a.dtb a.dts && dtc -q -O dtb -o b.dtb b.dts");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(test::RootOf(test::Unpack(tmp / "b.dtb", tmp / "outb").tree, "fit"), UINT32_MAX);
  EXPECT_NE(test::RootOf(test::Unpack(tmp / "a.dtb", tmp / "outa").tree, "fit"), UINT32_MAX);
}

TEST(FitHostile, HashMismatchAndTruncationAreReported) {
  if (!HaveFitTools()) GTEST_SKIP() << "mkimage, dtc or mksquashfs not installed";
  test::TempDir tmp;
  ASSERT_TRUE(test::MakeFsTree(tmp / "src"));
  const fs::path img = test::BuildImage(tmp.path(), tmp / "src", FitBuild(false, "-E"));
  ASSERT_FALSE(img.empty());
  // Flip one byte inside the gzip kernel (external data: the first payload after the tree).
  const std::string d = test::ReadFile(img);
  const std::string kernel = test::ReadFile(tmp / "t" / "kernel.gz");
  const std::size_t at = d.find(kernel.substr(0, 64));
  ASSERT_NE(at, std::string::npos);
  test::Patch(img, tmp / "bad.itb", at + 5000,
              std::string(1, static_cast<char>(d[at + 5000] ^ 0x55)));
  auto r = test::Unpack(tmp / "bad.itb", tmp / "out");
  EXPECT_TRUE(test::HasProblem(r, "sha256 hash does not match"));
  EXPECT_TRUE(test::HasProblem(r, "crc32 hash does not match"));
  // Cut inside the tree, then inside the external data.
  test::ForEachTruncation(img, tmp.path(), {200, at + 100, d.size() - 5000},
                          [at](std::uint64_t cut, const UnpackResult& c) {
                            if (cut > at && test::RootOf(c.tree, "fit") != UINT32_MAX) {
                              EXPECT_TRUE(test::HasProblem(c, "outside the input"));
                            }
                          });
}

}  // namespace
}  // namespace iotcop::unpack
