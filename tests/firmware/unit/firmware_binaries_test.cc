// Binary hardening and risky imports: fixtures compiled with gcc both ways, the checks both ways,
// and the collector compared with Debian's checksec on the same files (host binaries, fixtures
// and the MIPS binaries of corpus 15).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

#include "core/elf.h"
#include "core/fact_kinds.h"
#include "support/firmware_support.h"
#include "support/test_support.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;

constexpr const char* kSource = R"(#include <stdio.h>
#include <stdlib.h>
#include <string.h>
char *gets(char *);
int main(int argc, char **argv) {
  char buf[64];
#ifndef SAFE
  if (argc > 2) { gets(buf); strcpy(buf, argv[1]); return system(buf); }
#endif
  snprintf(buf, sizeof buf, "%s-%d", argc > 1 ? argv[1] : "x", argc);
  printf("%d %s\n", argc, buf);
  return (int)strlen(buf);
}
)";

void WriteFileOnce(const fs::path& dir) {
  if (!fs::exists(dir / "src.c")) test::WriteFile(dir / "src.c", kSource);
}

// Compiles kSource into `out` with `flags`; false when gcc is absent or fails.
bool Compile(const fs::path& dir, const std::string& out, const std::string& flags) {
  WriteFileOnce(dir);
  auto r = test::RunShell("gcc -w -o '" + (dir / out).string() + "' '" + (dir / "src.c").string() +
                          "' " + flags + " 2>&1");
  return r.exit_code == 0;
}

const Fact* BinaryAt(const FactStore& facts, const std::string& path) {
  auto v = test::FactsWhere(facts, facts::kBinary, "path", path);
  return v.empty() ? nullptr : v.front();
}

class BinariesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::HaveTool("gcc")) GTEST_SKIP() << "gcc not installed";
    fs::create_directories(tmp_.path() / "src");
    fs::create_directories(tmp_.path() / "root/usr/bin");
    const auto bin = tmp_.path() / "root/usr/bin";
    WriteFileOnce(tmp_.path() / "src");
    ASSERT_TRUE(Compile(tmp_.path() / "src", "weak",
                        "-O0 -fno-stack-protector -no-pie -fno-pie -z execstack -z norelro "
                        "-Wl,-rpath,/tmp/lib -U_FORTIFY_SOURCE"));
    ASSERT_TRUE(Compile(tmp_.path() / "src", "hard",
                        "-DSAFE -O2 -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE -pie "
                        "-Wl,-z,relro,-z,now -z noexecstack"));
    fs::copy_file(tmp_.path() / "src/weak", bin / "weak");
    fs::copy_file(tmp_.path() / "src/hard", bin / "hard");
    test::WriteFile(tmp_.path() / "root/usr/bin/script", "#!/bin/sh\necho hi\n");
  }
  test::TempDir tmp_;
};

