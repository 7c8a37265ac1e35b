// File: unpack/jail.h
// The only way unpacking writes to disk. A Jail owns one output folder (one filesystem or archive
// root): paths are normalised ("..", "." and absolute prefixes cannot climb out), every parent
// folder is opened component by component with O_NOFOLLOW (so nothing is ever written through a
// symlink), symlinks whose target would leave the root are recorded in the tree but not created,
// hardlinks may only point inside, device nodes, fifos and sockets are recorded and never created,
// and every byte and file counts against the run's Budget. Each refusal is reported as a Problem
// naming the path; the returned Error tells the handler whether to go on (kLimitExceeded: stop).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "unpack/engine.h"
#include "unpack/tree.h"

namespace iotcop::unpack {

// Counters shared by every jail and blob of one UnpackImage run.
// Thread-safe: handlers may write several files at once.
class Budget {
 public:
  explicit Budget(const Limits& limits) : limits_(limits) {}
  const Limits& limits() const { return limits_; }
  // Reserve bytes / one file; false once a limit is hit (and from then on).
  bool AddBytes(std::uint64_t n);
  bool AddFile();
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t files() const { return files_; }
  bool exhausted() const { return exhausted_.load(); }

 private:
  Limits limits_;
  std::mutex mu_;
  std::uint64_t bytes_ = 0, files_ = 0;
  std::atomic<bool> exhausted_{false};
};

struct EntryMeta {
  std::uint32_t mode = 0644;  // permission bits incl. setuid/setgid/sticky (recorded as is)
  std::uint32_t uid = 0, gid = 0;
};

// Reports a refusal or limit: (path inside the root, message).
using JailReporter = std::function<void(const std::string& path, const std::string& message)>;

class Jail;

// A file being written; the entry is recorded when it is closed (or destroyed).
class JailFile {
 public:
  ~JailFile();
  Status Write(ByteView bytes);
  Status Close();
  std::uint64_t written() const { return entry_.size; }

 private:
  friend class Jail;
  void KeepHead(ByteView bytes);
  JailFile(Jail* jail, int fd, Entry entry) : jail_(jail), fd_(fd), entry_(std::move(entry)) {}
  Jail* jail_;
  int fd_;
  Entry entry_;
  bool failed_ = false;
  std::vector<std::uint8_t> head_;  // the first bytes written, for the jail's sniffer
};

// Every method is safe to call from several threads (one lock; the writes of file contents
// through JailFile::Write run outside it).
class Jail {
 public:
  // Creates `dir` (its parents must be trusted: they are the extraction folder) and records the
  // entries it receives into `tree` under root index `root`.
  static Result<std::unique_ptr<Jail>> Open(const std::filesystem::path& dir, Tree* tree,
                                            std::uint32_t root, Budget* budget,
                                            JailReporter report);
  ~Jail();
  Jail(const Jail&) = delete;
  Jail& operator=(const Jail&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::uint32_t root() const { return root_; }

  // Files whose first `head_bytes` bytes (or fewer: the whole file) `sniff` accepts are recorded
  // with Entry::known_magic. Set before the first file is written; `sniff` may run on any thread.
  void SetSniffer(std::size_t head_bytes, std::function<bool(ByteView head)> sniff);

  Status MakeDir(std::string_view path, const EntryMeta& meta);
  // Streams a regular file's content (block by block).
  Result<std::unique_ptr<JailFile>> CreateFile(std::string_view path, const EntryMeta& meta);
  Status WriteFile(std::string_view path, const EntryMeta& meta, ByteView content);
  // `target` is recorded as stored; on disk it is created only when it resolves inside the root
  // (absolute targets are rewritten relative to the link's folder).
  Status Symlink(std::string_view path, std::string_view target, const EntryMeta& meta);
  // A hardlink to `existing` (a path inside this root that was already written).
  Status Hardlink(std::string_view path, std::string_view existing);
  // Device nodes, fifos and sockets: recorded in the tree, never created.
  Status Node(std::string_view path, EntryType type, const EntryMeta& meta, std::uint32_t major = 0,
              std::uint32_t minor = 0);

 private:
  friend class JailFile;
  Jail(std::filesystem::path dir, int fd, Tree* tree, std::uint32_t root, Budget* budget,
       JailReporter report);
  Error Refuse(Errc code, const std::string& path, const std::string& why);
  // The folder holding `norm` (normalised, not "/"), opened beneath the root without following
  // any symlink, created as needed. Returns an fd the caller must not close (cached).
  Result<int> ParentFd(const std::string& norm, bool create);
  void Record(Entry e);

  std::filesystem::path dir_;
  int root_fd_;
  Tree* tree_;
  std::uint32_t root_;
  Budget* budget_;
  JailReporter report_;
  std::recursive_mutex mu_;
  std::string cached_dir_;
  int cached_fd_ = -1;
  std::size_t head_bytes_ = 0;
  std::function<bool(ByteView)> sniff_;
};

}  // namespace iotcop::unpack
