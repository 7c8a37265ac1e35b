// File: tests/support/disk_fixture.cc
#include "support/disk_fixture.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace iotcop::test {

namespace fs = std::filesystem;

bool MakeFatTree(const fs::path& src) {
  const std::string s = src.string();
  auto r = RunShell(
      "set -e; mkdir -p '" + s + "'; cd '" + s +
      "'; mkdir -p etc/config 'Program Files/deep/deeper/deepest' www;"
      " printf 'root:x:0:0::/root:/bin/sh\\n' > etc/passwd;"
      " printf 'option lan 1\\n' > etc/config/network;"
      " printf 'A long file name that is not 8.3\\n' > 'www/A long file name.html';"
      " printf 'mixed\\n' > www/MiXeD.Txt; printf 'UPPER\\n' > www/UPPER.TXT;"
      " head -c 300000 /bin/ls > 'Program Files/deep/big.bin';"
      " printf 'deep\\n' > 'Program Files/deep/deeper/deepest/leaf.txt';"
      " : > empty.txt; printf 'caf\\303\\251\\n' > \"$(printf 'Caf\\303\\251 menu.txt')\"");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0;
}

bool MakeFatImage(const fs::path& src, const fs::path& img, int bits, int kib) {
  auto r =
      RunShell("set -e; export MTOOLS_SKIP_CHECK=1; rm -f '" + img.string() + "'; mkfs.fat -F " +
               std::to_string(bits) + (bits == 16 ? " -s 1" : "") + " -n FIXTURE -C '" +
               img.string() + "' " + std::to_string(kib) + " >/dev/null; cd '" + src.string() +
               "'; mcopy -s -i '" + img.string() + "' * ::/");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0;
}

std::string LeBytes(std::uint64_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return s;
}

std::string PadTo(std::string s, std::size_t page) {
  s.resize((s.size() + page - 1) / page * page, '\0');
  return s;
}

std::vector<std::uint32_t> RootsFrom(const unpack::UnpackResult& r, const std::string& outer,
                                     const std::string& inner) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < r.tree.roots().size(); ++i) {
    const auto& o = r.tree.roots()[i].origin;
    if (!o.empty() && o.front().handler == outer && o.back().handler == inner) out.push_back(i);
  }
  return out;
}

bool HaveFatTools() { return HaveTool("mkfs.fat") && HaveTool("mcopy"); }

}  // namespace iotcop::test