TEST_F(BinariesTest, ReadsHardeningOfWeakAndHardBinaries) {
  auto tree = test::TreeOf(tmp_.path() / "root");
  std::vector<Problem> problems;
  FactStore facts = test::Collect(tree, {"binaries"}, &problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(facts.OfKind(facts::kBinary).size(), 2u) << "the shell script is not an ELF";
  const Fact* weak = BinaryAt(facts, "/usr/bin/weak");
  const Fact* hard = BinaryAt(facts, "/usr/bin/hard");
  ASSERT_TRUE(weak && hard);
  EXPECT_EQ(weak->value["arch"], "x86-64");
  EXPECT_FALSE(weak->value["nx"]);
  EXPECT_FALSE(weak->value["pie"]);
  EXPECT_EQ(weak->value["relro"], "none");
  EXPECT_FALSE(weak->value["canary"]);
  EXPECT_FALSE(weak->value["fortify"]);
  EXPECT_EQ(weak->value["runpath"], nlohmann::json::array({"/tmp/lib"})) << "ld writes RUNPATH";
  EXPECT_EQ(weak->value["risky"], nlohmann::json::array({"gets", "strcpy", "system"}));
  EXPECT_TRUE(hard->value["nx"]);
  EXPECT_TRUE(hard->value["pie"]);
  EXPECT_EQ(hard->value["relro"], "full");
  EXPECT_TRUE(hard->value["canary"]);
  EXPECT_TRUE(hard->value["fortify"]);
  EXPECT_TRUE(hard->value["rpath"].empty() && hard->value["runpath"].empty());
  EXPECT_TRUE(hard->value["risky"].empty());
  EXPECT_EQ(weak->evidence.path, "/usr/bin/weak");
}

TEST_F(BinariesTest, HardeningCheckFlagsOnePropertyPerFindingAndSparesHardBinaries) {
  fs::remove(tmp_.path() / "root/usr/bin/hard");
  auto facts = test::Collect(test::TreeOf(tmp_.path() / "root"), {"binaries"});
  auto r = test::RunCheck("fw.binaries.hardening", facts);
  ASSERT_TRUE(r.ok) << r.error;
  std::set<std::string> titles;
  for (const auto& f : r.findings) {
    titles.insert(f.title);
    EXPECT_LE(f.severity, Severity::kMedium) << f.title;
    // Missing mitigations inform 5.6-6 and never decide it (issue 15).
    EXPECT_TRUE(f.provisions.empty()) << f.title;
    EXPECT_EQ(f.informs, std::vector<std::string>{"5.6-6"});
    ASSERT_FALSE(f.evidence.empty());
    EXPECT_EQ(f.evidence[0].path, "/usr/bin/weak");
    EXPECT_NE(f.message.find("Totals:"), std::string::npos);
  }
  EXPECT_TRUE(titles.count("1 of 1 binaries have an executable stack"));
  EXPECT_TRUE(titles.count("1 of 1 binaries have no stack canary"));
  EXPECT_TRUE(titles.count("1 of 1 binaries have no RELRO"));
  EXPECT_TRUE(titles.count("1 of 1 binaries have no PIE"));
  EXPECT_TRUE(titles.count("1 of 1 binaries have a writable or relative RPATH/RUNPATH"));
  auto risky = test::RunCheck("fw.binaries.risky-functions", facts);
  ASSERT_EQ(risky.findings.size(), 1u);
  EXPECT_EQ(risky.findings[0].severity, Severity::kMedium) << "gets() is imported";
  EXPECT_NE(risky.findings[0].message.find("/usr/bin/weak (gets strcpy system)"),
            std::string::npos);
}

TEST_F(BinariesTest, HardenedTreeHasNoHardeningFinding) {
  fs::remove(tmp_.path() / "root/usr/bin/weak");
  auto facts = test::Collect(test::TreeOf(tmp_.path() / "root"), {"binaries"});
  auto r = test::RunCheck("fw.binaries.hardening", facts);
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.outcomes.size(), 1u);
  EXPECT_EQ(r.outcomes[0].verdict, Verdict::kInconclusive);
  auto risky = test::RunCheck("fw.binaries.risky-functions", facts);
  EXPECT_TRUE(risky.findings.empty());
}

TEST(ElfParser, RejectsAndBoundsHostileHeaders) {
  std::string data =
      "\x7f"
      "ELF";
  EXPECT_FALSE(elf::Parse(AsBytes(data), "x").ok());
  data.resize(64, '\0');
  data[4] = 2;
  data[5] = 1;
  // Program headers claimed far beyond the end: parsed with a warning, never read out of bounds.
  data[16] = 2;
  data[32] = '\xff';
  data[33] = '\xff';
  data[54] = 56;
  data[56] = 10;
  auto r = elf::Parse(AsBytes(data), "x");
  ASSERT_TRUE(r.ok()) << r.error().Describe();
  EXPECT_FALSE(r->warnings.empty());
  EXPECT_TRUE(r->stack_exec);
  // Every truncation of a real binary parses (with warnings) or fails with a named error.
  auto ls = test::ReadFile("/bin/ls");
  ASSERT_GT(ls.size(), 4096u);
  std::size_t warned = 0;
  for (std::size_t n = 0; n < ls.size(); n += 997) {
    auto p = elf::Parse(AsBytes(std::string_view(ls).substr(0, n)), "ls");
    if (p.ok()) {
      warned += p->warnings.empty() ? 0 : 1;
    } else {
      EXPECT_TRUE(p.error().code == Errc::kTruncated || p.error().code == Errc::kNotThisFormat)
          << p.error().Describe();
      EXPECT_EQ(p.error().input, "ls");
    }
  }
  EXPECT_GT(warned, 0u);
  auto full = elf::Parse(AsBytes(ls), "ls");
  ASSERT_TRUE(full.ok());
  EXPECT_TRUE(full->warnings.empty());
  EXPECT_FALSE(full->imports.empty());
}

