// File: tests/unpack/integration/unpack_hexrec_test.cc
// Intel HEX and Motorola S-record (both through unpack/handlers/hex_records): a SquashFS of the
// known tree (Debian's mksquashfs) turned into records at a flash address by binutils' objcopy
// must give back the tree through ihex|srec > squashfs; a plain binary must come back byte for
// byte. Hostile records (bad checksums, malformed lines, no end record, a lying S5 count, a
// reserved S4 type, 2-4 GiB address gaps, overlapping records) are warned with their line and
// never make a large output.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "support/fs_fixture.h"
#include "support/test_support.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

// The carved blobs handler `id` wrote ("<chunk>.<id>.0x<address>").
std::vector<const Entry*> HexrecBlobs(const Tree& t, const std::string& id) {
  std::vector<const Entry*> out;
  for (const auto& e : t.entries()) {
    if (e.path.find("." + id + ".0x") != std::string::npos) out.push_back(&e);
  }
  return out;
}
std::vector<const Entry*> IhexBlobs(const Tree& t) { return HexrecBlobs(t, "ihex"); }
std::vector<const Entry*> SrecBlobs(const Tree& t) { return HexrecBlobs(t, "srec"); }

// objcopy -O `bfd` of a SquashFS (compressed with `comp`) at 0x08000000 must unpack through
// `id` > squashfs to the known tree; returns the image's text.
std::string HexrecObjcopySquashfs(const std::string& bfd, const std::string& id,
                                  const std::string& comp) {
  if (!test::HaveTool("objcopy") || !test::HaveTool("mksquashfs")) return {};
  test::TempDir tmp;
  if (!test::MakeFsTree(tmp / "src")) return {};
  const fs::path img =
      test::BuildImage(tmp.path(), tmp / "src",
                       "mksquashfs \"$SRC\" \"$T/fs.sqfs\" -noappend -quiet -no-progress -comp " +
                           comp + " && objcopy -I binary -O " + bfd +
                           " --change-addresses 0x08000000 \"$T/fs.sqfs\" \"$OUT\"");
  if (img.empty()) return {};
  auto r = test::Unpack(img, tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "squashfs");
  EXPECT_NE(root, UINT32_MAX);
  if (root == UINT32_MAX) return {};
  const auto& o = r.tree.roots()[root].origin;
  EXPECT_EQ(o.size(), 2u);
  EXPECT_EQ(o[0].handler, id);
  EXPECT_EQ(o[0].offset, 0u);
  EXPECT_EQ(o[0].length, fs::file_size(img));
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.modes = true}), 60u);
  test::ExpectInside(r, tmp / "out");
  return test::ReadFile(img);
}

