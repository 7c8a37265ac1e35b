// File: tests/unpack/integration/unpack_jffs2_test.cc
// JFFS2 in both byte orders with every compressor the handler decodes: zlib, rtime and lzo from
// Debian's mkfs.jffs2 (each forced alone, and the image checked to really hold nodes of that
// compressor and no other), and LZMA nodes, which no Debian tool writes, re-encoded here from a
// mkfs.jffs2 image with liblzma and the parameters of OpenWrt's JFFS2 LZMA patch (and of the older
// props-header variant). Each image must unpack to the known tree byte for byte; a corrupt LZMA
// node or a bad data CRC warns with the node's offset while the rest of the tree still extracts.
#include <gtest/gtest.h>
#include <lzma.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <map>
#include <random>

#include "support/fs_fixture.h"
#include "support/test_support.h"

namespace iotcop::unpack {
namespace {

namespace fs = std::filesystem;

constexpr std::uint16_t kJffs2TestMagic = 0x1985, kJffs2TestCleanmarker = 0x2003,
                        kJffs2TestInode = 0xE002, kJffs2TestDirent = 0xE001;
constexpr std::size_t kJffs2TestInodeHdr = 68, kJffs2TestEraseBlock = 64 * 1024;
constexpr std::uint8_t kJffs2TestNone = 0, kJffs2TestRtime = 2, kJffs2TestZlib = 6,
                       kJffs2TestLzo = 7, kJffs2TestLzma = 0x08, kJffs2TestLzmaProps = 0x15;

// JFFS2's CRC as mkfs.jffs2 computes it: crc32 seeded with 0, no pre/post inversion.
std::uint32_t Jffs2TestCrc(const std::string& s, std::size_t pos, std::size_t len) {
  return ~static_cast<std::uint32_t>(
      crc32(0xFFFFFFFFul, reinterpret_cast<const Bytef*>(s.data() + pos), len));
}

// Reads and writes an image's fields in its byte order.
struct Jffs2TestEndian {
  bool big = false;
  std::uint32_t Get(const std::string& s, std::size_t pos, int bytes) const {
    std::uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) {
      const std::uint32_t b = static_cast<std::uint8_t>(s[pos + i]);
      v |= big ? b << (8 * (bytes - 1 - i)) : b << (8 * i);
    }
    return v;
  }
  void Put(std::string& s, std::size_t pos, int bytes, std::uint32_t v) const {
    for (int i = 0; i < bytes; ++i) {
      s[pos + i] = static_cast<char>(big ? v >> (8 * (bytes - 1 - i)) : v >> (8 * i));
    }
  }
};

struct Jffs2TestNode {
  std::size_t pos;
  std::uint16_t type;
  std::uint32_t totlen;
};

// The valid nodes of an image (magic and header CRC), skipping erase-block padding.
std::vector<Jffs2TestNode> Jffs2TestNodes(const std::string& img, const Jffs2TestEndian& e) {
  std::vector<Jffs2TestNode> nodes;
  std::size_t pos = 0;
  while (pos + 12 <= img.size()) {
    const std::uint32_t totlen = e.Get(img, pos + 4, 4);
    if (e.Get(img, pos, 2) == kJffs2TestMagic &&
        Jffs2TestCrc(img, pos, 8) == e.Get(img, pos + 8, 4) && totlen >= 12 &&
        totlen <= img.size() - pos) {
      nodes.push_back({pos, static_cast<std::uint16_t>(e.Get(img, pos + 2, 2)), totlen});
      pos += (totlen + 3) & ~3u;
    } else {
      pos += 4;
    }
  }
  return nodes;
}

// How many data nodes (dsize > 0) use each compressor id.
std::map<int, int> Jffs2TestComprCounts(const std::string& img, const Jffs2TestEndian& e) {
  std::map<int, int> n;
  for (const auto& node : Jffs2TestNodes(img, e)) {
    if (node.type == kJffs2TestInode && node.totlen >= kJffs2TestInodeHdr &&
        e.Get(img, node.pos + 52, 4) > 0) {
      n[static_cast<std::uint8_t>(img[node.pos + 56])]++;
    }
  }
  return n;
}

// liblzma's raw LZMA1 encoder with no end marker (as the LZMA SDK's LzmaEnc_MemEncode with
// writeEndMark 0 in OpenWrt's compr_lzma.c): preset 9, nice_len 273 (LZMA_BEST_FB), lc/lp/pb and
// an 8 KiB dictionary (LZMA_BEST_DICT(0x2000)) as given.
std::string Jffs2TestLzma(const std::string& in, std::uint32_t lc, std::uint32_t lp,
                          std::uint32_t pb) {
  lzma_options_lzma opt{};
  EXPECT_FALSE(lzma_lzma_preset(&opt, 9));
  opt.dict_size = 0x2000;
  opt.lc = lc;
  opt.lp = lp;
  opt.pb = pb;
  opt.nice_len = 273;
  opt.ext_flags = 0;  // no end-of-payload marker
  const lzma_filter filters[] = {{LZMA_FILTER_LZMA1EXT, &opt}, {LZMA_VLI_UNKNOWN, nullptr}};
  std::string out(in.size() + in.size() / 2 + 256, '\0');
  std::size_t out_pos = 0;
  const lzma_ret rc = lzma_raw_buffer_encode(
      filters, nullptr, reinterpret_cast<const std::uint8_t*>(in.data()), in.size(),
      reinterpret_cast<std::uint8_t*>(out.data()), &out_pos, out.size());
  EXPECT_EQ(rc, LZMA_OK);
  out.resize(out_pos);
  return out;
}

// Rewrites a mkfs.jffs2 image whose data nodes are stored uncompressed: every regular file's data
// node becomes an LZMA node of id `compr` (0x08: OpenWrt's raw stream, lc=0 lp=0 pb=0; 0x15: the
// 5-byte LZMA properties then the stream, lc=3 lp=0 pb=2) when that is smaller, as the kernel's
// priority mode would keep it, with csize, data_crc, node_crc and hdr_crc recomputed. Nodes are
// laid out again as mkfs.jffs2 does: a cleanmarker at the start of each 64 KiB erase block, a
// node never crossing a block (0xff padding up to the next one), each node padded to 4 bytes.
std::string Jffs2TestToLzma(const std::string& img, const Jffs2TestEndian& e, std::uint8_t compr,
                            int* converted) {
  std::string out;
  auto cleanmarker = [&] {
    std::string cm(12, '\0');
    e.Put(cm, 0, 2, kJffs2TestMagic);
    e.Put(cm, 2, 2, kJffs2TestCleanmarker);
    e.Put(cm, 4, 4, 12);
    e.Put(cm, 8, 4, Jffs2TestCrc(cm, 0, 8));
    out += cm;
  };
  *converted = 0;
  for (const auto& n : Jffs2TestNodes(img, e)) {
    if (n.type == kJffs2TestCleanmarker) continue;
    std::string node = img.substr(n.pos, n.totlen);
    const std::uint32_t dsize = n.type == kJffs2TestInode ? e.Get(node, 52, 4) : 0;
    if (dsize > 0 && static_cast<std::uint8_t>(node[56]) == kJffs2TestNone &&
        S_ISREG(e.Get(node, 20, 4))) {
      const std::string data = node.substr(kJffs2TestInodeHdr, e.Get(node, 48, 4));
      std::string payload;
      if (compr == kJffs2TestLzma) {
        payload = Jffs2TestLzma(data, 0, 0, 0);
      } else {
        payload = std::string("\x5d\x00\x20\x00\x00", 5) + Jffs2TestLzma(data, 3, 0, 2);
      }
      if (payload.size() < data.size()) {
        node = node.substr(0, kJffs2TestInodeHdr) + payload;
        e.Put(node, 4, 4, static_cast<std::uint32_t>(node.size()));
        e.Put(node, 8, 4, Jffs2TestCrc(node, 0, 8));
        e.Put(node, 48, 4, static_cast<std::uint32_t>(payload.size()));
        node[56] = static_cast<char>(compr);
        e.Put(node, 60, 4, Jffs2TestCrc(payload, 0, payload.size()));
        e.Put(node, 64, 4, Jffs2TestCrc(node, 0, 60));
        ++*converted;
      }
    }
    const std::size_t used = out.size() % kJffs2TestEraseBlock;
    if (used != 0 && used + node.size() > kJffs2TestEraseBlock) {
      out.append(kJffs2TestEraseBlock - used, '\xff');
    }
    if (out.size() % kJffs2TestEraseBlock == 0) cleanmarker();
    out += node;
    out.append((4 - out.size() % 4) % 4, '\xff');
  }
  return out;
}

std::string Jffs2TestComprList(const std::map<int, int>& counts) {
  std::string s;
  for (const auto& [c, n] : counts) s += std::to_string(c) + ":" + std::to_string(n) + " ";
  return s;
}

// The known tree under tmp/src, its mkfs.jffs2 image (-b or -l, then `opts`) rewritten to LZMA
// nodes of id `lzma` when non-zero, left at tmp/image.bin; its bytes, or "" with a failure.
std::string Jffs2TestImage(const test::TempDir& tmp, bool big, const std::string& opts,
                           std::uint8_t lzma) {
  if (!test::MakeFsTree(tmp / "src")) return "";
  const fs::path img = test::BuildImage(
      tmp.path(), tmp / "src",
      std::string("mkfs.jffs2 ") + (big ? "-b " : "-l ") + opts + " -r \"$SRC\" -o \"$OUT\"");
  if (img.empty()) return "";
  std::string d = test::ReadFile(img);
  if (lzma != 0) {
    int converted = 0;
    d = Jffs2TestToLzma(d, Jffs2TestEndian{big}, lzma, &converted);
    test::WriteFile(img, d);
    EXPECT_GT(converted, 20);
  }
  return d;
}

// The source tree's image with `opts`, rewritten to LZMA nodes of id `lzma` when non-zero; every
// data node must use `compr` or stay uncompressed, and at least a few must use `compr`.
void Jffs2TestRoundTrip(bool big, const std::string& opts, std::uint8_t compr,
                        std::uint8_t lzma = 0) {
  if (!test::HaveTool("mkfs.jffs2")) GTEST_SKIP() << "mkfs.jffs2 (mtd-utils) not installed";
  test::TempDir tmp;
  const std::string d = Jffs2TestImage(tmp, big, opts, lzma);
  ASSERT_FALSE(d.empty());
  const fs::path img = tmp / "image.bin";
  const Jffs2TestEndian e{big};
  const auto counts = Jffs2TestComprCounts(d, e);
  for (const auto& [c, n] : counts) {
    EXPECT_TRUE(c == compr || c == kJffs2TestNone) << "compressor " << c << " in the image";
  }
  // The known tree's binaries and text span about 170 pages of 4 KiB: many compress even with
  // rtime, the weakest.
  ASSERT_TRUE(counts.contains(compr)) << Jffs2TestComprList(counts);
  EXPECT_GE(counts.at(compr), 25) << Jffs2TestComprList(counts);
  auto r = test::Unpack(img, tmp / "out");
  for (const auto& p : r.problems) ADD_FAILURE() << "problem: " << p.message;
  const std::uint32_t root = test::RootOf(r.tree, "jffs2");
  ASSERT_NE(root, UINT32_MAX);
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.owners = true}), 60u);
  test::ExpectInside(r, tmp / "out");
}