// checksec's words for our fields.
nlohmann::json AsChecksec(const nlohmann::json& v) {
  const std::string type = v["type"];
  return {{"relro", v["relro"] == "none" ? "no" : v["relro"].get<std::string>()},
          {"canary", v["canary"].get<bool>() ? "yes" : "no"},
          {"nx", v["nx"].get<bool>() ? "yes" : "no"},
          {"pie", type == "pie"   ? "yes"
                  : type == "dso" ? "dso"
                                  : "no"},
          {"rpath", v["rpath"].empty() ? "no" : "yes"},
          {"runpath", v["runpath"].empty() ? "no" : "yes"},
          {"symbols", v["stripped"].get<bool>() ? "no" : "yes"},
          {"fortify_source", v["fortify"].get<bool>() ? "yes" : "no"}};
}

void CompareWithChecksec(const FactStore& facts, const fs::path& root, std::size_t limit,
                         std::size_t& compared) {
  for (const Fact* f : facts.OfKind(facts::kBinary)) {
    if (compared >= limit) return;
    const fs::path file = root / f->value["path"].get<std::string>().substr(1);
    auto r = test::RunShell("checksec --output=json --file='" + file.string() + "' 2>/dev/null");
    ASSERT_EQ(r.exit_code, 0) << file;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.out;
    const auto& theirs = j.begin().value();
    const auto ours = AsChecksec(f->value);
    for (const auto& [k, v] : ours.items()) {
      EXPECT_EQ(v, theirs[k]) << file << ": " << k;
    }
    ++compared;
  }
}

TEST_F(BinariesTest, AgreesWithChecksecOnHostAndFixtureBinaries) {
  if (!test::HaveTool("checksec"))
    GTEST_SKIP() << "checksec not installed (apt-get install checksec)";
  const auto bin = tmp_.path() / "root/usr/bin";
  for (const char* p : {"/bin/ls", "/bin/bash", "/usr/bin/gzip", "/usr/bin/tar", "/usr/bin/ssh",
                        "/usr/bin/python3", "/usr/bin/openssl", "/usr/bin/busybox"}) {
    if (fs::exists(p)) fs::copy_file(p, bin / fs::path(p).filename());
  }
  fs::create_directories(tmp_.path() / "root/lib");
  for (const char* p : {"/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libz.so.1",
                        "/lib/x86_64-linux-gnu/libssl.so.3", "/lib/x86_64-linux-gnu/libm.so.6"}) {
    if (fs::exists(p)) fs::copy_file(p, tmp_.path() / "root/lib" / fs::path(p).filename());
  }
  auto facts = test::Collect(test::TreeOf(tmp_.path() / "root"), {"binaries"});
  std::size_t compared = 0;
  CompareWithChecksec(facts, tmp_.path() / "root", 40, compared);
  EXPECT_GE(compared, 6u);
}

TEST(BinariesCorpus, AgreesWithChecksecOnMipsCorpusBinaries) {
  if (!test::HaveTool("checksec"))
    GTEST_SKIP() << "checksec not installed (apt-get install checksec)";
  test::TempDir tmp;
  std::string why;
  const auto root = test::ExtractCorpus15(tmp.path(), why);
  if (root.empty()) GTEST_SKIP() << why;
  auto facts = test::Collect(test::TreeOf(root), {"binaries"});
  const auto binaries = facts.OfKind(facts::kBinary);
  ASSERT_GE(binaries.size(), 20u);
  for (const Fact* f : binaries) EXPECT_EQ(f->value["arch"], "mipsel") << f->value["path"];
  std::size_t compared = 0;
  CompareWithChecksec(facts, root, 30, compared);
  EXPECT_GE(compared, 20u);
  // Old uClibc toolchain: no canaries anywhere, so the finding lists them together.
  auto r = test::RunCheck("fw.binaries.hardening", facts);
  bool canary = false;
  for (const auto& fd : r.findings) {
    if (fd.title.find("no stack canary") != std::string::npos) canary = true;
  }
  EXPECT_TRUE(canary);
}

}  // namespace
}  // namespace iotcop
