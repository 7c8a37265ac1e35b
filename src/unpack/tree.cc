#include "unpack/tree.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace iotcop::unpack {
namespace fs = std::filesystem;

const char* EntryTypeName(EntryType t) {
  switch (t) {
    case EntryType::kFile:
      return "file";
    case EntryType::kDir:
      return "dir";
    case EntryType::kSymlink:
      return "symlink";
    case EntryType::kCharDev:
      return "chardev";
    case EntryType::kBlockDev:
      return "blockdev";
    case EntryType::kFifo:
      return "fifo";
    case EntryType::kSocket:
      return "socket";
  }
  return "file";
}

std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (auto p : parts) {
    out.push_back('/');
    out.append(p);
  }
  return out.empty() ? "/" : out;
}

std::string Tree::Key(std::uint32_t root, std::string_view path) {
  std::string k = std::to_string(root);
  k.push_back('\0');
  k.append(path);
  return k;
}

std::uint32_t Tree::AddRoot(Root r) {
  roots_.push_back(std::move(r));
  return static_cast<std::uint32_t>(roots_.size() - 1);
}

void Tree::AddEntry(Entry e) {
  e.path = NormalizePath(e.path);
  const std::string key = Key(e.root, e.path);
  auto it = index_.find(key);
  if (it != index_.end()) {
    entries_[it->second] = std::move(e);
    return;
  }
  index_.emplace(key, entries_.size());
  entries_.push_back(std::move(e));
}

const Entry* Tree::Find(std::uint32_t root, std::string_view path, bool follow) const {
  std::string cur = NormalizePath(path);
  for (int hops = 0; hops < 40; ++hops) {
    if (!follow) {
      auto it = index_.find(Key(root, cur));
      return it == index_.end() ? nullptr : &entries_[it->second];
    }
    // Resolve the first symlink among the path's components, then start again.
    std::string prefix;
    bool restarted = false;
    std::size_t pos = 1;
    while (pos <= cur.size()) {
      std::size_t next = cur.find('/', pos);
      if (next == std::string::npos) next = cur.size();
      prefix = cur.substr(0, next);
      auto it = index_.find(Key(root, prefix));
      if (it == index_.end()) return nullptr;
      const Entry& e = entries_[it->second];
      if (e.type == EntryType::kSymlink) {
        std::string target = e.link_target;
        std::string base = prefix.substr(0, prefix.rfind('/'));
        std::string resolved = target.starts_with('/') ? target : base + "/" + target;
        cur = NormalizePath(resolved + cur.substr(next));
        restarted = true;
        break;
      }
      if (next == cur.size()) return &e;
      pos = next + 1;
    }
    if (!restarted) {
      auto it = index_.find(Key(root, cur));
      return it == index_.end() ? nullptr : &entries_[it->second];
    }
  }
  return nullptr;  // a loop of links
}

std::vector<const Entry*> Tree::List(std::uint32_t root, std::string_view dir) const {
  const std::string d = NormalizePath(dir);
  const std::string prefix = d == "/" ? "/" : d + "/";
  std::vector<const Entry*> out;
  for (const auto& e : entries_) {
    if (e.root != root || e.path == d || !e.path.starts_with(prefix)) continue;
    if (e.path.find('/', prefix.size()) == std::string::npos) out.push_back(&e);
  }
  return out;
}

Result<std::string> Tree::Read(const Entry& entry, std::size_t max_bytes) const {
  const Entry* e = &entry;
  if (e->type == EntryType::kSymlink) {
    e = Find(e->root, e->path, true);
    if (!e) return MakeError(Errc::kCorrupt, "dangling link", DisplayPath(entry));
  }
  if (e->type != EntryType::kFile)
    return MakeError(Errc::kInvalidArgument, "not a regular file", DisplayPath(*e));
  if (e->disk.empty())
    return MakeError(Errc::kUnsupported, "content was not extracted", DisplayPath(*e));
  std::ifstream in(e->disk, std::ios::binary);
  if (!in) return MakeError(Errc::kIo, std::strerror(errno), DisplayPath(*e));
  std::string out;
  out.resize(std::min<std::uint64_t>(max_bytes, e->size));
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

std::string Tree::DisplayPath(const Entry& e) const {
  if (e.root >= roots_.size()) return e.path;
  const std::string& n = roots_[e.root].name;
  if (n.empty() || n == "/") return e.path;
  return n + "!" + e.path;
}

std::vector<std::uint32_t> Tree::SystemRoots() const {
  std::vector<std::pair<int, std::uint32_t>> scored;
  for (std::uint32_t r = 0; r < roots_.size(); ++r) {
    int score = 0;
    for (const char* p : {"/etc", "/bin", "/sbin", "/usr", "/lib"}) {
      const Entry* e = Find(r, p, true);
      if (e && e->type == EntryType::kDir) score += 1;
    }
    if (Find(r, "/etc/passwd", true) || Find(r, "/etc/inittab", true)) score += 2;
    if (score >= 2) scored.emplace_back(-score, r);
  }
  std::stable_sort(scored.begin(), scored.end());
  std::vector<std::uint32_t> out;
  for (auto& [s, r] : scored) out.push_back(r);
  return out;
}

Result<Tree> Tree::FromDirectory(const fs::path& dir, std::string root_name) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return MakeError(Errc::kIo, "not a folder", dir.string());
  Tree t;
  Root r;
  r.name = std::move(root_name);
  r.kind = "directory";
  r.disk = dir;
  const std::uint32_t root = t.AddRoot(std::move(r));
  t.AddEntry(Entry{"/", EntryType::kDir, 0755, 0, 0, 0, "", 0, 0, root, {}});
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) return MakeError(Errc::kIo, ec.message(), dir.string());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return MakeError(Errc::kIo, ec.message(), dir.string());
    const fs::path& p = it->path();
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) continue;
    Entry e;
    e.root = root;
    // Lexical: fs::relative() would resolve a symlink entry to its target's path.
    e.path = "/" + p.lexically_relative(dir).generic_string();
    e.mode = st.st_mode & 07777;
    e.uid = st.st_uid;
    e.gid = st.st_gid;
    if (S_ISDIR(st.st_mode)) {
      e.type = EntryType::kDir;
    } else if (S_ISLNK(st.st_mode)) {
      e.type = EntryType::kSymlink;
      e.link_target = fs::read_symlink(p, ec).string();
      it.disable_recursion_pending();
    } else if (S_ISREG(st.st_mode)) {
      e.type = EntryType::kFile;
      e.size = static_cast<std::uint64_t>(st.st_size);
      e.disk = p;
    } else if (S_ISCHR(st.st_mode)) {
      e.type = EntryType::kCharDev;
    } else if (S_ISBLK(st.st_mode)) {
      e.type = EntryType::kBlockDev;
    } else if (S_ISFIFO(st.st_mode)) {
      e.type = EntryType::kFifo;
    } else {
      e.type = EntryType::kSocket;
    }
    t.AddEntry(std::move(e));
  }
  return t;
}

}  // namespace iotcop::unpack
