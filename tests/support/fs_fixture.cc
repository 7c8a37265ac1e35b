#include "support/fs_fixture.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/test_support.h"

namespace iotcop::test {
namespace fs = std::filesystem;

bool MakeFsTree(const fs::path& src) {
  const std::string s = src.string();
  auto r = RunShell(
      "set -e; mkdir -p '" + s + "'; cd '" + s +
      "'; umask 022;"
      "mkdir -p bin etc/init.d usr/sbin var/empty www/cgi-bin lib/modules/4.14.0/kernel/drivers;"
      "cp /bin/ls bin/busybox; chmod 0755 bin/busybox;"
      "printf 'root:x:0:0:root:/root:/bin/sh\\n' > etc/passwd.bak; chmod 0644 etc/passwd.bak;"
      "printf 'root:$1$abc$xyz:0:0:99999:7:::\\n' > etc/shadow; chmod 0600 etc/shadow;"
      "printf '#!/bin/sh\\ntelnetd -l /bin/sh\\n' > etc/init.d/rcS; chmod 0755 etc/init.d/rcS;"
      "cp /bin/true usr/sbin/suidtool; chmod 4755 usr/sbin/suidtool;"
      "chmod 0700 var/empty; : > etc/empty.conf; chmod 0640 etc/empty.conf;"
      "head -c 300000 /bin/ls > www/big.bin; chmod 0644 www/big.bin;"
      "printf 'hello' > www/cgi-bin/index.cgi; chmod 0751 www/cgi-bin/index.cgi;"
      "ln www/cgi-bin/index.cgi www/cgi-bin/hard.cgi;"
      "for i in $(seq 1 40); do printf 'module %d\\n' $i > "
      "lib/modules/4.14.0/kernel/drivers/m$i.ko; done;"
      "ln -s /var/passwd etc/passwd; ln -s ../bin/busybox usr/sbin/telnetd; ln -s busybox bin/sh;"
      "ln -s ../../../../../bin/../usr/sbin/../../bin/busybox/../busybox.with.a.long.name "
      "lib/long");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0;
}

fs::path BuildImage(const fs::path& work, const fs::path& src, const std::string& build) {
  fs::create_directories(work / "t");
  const fs::path img = work / "image.bin";
  auto b = RunShell("set -e; SRC='" + src.string() + "'; OUT='" + img.string() + "'; T='" +
                    (work / "t").string() + "'; " + build);
  EXPECT_EQ(b.exit_code, 0) << b.err;
  return b.exit_code == 0 ? img : fs::path();
}

unpack::UnpackResult Unpack(const fs::path& image, const fs::path& out) {
  unpack::UnpackOptions o;
  o.out_dir = out;
  auto r = unpack::UnpackImage(image, o);
  EXPECT_TRUE(r) << r.error().Describe();
  return r ? std::move(*r) : unpack::UnpackResult{};
}

std::uint32_t RootOf(const unpack::Tree& tree, const std::string& handler_id) {
  std::vector<std::size_t> n(tree.roots().size());
  for (const auto& e : tree.entries()) n[e.root]++;
  std::uint32_t best = UINT32_MAX;
  for (std::uint32_t i = 0; i < tree.roots().size(); ++i) {
    const auto& o = tree.roots()[i].origin;
    if (o.empty() || o.back().handler != handler_id) continue;
    if (best == UINT32_MAX || n[i] > n[best]) best = i;
  }
  return best;
}

std::size_t CompareWithSource(const fs::path& src, const unpack::Tree& tree, std::uint32_t root,
                              const CompareOptions& opt) {
  std::size_t compared = 0;
  if (root == UINT32_MAX) {
    ADD_FAILURE() << "no root from the handler";
    return 0;
  }
  for (auto it = fs::recursive_directory_iterator(src); it != fs::recursive_directory_iterator();
       ++it) {
    // lexically: fs::relative() would resolve symlinks.
    const std::string path = "/" + it->path().lexically_relative(src).generic_string();
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) {
      ADD_FAILURE() << "lstat " << it->path();
      continue;
    }
    const unpack::Entry* e = tree.Find(root, path, false);
    if (e == nullptr) {
      ADD_FAILURE() << path << " missing";
      continue;
    }
    ++compared;
    if (opt.owners) {
      EXPECT_EQ(e->uid, st.st_uid) << path;
      EXPECT_EQ(e->gid, st.st_gid) << path;
    }
    if (S_ISLNK(st.st_mode)) {
      EXPECT_EQ(e->type, unpack::EntryType::kSymlink) << path;
      EXPECT_EQ(e->link_target, fs::read_symlink(it->path()).string()) << path;
      continue;
    }
    if (opt.modes) {
      EXPECT_EQ(e->mode & 07777, st.st_mode & 07777) << path;
    }
    if (S_ISDIR(st.st_mode)) {
      EXPECT_EQ(e->type, unpack::EntryType::kDir) << path;
      continue;
    }
    EXPECT_EQ(e->type, unpack::EntryType::kFile) << path;
    EXPECT_EQ(e->size, static_cast<std::uint64_t>(st.st_size)) << path;
    if (e->disk.empty()) {
      ADD_FAILURE() << path << " not extracted";
      continue;
    }
    EXPECT_TRUE(ReadFile(e->disk) == ReadFile(it->path())) << path << " content differs";
  }
  if (fs::is_symlink(src / "bin" / "sh")) {  // the known tree's; not in trees without links
    const unpack::Entry* sh = tree.Find(root, "/bin/sh");
    EXPECT_TRUE(sh != nullptr && sh->path == "/bin/busybox") << "/bin/sh does not resolve";
  }
  return compared;
}

