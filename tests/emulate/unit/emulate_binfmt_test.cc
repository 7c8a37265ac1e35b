// The binfmt_misc rules the emulation registers in its namespace (BinfmtMagicMask): each takes the
// ELF programs of its own architecture (executables and shared objects, any OS ABI byte) and no
// other's; where Debian's qemu-user-static describes the same emulator (/usr/share/binfmts), both
// rules take the same headers.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "emulate/emulate.h"

namespace iotcop::emulate {
namespace {

struct BinfmtArch {
  const char* arch;
  const char* qemu;  // Debian's file name: /usr/share/binfmts/qemu-<qemu>
  int elf_class;
  bool little;
  int machine;
};
constexpr BinfmtArch kBinfmtArchs[] = {
    {"mips", "mips", 1, false, 8},        {"mipsel", "mipsel", 1, true, 8},
    {"arm", "arm", 1, true, 40},          {"armeb", "armeb", 1, false, 40},
    {"aarch64", "aarch64", 2, true, 183}, {"x86", "i386", 1, true, 3},
    {"x86-64", "x86_64", 2, true, 62},    {"powerpc", "ppc", 1, false, 20},
    {"riscv64", "riscv64", 2, true, 243}};

// "\x7f\x45..." -> bytes.
std::vector<std::uint8_t> BinfmtBytes(const std::string& text) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 4 <= text.size() && text.compare(i, 2, "\\x") == 0; i += 4)
    out.push_back(static_cast<std::uint8_t>(std::stoi(text.substr(i + 2, 2), nullptr, 16)));
  return out;
}

bool BinfmtMatches(const std::vector<std::uint8_t>& magic, const std::vector<std::uint8_t>& mask,
                   const std::vector<std::uint8_t>& header) {
  if (magic.size() != mask.size() || magic.size() > header.size()) return false;
  for (std::size_t i = 0; i < magic.size(); ++i)
    if ((header[i] & mask[i]) != (magic[i] & mask[i])) return false;
  return true;
}

// A 52-byte ELF header of `a`, with e_type `type`, OS ABI `osabi`, ABI version `abiver`.
std::vector<std::uint8_t> BinfmtHeader(const BinfmtArch& a, int type, int osabi, int abiver) {
  std::vector<std::uint8_t> h(52, 0);
  h[0] = 0x7f, h[1] = 'E', h[2] = 'L', h[3] = 'F';
  h[4] = static_cast<std::uint8_t>(a.elf_class);
  h[5] = a.little ? 1 : 2;
  h[6] = 1;
  h[7] = static_cast<std::uint8_t>(osabi);
  h[8] = static_cast<std::uint8_t>(abiver);
  auto put16 = [&](std::size_t at, int v) {
    h[at + (a.little ? 0 : 1)] = static_cast<std::uint8_t>(v & 0xff);
    h[at + (a.little ? 1 : 0)] = static_cast<std::uint8_t>(v >> 8);
  };
  put16(16, type);
  put16(18, a.machine);
  return h;
}

TEST(EmulateBinfmt, EachRuleTakesItsOwnArchitectureOnly) {
  for (const auto& rule : kBinfmtArchs) {
    const std::string mm = BinfmtMagicMask(rule.arch);
    ASSERT_FALSE(mm.empty()) << rule.arch;
    const auto colon = mm.find(':');
    ASSERT_NE(colon, std::string::npos);
    const auto magic = BinfmtBytes(mm.substr(0, colon));
    const auto mask = BinfmtBytes(mm.substr(colon + 1));
    ASSERT_EQ(magic.size(), 20u) << mm;
    ASSERT_EQ(mask.size(), 20u) << mm;
    for (const auto& a : kBinfmtArchs) {
      for (int type : {2, 3}) {
        // OpenWrt's uClibc programs carry ABI version 1; System V and Linux OS ABI bytes.
        for (auto [osabi, abiver] : {std::pair{0, 0}, std::pair{0, 1}, std::pair{3, 0}}) {
          const bool same = std::string(a.arch) == rule.arch;
          EXPECT_EQ(BinfmtMatches(magic, mask, BinfmtHeader(a, type, osabi, abiver)), same)
              << "rule " << rule.arch << " on a " << a.arch << " header, e_type " << type;
        }
      }
      // A relocatable object or a core file is no program.
      EXPECT_FALSE(BinfmtMatches(magic, mask, BinfmtHeader(a, 1, 0, 0)));
      EXPECT_FALSE(BinfmtMatches(magic, mask, BinfmtHeader(a, 4, 0, 0)));
    }
  }
  EXPECT_EQ(BinfmtMagicMask("vax"), "");
}

TEST(EmulateBinfmt, AgreesWithDebiansQemuUserStaticRules) {
  int compared = 0;
  for (const auto& rule : kBinfmtArchs) {
    std::ifstream in(std::string("/usr/share/binfmts/qemu-") + rule.qemu);
    if (!in) continue;
    std::vector<std::uint8_t> dmagic, dmask;
    std::string line;
    while (std::getline(in, line)) {
      if (line.starts_with("magic ")) dmagic = BinfmtBytes(line.substr(6));
      if (line.starts_with("mask ")) dmask = BinfmtBytes(line.substr(5));
    }
    ASSERT_FALSE(dmagic.empty()) << rule.qemu;
    const std::string mm = BinfmtMagicMask(rule.arch);
    const auto magic = BinfmtBytes(mm.substr(0, mm.find(':')));
    const auto mask = BinfmtBytes(mm.substr(mm.find(':') + 1));
    for (const auto& a : kBinfmtArchs) {
      for (int type : {2, 3}) {
        // ABI version 0 only: Debian's rules take version 1 for MIPS alone, iotcop's for all.
        auto h = BinfmtHeader(a, type, 0, 0);
        h.resize(64, 0);  // Debian's MIPS rules read e_flags (byte 39)
        EXPECT_EQ(BinfmtMatches(magic, mask, h), BinfmtMatches(dmagic, dmask, h))
            << "iotcop's and Debian's " << rule.qemu << " rules differ on a " << a.arch
            << " header, e_type " << type;
      }
    }
    ++compared;
  }
  if (compared == 0) GTEST_SKIP() << "qemu-user-static's /usr/share/binfmts files are absent";
}

}  // namespace
}  // namespace iotcop::emulate
