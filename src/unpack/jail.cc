#include "unpack/jail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace iotcop::unpack {
namespace fs = std::filesystem;

namespace {

std::vector<std::string_view> Components(std::string_view norm) {
  std::vector<std::string_view> out;
  std::size_t i = 1;
  while (i < norm.size()) {
    std::size_t j = norm.find('/', i);
    if (j == std::string_view::npos) j = norm.size();
    out.push_back(norm.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string ParentOf(const std::string& norm) {
  const auto slash = norm.rfind('/');
  return slash == 0 ? "/" : norm.substr(0, slash);
}

std::string BaseOf(const std::string& norm) { return norm.substr(norm.rfind('/') + 1); }

// Relative path from folder `from` to `to` (both normalised, absolute inside the root).
std::string RelativeTo(const std::string& from, const std::string& to) {
  auto a = Components(from);
  auto b = Components(to);
  std::size_t common = 0;
  while (common < a.size() && common < b.size() && a[common] == b[common]) ++common;
  std::string rel;
  for (std::size_t i = common; i < a.size(); ++i) rel += "../";
  for (std::size_t i = common; i < b.size(); ++i) {
    rel += b[i];
    if (i + 1 < b.size()) rel += '/';
  }
  if (rel.empty()) return ".";
  if (rel.back() == '/') rel.pop_back();
  return rel;
}

std::string Errno() { return std::strerror(errno); }

}  // namespace

bool Budget::AddBytes(std::uint64_t n) {
  std::lock_guard lock(mu_);
  if (exhausted_) return false;
  if (n > limits_.max_total_bytes || bytes_ > limits_.max_total_bytes - n) {
    exhausted_ = true;
    return false;
  }
  bytes_ += n;
  return true;
}

bool Budget::AddFile() {
  std::lock_guard lock(mu_);
  if (exhausted_) return false;
  if (files_ + 1 > limits_.max_files) {
    exhausted_ = true;
    return false;
  }
  ++files_;
  return true;
}

Result<std::unique_ptr<Jail>> Jail::Open(const fs::path& dir, Tree* tree, std::uint32_t root,
                                         Budget* budget, JailReporter report) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return MakeError(Errc::kIo, "cannot create folder: " + ec.message(), dir.string());
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return MakeError(Errc::kIo, "cannot open folder: " + Errno(), dir.string());
  return std::unique_ptr<Jail>(new Jail(dir, fd, tree, root, budget, std::move(report)));
}

Jail::Jail(fs::path dir, int fd, Tree* tree, std::uint32_t root, Budget* budget,
           JailReporter report)
    : dir_(std::move(dir)),
      root_fd_(fd),
      tree_(tree),
      root_(root),
      budget_(budget),
      report_(std::move(report)) {}

Jail::~Jail() {
  if (cached_fd_ >= 0) ::close(cached_fd_);
  ::close(root_fd_);
}

void Jail::SetSniffer(std::size_t head_bytes, std::function<bool(ByteView)> sniff) {
  head_bytes_ = head_bytes;
  sniff_ = std::move(sniff);
}

Error Jail::Refuse(Errc code, const std::string& path, const std::string& why) {
  std::lock_guard lock(mu_);
  if (report_) report_(path, why);
  return MakeError(code, why, path);
}

void Jail::Record(Entry e) {
  std::lock_guard lock(mu_);
  e.root = root_;
  tree_->AddEntry(std::move(e));
}

Result<int> Jail::ParentFd(const std::string& norm, bool create) {
  const std::string parent = ParentOf(norm);
  if (cached_fd_ >= 0 && parent == cached_dir_) return cached_fd_;
  int fd = ::dup(root_fd_);
  if (fd < 0) return Refuse(Errc::kIo, norm, "dup: " + Errno());
  std::string walked;
  for (std::string_view comp : Components(parent)) {
    walked += '/';
    walked += comp;
    const std::string name(comp);
    int next = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0 && errno == ENOENT && create) {
      if (::mkdirat(fd, name.c_str(), 0755) != 0 && errno != EEXIST) {
        ::close(fd);
        return Refuse(Errc::kIo, norm, "cannot create folder " + walked + ": " + Errno());
      }
      if (!tree_->Find(root_, walked, false)) {
        Entry d;
        d.path = walked;
        d.type = EntryType::kDir;
        d.mode = 0755;
        d.disk = dir_ / walked.substr(1);
        Record(std::move(d));
      }
      next = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (next < 0) {
      const bool link = errno == ELOOP || errno == ENOTDIR;
      ::close(fd);
      return Refuse(
          Errc::kCorrupt, norm,
          link ? "refused to write through " + walked + ", which is not a folder (symlink?)"
               : "cannot open folder " + walked + ": " + Errno());
    }
    ::close(fd);
    fd = next;
  }
  if (cached_fd_ >= 0) ::close(cached_fd_);
  cached_fd_ = fd;
  cached_dir_ = parent;
  return fd;
}

Status Jail::MakeDir(std::string_view path, const EntryMeta& meta) {
  std::lock_guard lock(mu_);
  const std::string norm = NormalizePath(path);
  Entry e;
  e.path = norm;
  e.type = EntryType::kDir;
  e.mode = meta.mode & 07777;
  e.uid = meta.uid;
  e.gid = meta.gid;
  e.disk = dir_;
  if (norm != "/") {
    if (!budget_->AddFile()) return Refuse(Errc::kLimitExceeded, norm, "file count limit reached");
    auto pfd = ParentFd(norm, true);
    if (!pfd) return pfd.error();
    const std::string base = BaseOf(norm);
    if (::mkdirat(*pfd, base.c_str(), 0700) != 0 && errno != EEXIST) {
      return Refuse(Errc::kIo, norm, "cannot create folder: " + Errno());
    }
    struct stat st {};
    if (::fstatat(*pfd, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode)) {
      return Refuse(Errc::kCorrupt, norm, "a non-folder already exists where a folder goes");
    }
    ::fchmodat(*pfd, base.c_str(), (meta.mode & 0777) | 0700, 0);
    e.disk = dir_ / norm.substr(1);
  }
  Record(std::move(e));
  return Ok();
}

Result<std::unique_ptr<JailFile>> Jail::CreateFile(std::string_view path, const EntryMeta& meta) {
  std::lock_guard lock(mu_);
  const std::string norm = NormalizePath(path);
  if (norm == "/") return Refuse(Errc::kCorrupt, norm, "a file cannot be the root folder");
  if (!budget_->AddFile()) return Refuse(Errc::kLimitExceeded, norm, "file count limit reached");
  auto pfd = ParentFd(norm, true);
  if (!pfd) return pfd.error();
  const std::string base = BaseOf(norm);
  // Whatever was there (an earlier version of the file, a symlink) is replaced, never followed.
  const mode_t want = (meta.mode & 0777) | 0600;
  int fd = ::openat(*pfd, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, want);
  if (fd < 0 && errno == EEXIST) {
    if (::unlinkat(*pfd, base.c_str(), 0) != 0 && errno != ENOENT) {
      return Refuse(Errc::kCorrupt, norm, "cannot replace existing entry: " + Errno());
    }
    fd = ::openat(*pfd, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, want);
  }
  if (fd < 0) return Refuse(Errc::kIo, norm, "cannot create file: " + Errno());
  if (want & 022) ::fchmod(fd, want);  // bits the umask may have removed
  Entry e;
  e.path = norm;
  e.type = EntryType::kFile;
  e.mode = meta.mode & 07777;
  e.uid = meta.uid;
  e.gid = meta.gid;
  e.disk = dir_ / norm.substr(1);
  Record(e);  // now, so that entries keep creation order; Close() records the final size
  return std::unique_ptr<JailFile>(new JailFile(this, fd, std::move(e)));
}

Status Jail::WriteFile(std::string_view path, const EntryMeta& meta, ByteView content) {
  auto f = CreateFile(path, meta);
  if (!f) return f.error();
  if (auto s = (*f)->Write(content); !s) return s;
  return (*f)->Close();
}

Status Jail::Symlink(std::string_view path, std::string_view target, const EntryMeta& meta) {
  std::lock_guard lock(mu_);
  const std::string norm = NormalizePath(path);
  if (norm == "/") return Refuse(Errc::kCorrupt, norm, "a symlink cannot be the root folder");
  if (!budget_->AddFile()) return Refuse(Errc::kLimitExceeded, norm, "file count limit reached");
  Entry e;
  e.path = norm;
  e.type = EntryType::kSymlink;
  e.mode = meta.mode & 07777;
  e.uid = meta.uid;
  e.gid = meta.gid;
  e.link_target = std::string(target);
  e.size = target.size();
  auto pfd = ParentFd(norm, true);
  if (!pfd) return pfd.error();
  const std::string base = BaseOf(norm);
  const std::string parent = ParentOf(norm);
  // On the device ".." at "/" stays at "/": the target always resolves inside the root. On disk
  // the link is written relative to its folder so that it cannot point anywhere else.
  const std::string resolved =
      NormalizePath(!target.empty() && target[0] == '/' ? std::string(target)
                                                        : parent + "/" + std::string(target));
  const std::string disk_target = RelativeTo(parent, resolved);
  int rc = ::symlinkat(disk_target.c_str(), *pfd, base.c_str());
  if (rc != 0 && errno == EEXIST) {
    if (::unlinkat(*pfd, base.c_str(), 0) != 0 && errno != ENOENT) {
      return Refuse(Errc::kCorrupt, norm, "cannot replace existing entry: " + Errno());
    }
    rc = ::symlinkat(disk_target.c_str(), *pfd, base.c_str());
  }
  if (rc == 0) {
    e.disk = dir_ / norm.substr(1);
  } else {
    Refuse(Errc::kIo, norm, "symlink recorded but not created: " + Errno());
  }
  Record(std::move(e));
  return Ok();
}

Status Jail::Hardlink(std::string_view path, std::string_view existing) {
  std::lock_guard lock(mu_);
  const std::string norm = NormalizePath(path);
  const std::string src = NormalizePath(existing);
  const Entry* old = tree_->Find(root_, src, false);
  if (!old || old->type != EntryType::kFile) {
    return Refuse(Errc::kCorrupt, norm,
                  "hardlink to " + src + ", which is not a file in this root");
  }
  if (!budget_->AddFile()) return Refuse(Errc::kLimitExceeded, norm, "file count limit reached");
  Entry e = *old;
  e.path = norm;
  // Open the source's folder separately (beneath the root, no symlinks) and link without
  // following: the new name can only ever refer to a file already inside the root.
  auto spfd = ParentFd(src, false);
  if (!spfd) return spfd.error();
  const int src_dir = ::dup(*spfd);
  auto pfd = ParentFd(norm, true);
  if (!pfd) {
    ::close(src_dir);
    return pfd.error();
  }
  const std::string base = BaseOf(norm);
  ::unlinkat(*pfd, base.c_str(), 0);
  if (::linkat(src_dir, BaseOf(src).c_str(), *pfd, base.c_str(), 0) == 0) {
    e.disk = dir_ / norm.substr(1);
  } else {
    e.disk.clear();
    Refuse(Errc::kIo, norm, "hardlink recorded but not created: " + Errno());
  }
  ::close(src_dir);
  Record(std::move(e));
  return Ok();
}

Status Jail::Node(std::string_view path, EntryType type, const EntryMeta& meta, std::uint32_t major,
                  std::uint32_t minor) {
  const std::string norm = NormalizePath(path);
  if (!budget_->AddFile()) return Refuse(Errc::kLimitExceeded, norm, "file count limit reached");
  Entry e;
  e.path = norm;
  e.type = type;
  e.mode = meta.mode & 07777;
  e.uid = meta.uid;
  e.gid = meta.gid;
  e.major = major;
  e.minor = minor;
  Record(std::move(e));
  return Ok();
}

JailFile::~JailFile() { (void)Close(); }

Status JailFile::Write(ByteView bytes) {
  if (fd_ < 0 || failed_) return MakeError(Errc::kIo, "file already closed or failed", entry_.path);
  if (!jail_->budget_->AddBytes(bytes.size())) {
    failed_ = true;
    return jail_->Refuse(
        Errc::kLimitExceeded, entry_.path,
        "total size limit reached; file truncated at " + std::to_string(entry_.size) + " bytes");
  }
  const std::uint8_t* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      failed_ = true;
      return jail_->Refuse(Errc::kIo, entry_.path, "write failed: " + Errno());
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  KeepHead(bytes);
  entry_.size += bytes.size();
  return Ok();
}

void JailFile::KeepHead(ByteView bytes) {
  if (!jail_->sniff_ || entry_.size >= jail_->head_bytes_) return;
  const std::size_t n = std::min<std::uint64_t>(bytes.size(), jail_->head_bytes_ - entry_.size);
  head_.insert(head_.end(), bytes.data(), bytes.data() + n);
}

Status JailFile::Close() {
  if (fd_ < 0) return Ok();
  ::close(fd_);
  fd_ = -1;
  if (!head_.empty()) entry_.known_magic = jail_->sniff_(ByteView(head_.data(), head_.size()));
  head_ = {};
  jail_->Record(std::move(entry_));
  if (failed_) return MakeError(Errc::kLimitExceeded, "file incomplete");
  return Ok();
}

}  // namespace iotcop::unpack
