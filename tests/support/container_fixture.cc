// File: tests/support/container_fixture.cc
#include "support/container_fixture.h"

#include <gtest/gtest.h>

#include "support/fs_fixture.h"

namespace iotcop::test {

void PutBe(std::string& s, std::size_t at, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    s[at + i] = static_cast<char>((v >> (8 * (bytes - 1 - i))) & 0xff);
}

void PutLe(std::string& s, std::size_t at, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

ContainerPayload MakeContainerPayload(const TempDir& tmp) {
  if (!MakeFsTree(tmp / "src")) return {};
  auto b = RunShell("set -e; cd " + Q(tmp.path()) +
                    "; mksquashfs src fs.sqfs -noappend -quiet -no-progress -comp xz;"
                    " head -c 100000 /bin/ls | xz --format=lzma > k.lzma");
  EXPECT_EQ(b.exit_code, 0) << b.err;
  if (b.exit_code != 0) return {};
  return {ReadFile(tmp / "k.lzma"), ReadFile(tmp / "fs.sqfs")};
}

unpack::UnpackResult UnpackBytes(const TempDir& tmp, const std::string& name,
                                 const std::string& image) {
  WriteFile(tmp / name, image);
  return Unpack(tmp / name, tmp / ("out-" + name));
}

void ExpectSquashfsThrough(const unpack::UnpackResult& r, const std::string& handler,
                           const std::string& label) {
  const std::uint32_t root = RootOf(r.tree, "squashfs");
  ASSERT_NE(root, UINT32_MAX) << label;
  ASSERT_FALSE(r.tree.roots()[root].origin.empty()) << label;
  EXPECT_EQ(r.tree.roots()[root].origin[0].handler, handler) << label;
}

void ExpectCutsNotClaimed(const std::filesystem::path& image, const TempDir& tmp,
                          const std::vector<std::uint64_t>& cuts, const std::string& handler) {
  ForEachTruncation(image, tmp.path(), cuts, [&](std::uint64_t cut, const unpack::UnpackResult& r) {
    for (const auto& u : r.unknown) {
      if (u.container == "cut-" + std::to_string(cut)) {
        EXPECT_LE(u.offset + u.size, cut);
      }
    }
    const std::uint32_t root = RootOf(r.tree, "squashfs");
    if (root != UINT32_MAX) {
      EXPECT_NE(r.tree.roots()[root].origin[0].handler, handler) << cut;
    }
  });
}

}  // namespace iotcop::test