const std::string kJffs2TestOnlyZlib = "-x rtime -x lzo";
const std::string kJffs2TestOnlyRtime = "-x zlib -x lzo";
const std::string kJffs2TestOnlyLzo = "-X lzo -x zlib -x rtime";
const std::string kJffs2TestStored = "-x zlib -x rtime -x lzo";

TEST(UnpackJffs2, LittleEndianZlib) {
  Jffs2TestRoundTrip(false, kJffs2TestOnlyZlib, kJffs2TestZlib);
}
TEST(UnpackJffs2, BigEndianZlib) { Jffs2TestRoundTrip(true, kJffs2TestOnlyZlib, kJffs2TestZlib); }
TEST(UnpackJffs2, LittleEndianRtime) {
  Jffs2TestRoundTrip(false, kJffs2TestOnlyRtime, kJffs2TestRtime);
}
TEST(UnpackJffs2, BigEndianRtime) {
  Jffs2TestRoundTrip(true, kJffs2TestOnlyRtime, kJffs2TestRtime);
}
TEST(UnpackJffs2, LittleEndianLzo) { Jffs2TestRoundTrip(false, kJffs2TestOnlyLzo, kJffs2TestLzo); }
TEST(UnpackJffs2, BigEndianLzo) { Jffs2TestRoundTrip(true, kJffs2TestOnlyLzo, kJffs2TestLzo); }
TEST(UnpackJffs2, LittleEndianLzmaOpenWrt) {
  Jffs2TestRoundTrip(false, kJffs2TestStored, kJffs2TestLzma, kJffs2TestLzma);
}
TEST(UnpackJffs2, BigEndianLzmaOpenWrt) {
  Jffs2TestRoundTrip(true, kJffs2TestStored, kJffs2TestLzma, kJffs2TestLzma);
}
TEST(UnpackJffs2, LittleEndianLzmaPropsHeader) {
  Jffs2TestRoundTrip(false, kJffs2TestStored, kJffs2TestLzmaProps, kJffs2TestLzmaProps);
}
TEST(UnpackJffs2, BigEndianLzmaPropsHeader) {
  Jffs2TestRoundTrip(true, kJffs2TestStored, kJffs2TestLzmaProps, kJffs2TestLzmaProps);
}