// `convert` (shell, in a scratch folder) turns fw.bin (the first `size` bytes of /bin/ls) into
// `name`; the one blob of handler `id` must be fw.bin byte for byte. Returns the blob's path.
std::string HexrecBinaryBack(const std::string& convert, const std::string& name,
                             const std::string& id, int size) {
  test::TempDir tmp;
  auto b = test::RunShell("set -e; cd '" + tmp.path().string() + "'; head -c " +
                          std::to_string(size) + " /bin/ls > fw.bin; " + convert);
  EXPECT_EQ(b.exit_code, 0) << b.err;
  auto r = test::Unpack(tmp / name, tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const auto blobs = HexrecBlobs(r.tree, id);
  EXPECT_EQ(blobs.size(), 1u);
  if (blobs.size() != 1) return {};
  EXPECT_EQ(test::ReadFile(blobs[0]->disk), test::ReadFile(tmp / "fw.bin"));
  return blobs[0]->path;
}

// A record line with its checksum computed: ":" count address type data checksum.
std::string HexrecIhexLine(std::uint16_t address, std::uint8_t type, const std::string& data) {
  unsigned sum = static_cast<unsigned>(data.size()) + (address >> 8) + (address & 0xff) + type;
  std::string line = fmt::format(":{:02X}{:04X}{:02X}", data.size(), address, type);
  for (unsigned char c : data) {
    line += fmt::format("{:02X}", c);
    sum += c;
  }
  return line + fmt::format("{:02X}\n", (0x100 - (sum & 0xff)) & 0xff);
}

// "S<type>" count, address of `abytes` bytes, data, ones'-complement checksum.
std::string HexrecSrecLine(int type, int abytes, std::uint32_t address, const std::string& data) {
  const unsigned count = static_cast<unsigned>(abytes + data.size() + 1);
  std::string line = fmt::format("S{}{:02X}", type, count);
  unsigned sum = count;
  for (int i = abytes - 1; i >= 0; --i) {
    const unsigned b = (address >> (8 * i)) & 0xff;
    line += fmt::format("{:02X}", b);
    sum += b;
  }
  for (unsigned char c : data) {
    line += fmt::format("{:02X}", c);
    sum += c;
  }
  return line + fmt::format("{:02X}\n", ~sum & 0xff);
}

TEST(Ihex, ObjcopySquashfsAtFlashAddress) {
  if (!test::HaveTool("objcopy") || !test::HaveTool("mksquashfs")) GTEST_SKIP() << "tools missing";
  const std::string text = HexrecObjcopySquashfs("ihex", "ihex", "gzip");
  EXPECT_EQ(text.substr(0, 15), ":020000040800F2");
}

TEST(Ihex, BinaryComesBackByteForByte) {
  if (!test::HaveTool("objcopy")) GTEST_SKIP() << "objcopy not installed";
  const std::string path = HexrecBinaryBack(
      "objcopy -I binary -O ihex --change-addresses 0x1000 fw.bin fw.hex", "fw.hex", "ihex", 70000);
  EXPECT_NE(path.find("0x00001000"), std::string::npos) << path;
}

TEST(Srec, ObjcopySquashfsAtFlashAddress) {
  if (!test::HaveTool("objcopy") || !test::HaveTool("mksquashfs")) GTEST_SKIP() << "tools missing";
  const std::string text = HexrecObjcopySquashfs("srec", "srec", "xz");
  EXPECT_EQ(text.substr(0, 2), "S0");
  EXPECT_NE(text.find("\nS315080000"), std::string::npos);
}

TEST(Srec, S19BinaryComesBackByteForByte) {
  if (!test::HaveTool("objcopy")) GTEST_SKIP() << "objcopy not installed";
  HexrecBinaryBack("objcopy -I binary -O srec --srec-len=32 fw.bin fw.s19; grep -q '^S1' fw.s19",
                   "fw.s19", "srec", 30000);
}

// Records in any order, a small gap filled with 0xFF, a 2 GiB gap that must become a second
// region (never 2 GiB of output), a bad checksum and an overlap, each warned with its line.
TEST(IhexHostile, GapsChecksumsAndOverlaps) {
  test::TempDir tmp;
  std::string hex = HexrecIhexLine(0, 4, std::string("\x00\x00", 2));  // line 1
  hex += HexrecIhexLine(0x0010, 0, "BBBBBBBB");                        // line 2
  hex += HexrecIhexLine(0x0000, 0, "AAAAAAAA");                        // line 3
  hex += HexrecIhexLine(0, 4, std::string("\x80\x00", 2));             // line 4: 0x80000000
  hex += HexrecIhexLine(0x0000, 0, "CCCC");                            // line 5
  std::string bad = HexrecIhexLine(0x0100, 0, "DDDD");                 // line 6: bad checksum
  bad[bad.size() - 2] = bad[bad.size() - 2] == '0' ? '1' : '0';
  hex += bad;
  hex += HexrecIhexLine(0, 4, std::string("\x00\x00", 2));  // line 7
  hex += HexrecIhexLine(0x0004, 0, "E");                    // line 8: overlap
  hex += ":00000001FF\n";
  test::WriteFile(tmp / "sparse.hex", hex);
  auto r = test::Unpack(tmp / "sparse.hex", tmp / "out");
  EXPECT_TRUE(test::HasProblem(r, "ihex line 6: checksum mismatch")) << r.problems.size();
  EXPECT_TRUE(test::HasProblem(r, "ihex line 5: address gap")) << r.problems.size();
  EXPECT_TRUE(test::HasProblem(r, "ihex line 8: 1 bytes at address 0x4 overlap"));
  auto blobs = IhexBlobs(r.tree);
  ASSERT_EQ(blobs.size(), 2u);
  std::sort(blobs.begin(), blobs.end(), [](auto* a, auto* b) { return a->path < b->path; });
  EXPECT_EQ(test::ReadFile(blobs[0]->disk),
            "AAAAAAAA\xff\xff\xff\xff\xff\xff\xff\xff"
            "BBBBBBBB");
  EXPECT_EQ(test::ReadFile(blobs[1]->disk), "CCCC");
  EXPECT_NE(blobs[1]->path.find("0x80000000"), std::string::npos);
  EXPECT_LT(r.bytes_written, 4096u);
}

// A malformed line ends the image (warned with its line), no end record is warned, and a file
// whose first line is not a valid record is not Intel HEX at all.
TEST(IhexHostile, MalformedTruncatedAndFalseStarts) {
  test::TempDir tmp;
  const std::string good = HexrecIhexLine(0x0000, 0, "0123456789abcdef");
  test::WriteFile(tmp / "cut.hex", good + good.substr(0, 20) + "\n");
  auto r = test::Unpack(tmp / "cut.hex", tmp / "out-cut");
  EXPECT_TRUE(test::HasProblem(r, "ihex line 2: malformed record"));
  EXPECT_TRUE(test::HasProblem(r, "ihex: no end-of-file record after line 1"));
  ASSERT_EQ(IhexBlobs(r.tree).size(), 1u);
  EXPECT_EQ(test::ReadFile(IhexBlobs(r.tree)[0]->disk), "0123456789abcdef");

  std::string wrong = good;
  wrong[wrong.size() - 2] = wrong[wrong.size() - 2] == '0' ? '1' : '0';
  test::WriteFile(tmp / "wrong.hex", wrong + ":00000001FF\n");
  auto w = test::Unpack(tmp / "wrong.hex", tmp / "out-wrong");
  EXPECT_TRUE(IhexBlobs(w.tree).empty());
  test::WriteFile(tmp / "text.txt", ":10 is how a hex line starts\n");
  auto t = test::Unpack(tmp / "text.txt", tmp / "out-text");
  EXPECT_TRUE(IhexBlobs(t.tree).empty());
  // A record whose count lies about its length is malformed, not read past its line.
  test::WriteFile(tmp / "lie.hex", ":FF000000" + std::string(20, '0') + "\n");
  auto l = test::Unpack(tmp / "lie.hex", tmp / "out-lie");
  EXPECT_TRUE(IhexBlobs(l.tree).empty());
}

TEST(SrecHostile, ChecksumCountTerminationAndSpan) {
  test::TempDir tmp;
  std::string s = HexrecSrecLine(0, 2, 0, "hdr");         // line 1
  s += HexrecSrecLine(3, 4, 0xfffffff0, "HIGH");          // line 2
  std::string bad = HexrecSrecLine(3, 4, 0x100, "XXXX");  // line 3: bad checksum
  bad[bad.size() - 2] = bad[bad.size() - 2] == '0' ? '1' : '0';
  s += bad;
  s += HexrecSrecLine(3, 4, 0x0, "LOW!");  // line 4
  s += "S4030000FC\n";                     // line 5: reserved type
  test::WriteFile(tmp / "hostile.s37", s);
  auto r = test::Unpack(tmp / "hostile.s37", tmp / "out");
  EXPECT_TRUE(test::HasProblem(r, "srec line 3: checksum mismatch"));
  EXPECT_TRUE(test::HasProblem(r, "srec line 5: malformed record"));
  EXPECT_TRUE(test::HasProblem(r, "srec: no termination record (S7/S8/S9) after line 4"));
  EXPECT_TRUE(test::HasProblem(r, "srec line 2: address gap"));
  auto blobs = SrecBlobs(r.tree);
  ASSERT_EQ(blobs.size(), 2u);
  EXPECT_LT(r.bytes_written, 4096u);

  // An S5 record that counts more data records than there are.
  std::string c = HexrecSrecLine(1, 2, 0x10, "abcd") + HexrecSrecLine(5, 2, 3, "") +
                  HexrecSrecLine(9, 2, 0x10, "");
  test::WriteFile(tmp / "count.s19", c);
  auto rc = test::Unpack(tmp / "count.s19", tmp / "out-count");
  EXPECT_TRUE(test::HasProblem(rc, "srec line 2: record count says 3 data records, 1 seen"));
  ASSERT_EQ(SrecBlobs(rc.tree).size(), 1u);
  EXPECT_EQ(test::ReadFile(SrecBlobs(rc.tree)[0]->disk), "abcd");

  // A first line with a wrong checksum, or a count longer than its line: not an S-record.
  std::string wrong = HexrecSrecLine(1, 2, 0, "abcd");
  wrong[wrong.size() - 2] = wrong[wrong.size() - 2] == '0' ? '1' : '0';
  test::WriteFile(tmp / "wrong.s19", wrong);
  EXPECT_TRUE(SrecBlobs(test::Unpack(tmp / "wrong.s19", tmp / "out-wrong").tree).empty());
  test::WriteFile(tmp / "lie.s19", "S1FF0000" + std::string(40, 'A') + "\n");
  EXPECT_TRUE(SrecBlobs(test::Unpack(tmp / "lie.s19", tmp / "out-lie").tree).empty());
}

}  // namespace
}  // namespace iotcop::unpack
