// Coverage, visible everywhere (issue 16): an image that opens shows how much was decoded and no
// warning; an image of random bytes ("encrypted") is flagged in the text, HTML and JSON reports,
// its firmware provisions say why they are INCONCLUSIVE, and `iotcop batch` flags it in the
// progress line and in the text, CSV and HTML fleet summaries.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/store_fixture.h"
#include "support/test_support.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using test::Q;
using test::RunIotcop;

const char* const kNoFs = "no file system could be extracted: 1.0 MiB at 0x0 with entropy ";

void WriteRandomImage(const fs::path& p) {
  std::mt19937 rng(16);
  std::string s(1u << 20, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  test::WriteFile(p, s);
}

TEST(CliCoverage, AnImageThatOpensShowsItsCoverageWithoutAWarning) {
  test::TempDir t;
  test::WriteProductTree(t / "tree", 1);
  const fs::path image = test::MakeTarImage(t / "tree", t / "cam.tar.gz");
  const auto r = RunIotcop("assess --firmware " + Q(image) + " --no-store -o " + Q(t / "out") +
                           " --format json,text,html -q");
  ASSERT_LE(r.exit_code, 1) << r.err;
  const json j = json::parse(test::ReadFile(t / "out" / "report.json"));
  const json& in = j["inputs"][0];
  EXPECT_EQ(in["status"], "ok");
  ASSERT_TRUE(in.contains("coverage")) << in.dump();
  const json& c = in["coverage"];
  EXPECT_EQ(c["extracted"], true);
  EXPECT_FALSE(c.contains("warning"));
  EXPECT_EQ(c["size"], fs::file_size(image));
  EXPECT_EQ(c["decoded"], fs::file_size(image));
  EXPECT_EQ(c["undecoded"], 0);
  EXPECT_GE(c["filesystems"].get<int>(), 1);
  EXPECT_GT(c["files"].get<int>(), 3);
  const std::string text = test::ReadFile(t / "out" / "report.txt");
  EXPECT_NE(text.find("coverage: 100.0% of "), std::string::npos) << text;
  EXPECT_EQ(text.find("WARNING"), std::string::npos) << text;
  const std::string html = test::ReadFile(t / "out" / "report.html");
  EXPECT_NE(html.find("100.0% of "), std::string::npos);
  EXPECT_EQ(html.find("coverage-warn\""), std::string::npos);
  EXPECT_EQ(j.dump().find("no file system could be extracted"), std::string::npos);
}

TEST(CliCoverage, AnEncryptedImageIsFlaggedInEveryReportAndItsVerdictsSayWhy) {
  test::TempDir t;
  WriteRandomImage(t / "enc.bin");
  const auto r = RunIotcop("assess --firmware " + Q(t / "enc.bin") + " --no-store -o " +
                           Q(t / "out") + " --format json,text,html -q");
  ASSERT_LE(r.exit_code, 1) << r.err;
  const json j = json::parse(test::ReadFile(t / "out" / "report.json"));
  const json& in = j["inputs"][0];
  EXPECT_EQ(in["status"], "partial");  // read, but no file system came out of it
  const json& c = in["coverage"];
  EXPECT_EQ(c["extracted"], false);
  EXPECT_EQ(c["decoded"], 0);
  EXPECT_EQ(c["undecoded"], 1u << 20);
  ASSERT_EQ(c["regions"].size(), 1u);
  EXPECT_EQ(c["regions"][0]["input_offset"], 0);
  EXPECT_EQ(c["regions"][0]["guess"], "encrypted");
  EXPECT_GT(c["regions"][0]["entropy"].get<double>(), 7.99);
  const std::string warning = c["warning"].get<std::string>();
  EXPECT_EQ(warning.rfind(kNoFs, 0), 0u) << warning;
  EXPECT_NE(warning.find("likely encrypted"), std::string::npos) << warning;
  // The firmware provisions left undecided say so: 5.1-1 (passwords) is judged from the files.
  int saying = 0;
  for (const auto& v : j["verdicts"]) {
    if (v["verdict"] != "INCONCLUSIVE") continue;
    saying += v["reason"].get<std::string>().find(warning) != std::string::npos;
    if (v["id"] == "5.1-1") {
      EXPECT_NE(v["reason"].get<std::string>().find(warning), std::string::npos) << v["reason"];
    }
  }
  EXPECT_GT(saying, 5);
  const std::string text = test::ReadFile(t / "out" / "report.txt");
  EXPECT_NE(text.find("WARNING: " + warning), std::string::npos) << text;
  EXPECT_NE(text.find("coverage: 0.0% of 1.0 MiB decoded, 1.0 MiB undecoded; 0 file systems"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("undecoded: 1.0 MiB at 0x0 with entropy"), std::string::npos) << text;
  const std::string html = test::ReadFile(t / "out" / "report.html");
  EXPECT_NE(html.find("<span class=\"coverage-warn\" role=\"alert\">" + std::string(kNoFs)),
            std::string::npos);
}

TEST(CliCoverage, BatchFlagsAnImageWithoutAFileSystemInItsLineAndEverySummary) {
  test::TempDir t;
  test::WriteProductTree(t / "tree", 1);
  fs::create_directories(t / "images");
  test::MakeTarImage(t / "tree", t / "images" / "cam.tar.gz");
  WriteRandomImage(t / "images" / "enc.bin");
  const std::string db = (t / "results.db").string();
  const auto first = RunIotcop("batch " + Q(t / "images") + " --jobs 2 --db " + Q(db));
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  // The progress line: not "ok: 0 findings" and nothing more.
  std::string enc_line, cam_line;
  std::istringstream lines(first.out);
  for (std::string l; std::getline(lines, l);) {
    if (l.find("] enc.bin ") != std::string::npos) enc_line = l;
    if (l.find("] cam.tar.gz ") != std::string::npos) cam_line = l;
  }
  EXPECT_NE(enc_line.find("partial: "), std::string::npos) << first.out;
  EXPECT_NE(enc_line.find("WARNING: " + std::string(kNoFs)), std::string::npos) << first.out;
  EXPECT_NE(cam_line.find("ok: "), std::string::npos) << first.out;
  EXPECT_EQ(cam_line.find("WARNING"), std::string::npos) << first.out;
  // Text summary (this first run's): the row's coverage, the warning under it, the count.
  EXPECT_NE(first.out.find("0.0% decoded, 0 files"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("    WARNING: " + std::string(kNoFs)), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("2 items: 2 assessed, 0 already stored, 0 failed, 1 with no file system "
                           "extracted"),
            std::string::npos)
      << first.out;
  // A rerun reads the stored reports: the flag stays, in the line and in CSV and HTML.
  const auto csv = RunIotcop("batch " + Q(t / "images") + " --summary csv --db " + Q(db));
  EXPECT_NE(csv.out.find("enc.bin already stored as run"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find("— WARNING: " + std::string(kNoFs)), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find(",error,coverage,coverage_warning\r\n"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find(",\"0.0% decoded, 0 files\",\"" + std::string(kNoFs)), std::string::npos)
      << csv.out;
  EXPECT_NE(csv.out.find(",\"100.0% decoded, "), std::string::npos) << csv.out;
  const auto html = RunIotcop("batch " + Q(t / "images") + " --summary html --summary-out " +
                              Q(t / "fleet.html") + " --db " + Q(db));
  EXPECT_EQ(html.exit_code, 0) << html.err;
  const std::string page = test::ReadFile(t / "fleet.html");
  EXPECT_NE(page.find("1 image yielded no file system"), std::string::npos);
  EXPECT_NE(page.find("<span class=\"coverage-warn\">" + std::string(kNoFs)), std::string::npos);
}

}  // namespace
}  // namespace iotcop