// A corrupt LZMA node (data CRC made to match, so only the decoder can tell) and a node whose data
// CRC is wrong: each is reported with its offset, its file keeps the other nodes' data, and every
// other file comes back intact.
TEST(UnpackJffs2, CorruptLzmaNodeWarnsAndTheRestExtracts) {
  if (!test::HaveTool("mkfs.jffs2")) GTEST_SKIP() << "mkfs.jffs2 (mtd-utils) not installed";
  test::TempDir tmp;
  std::string d = Jffs2TestImage(tmp, true, kJffs2TestStored, kJffs2TestLzma);
  ASSERT_FALSE(d.empty());
  const Jffs2TestEndian e{true};
  // The LZMA nodes of www/big.bin (its inode from its directory entry): garble the second one's
  // stream and fix its data CRC; give the fourth a wrong data CRC.
  std::uint32_t big_ino = 0;
  std::vector<Jffs2TestNode> big;
  for (const auto& n : Jffs2TestNodes(d, e)) {
    if (n.type == kJffs2TestDirent && static_cast<std::uint8_t>(d[n.pos + 28]) == 7 &&
        d.compare(n.pos + 40, 7, "big.bin") == 0)
      big_ino = e.Get(d, n.pos + 20, 4);
  }
  ASSERT_NE(big_ino, 0u);
  for (const auto& n : Jffs2TestNodes(d, e)) {
    if (n.type == kJffs2TestInode && e.Get(d, n.pos + 12, 4) == big_ino &&
        static_cast<std::uint8_t>(d[n.pos + 56]) == kJffs2TestLzma)
      big.push_back(n);
  }
  ASSERT_GE(big.size(), 10u);
  const Jffs2TestNode garbled = big[1], bad_crc = big[3];
  const std::uint32_t csize = e.Get(d, garbled.pos + 48, 4);
  for (std::size_t i = csize / 3; i < csize / 3 + 16; ++i) d[garbled.pos + 68 + i] ^= 0x5a;
  e.Put(d, garbled.pos + 60, 4, Jffs2TestCrc(d, garbled.pos + 68, csize));
  e.Put(d, garbled.pos + 64, 4, Jffs2TestCrc(d, garbled.pos, 60));
  e.Put(d, bad_crc.pos + 60, 4, e.Get(d, bad_crc.pos + 60, 4) ^ 1);
  e.Put(d, bad_crc.pos + 64, 4, Jffs2TestCrc(d, bad_crc.pos, 60));
  test::WriteFile(tmp / "bad.jffs2", d);

  auto r = test::Unpack(tmp / "bad.jffs2", tmp / "out");
  const std::uint32_t root = test::RootOf(r.tree, "jffs2");
  ASSERT_NE(root, UINT32_MAX);
  bool saw_garbled = false, saw_crc = false;
  for (const auto& p : r.problems) {
    if (p.offset == garbled.pos && p.message.find("/www/big.bin") != std::string::npos &&
        p.message.find("lzma") != std::string::npos &&
        p.message.find("not decodable") != std::string::npos)
      saw_garbled = true;
    else if (p.offset == bad_crc.pos && p.message.find("data CRC mismatch") != std::string::npos)
      saw_crc = true;
    else
      ADD_FAILURE() << "unexpected problem at " << p.offset.value_or(0) << ": " << p.message;
  }
  EXPECT_TRUE(saw_garbled);
  EXPECT_TRUE(saw_crc);
  // big.bin keeps its size and every page but the two bad ones; every other file is intact.
  const Entry* b = r.tree.Find(root, "/www/big.bin");
  ASSERT_NE(b, nullptr);
  const std::string got = test::ReadFile(b->disk), want = test::ReadFile(tmp / "src/www/big.bin");
  ASSERT_EQ(got.size(), want.size());
  const std::uint32_t off1 = e.Get(d, garbled.pos + 44, 4), off3 = e.Get(d, bad_crc.pos + 44, 4);
  EXPECT_TRUE(got.substr(0, off1) == want.substr(0, off1));
  EXPECT_TRUE(got.substr(off1, 4096) != want.substr(off1, 4096));
  EXPECT_TRUE(got.substr(off3 + 4096) == want.substr(off3 + 4096));
  fs::remove(tmp / "src/www/big.bin");
  EXPECT_GE(test::CompareWithSource(tmp / "src", r.tree, root, {.owners = true}), 59u);
  test::ExpectInside(r, tmp / "out");
}