void ExpectInside(const unpack::UnpackResult& r, const fs::path& out) {
  for (const auto& e : r.tree.entries()) {
    if (!e.disk.empty()) {
      EXPECT_TRUE(e.disk.string().starts_with(out.string())) << e.disk;
    }
  }
  for (auto it = fs::recursive_directory_iterator(out); it != fs::recursive_directory_iterator();
       ++it) {
    if (it->is_symlink()) {
      const fs::path t =
          fs::weakly_canonical(it->path().parent_path() / fs::read_symlink(it->path()));
      EXPECT_TRUE(t.string().starts_with(fs::weakly_canonical(out).string())) << it->path();
    }
  }
}

void Truncate(const fs::path& image, const fs::path& dst, std::uint64_t len) {
  std::string d = ReadFile(image);
  if (len < d.size()) d.resize(len);
  WriteFile(dst, d);
}

void Patch(const fs::path& image, const fs::path& dst, std::uint64_t offset,
           const std::string& bytes) {
  std::string d = ReadFile(image);
  ASSERT_LE(offset + bytes.size(), d.size());
  d.replace(offset, bytes.size(), bytes);
  WriteFile(dst, d);
}

void ForEachTruncation(
    const fs::path& image, const fs::path& work, const std::vector<std::uint64_t>& cuts,
    const std::function<void(std::uint64_t, const unpack::UnpackResult&)>& check) {
  for (std::uint64_t cut : cuts) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    const fs::path img = work / ("cut-" + std::to_string(cut) + ".img");
    const fs::path out = work / ("cut-" + std::to_string(cut));
    Truncate(image, img, cut);
    auto r = Unpack(img, out);
    ExpectInside(r, out);
    if (check) check(cut, r);
  }
}

bool HasProblem(const unpack::UnpackResult& r, const std::string& needle) {
  for (const auto& p : r.problems) {
    if (p.message.find(needle) != std::string::npos) return true;
  }
  return false;
}

bool HasProblemAt(const unpack::UnpackResult& r, const std::string& needle, std::uint64_t offset) {
  for (const auto& p : r.problems) {
    if (p.offset == offset && p.message.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace iotcop::test
