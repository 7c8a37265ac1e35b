// Web handlers on the real corpus (../shared/corpus, skipped when absent). No image of the corpus
// ships LuCI (as source or bytecode), a shell CGI or PHP. Image 15 (D-Link DCS) serves 27 `.cgi`
// files that are alphapd server-side templates (`Name=%%Name();%%` lines, no interpreter line),
// which must be reported as handlers that were not analysed, with no injection and no PASS of
// 5.13-1. The OpenWrt-based images 03 and 08 have no script handler at all.
#include <gtest/gtest.h>

#include "core/fact_kinds.h"
#include "support/firmware_fixture.h"
#include "support/test_support.h"
#include "unpack/engine.h"

namespace iotcop {
namespace {

namespace fs = std::filesystem;

TEST(FirmwareWebCorpus, Dlink15CgiTemplatesAreHandlersNotAnalysed) {
  const fs::path dir = test::CorpusDir();
  fs::path image;
  if (!dir.empty()) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().filename().string().starts_with("15_")) image = e.path();
    }
  }
  if (image.empty()) GTEST_SKIP() << "corpus image 15 is not available";
  if (!test::HaveTool("tar")) GTEST_SKIP() << "tar is not installed";
  test::TempDir t;
  test::MustRun("tar -xzf '" + image.string() + "' -C '" + t.path().string() + "'");
  auto run = test::AssessFolder(t / "cpio-root");
  const auto handlers = run.Facts(facts::kWebHandler);
  EXPECT_EQ(handlers.size(), 27u);
  for (const Fact* h : handlers) {
    EXPECT_NE(h->value["path"].get<std::string>().find("/etc_ro/web/cgi/"), std::string::npos)
        << h->value.dump();
    EXPECT_EQ(h->value["analysed"], false) << h->value.dump();
    EXPECT_NE(h->value["reason"].get<std::string>().find("no interpreter line"), std::string::npos);
  }
  EXPECT_TRUE(run.Facts(facts::kWebTaint).empty());
  EXPECT_TRUE(run.Findings("fw.web.command-injection").empty());
  const Outcome* o = run.OutcomeOf("fw.web.command-injection", "5.13-1");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->verdict, Verdict::kInconclusive) << o->reason;
}

// The two OpenWrt-based images: 03 (LibraryBox on OpenWrt 12.09) has an empty /www and no LuCI
// (LibraryBox serves its pages from the USB stick), 08 (TP-Link) serves .htm pages from its ELF
// httpd. Neither ships a script handler: no web_handler fact, no finding, and the check's
// 5.13-1 is never a PASS for lack of anything to look at.
TEST(FirmwareWebCorpus, OpenWrtImages03And08ShipNoScriptHandler) {
  const fs::path dir = test::CorpusDir();
  int assessed = 0;
  for (const char* prefix : {"03_", "08_"}) {
    fs::path image;
    if (!dir.empty()) {
      for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().filename().string().starts_with(prefix)) image = e.path();
      }
    }
    if (image.empty()) continue;
    test::TempDir out;
    unpack::UnpackOptions options;
    options.out_dir = out / "x";
    auto unpacked = unpack::UnpackImage(image, options);
    if (!unpacked && unpacked.error().code == Errc::kUnsupported) continue;
    ASSERT_TRUE(unpacked) << unpacked.error().Describe();
    ++assessed;
    auto run = test::AssessTree(unpacked->tree);
    EXPECT_TRUE(run.Facts(facts::kWebHandler).empty()) << prefix;
    EXPECT_TRUE(run.Facts(facts::kWebTaint).empty()) << prefix;
    EXPECT_TRUE(run.Findings("fw.web.command-injection").empty()) << prefix;
    const Outcome* o = run.OutcomeOf("fw.web.command-injection", "5.13-1");
    if (o) {
      EXPECT_NE(o->verdict, Verdict::kPass) << prefix << ": " << o->reason;
    }
  }
  if (assessed == 0) GTEST_SKIP() << "corpus images 03 and 08 are not available or not unpackable";
}

}  // namespace
}  // namespace iotcop