// Hostile LZMA nodes with valid CRCs, so only the decoder stands between them and the output:
// impossible properties, lc + lp over liblzma's limit, a 4 GiB dictionary (clamped to the
// node's output, so the page still decodes), a dsize far beyond the stream, random bytes. Each bad
// one is reported with its offset, nothing is written outside, and cut copies of the image unpack.
TEST(UnpackJffs2, HostileLzmaNodesAreBoundedAndReported) {
  if (!test::HaveTool("mkfs.jffs2")) GTEST_SKIP() << "mkfs.jffs2 (mtd-utils) not installed";
  test::TempDir tmp;
  std::string d = Jffs2TestImage(tmp, false, kJffs2TestStored, kJffs2TestLzmaProps);
  ASSERT_FALSE(d.empty());
  const Jffs2TestEndian e{false};
  std::vector<Jffs2TestNode> lz;
  for (const auto& n : Jffs2TestNodes(d, e)) {
    if (n.type == kJffs2TestInode &&
        static_cast<std::uint8_t>(d[n.pos + 56]) == kJffs2TestLzmaProps)
      lz.push_back(n);
  }
  ASSERT_GE(lz.size(), 40u);
  auto refresh = [&](const Jffs2TestNode& n) {
    e.Put(d, n.pos + 60, 4, Jffs2TestCrc(d, n.pos + 68, e.Get(d, n.pos + 48, 4)));
    e.Put(d, n.pos + 64, 4, Jffs2TestCrc(d, n.pos, 60));
  };
  d[lz[2].pos + 68] = static_cast<char>(0xE1);                 // properties byte out of range
  d[lz[6].pos + 68] = static_cast<char>((0 * 5 + 1) * 9 + 4);  // lc=4 lp=1
  e.Put(d, lz[10].pos + 69, 4, 0xFFFFFFFFu);                   // 4 GiB dictionary: still decodes
  e.Put(d, lz[14].pos + 52, 4, (16u << 20) - 1);               // dsize beyond the stream
  std::mt19937 rng(0x1ff52);
  const std::uint32_t csize18 = e.Get(d, lz[18].pos + 48, 4);
  for (std::uint32_t i = csize18 / 3; i < csize18; ++i)  // random bytes after a valid start
    d[lz[18].pos + 68 + i] = static_cast<char>(rng());
  for (std::size_t k : {2, 6, 10, 14, 18}) refresh(lz[k]);
  test::WriteFile(tmp / "bad.jffs2", d);
  auto r = test::Unpack(tmp / "bad.jffs2", tmp / "out");
  ASSERT_NE(test::RootOf(r.tree, "jffs2"), UINT32_MAX);
  for (std::size_t k : {2, 6, 14, 18}) {
    EXPECT_TRUE(std::any_of(r.problems.begin(), r.problems.end(),
                            [&](const auto& p) {
                              return p.offset == lz[k].pos &&
                                     p.message.find("not decodable") != std::string::npos;
                            }))
        << "node " << k << " at " << lz[k].pos;
  }
  EXPECT_FALSE(std::any_of(r.problems.begin(), r.problems.end(),
                           [&](const auto& p) { return p.offset == lz[10].pos; }));
  EXPECT_EQ(r.problems.size(), 4u);
  test::ExpectInside(r, tmp / "out");
  test::ForEachTruncation(tmp / "bad.jffs2", tmp.path(),
                          {100, lz[3].pos + 80, d.size() / 2, d.size() - 5});
}

}  // namespace
}  // namespace iotcop::unpack
