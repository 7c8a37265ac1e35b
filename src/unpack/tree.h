// File: unpack/tree.h
// The virtual tree an unpacked image becomes: every filesystem or archive found is a Root, and
// every file, directory, link and device node in it an Entry with its metadata and origin. Checks
// read the tree, never the image. File contents live in the extraction folder (never the whole
// filesystem in memory) and are read on demand with a byte cap.
//
// Paths inside a root are absolute and normalised ("/etc/passwd"). Find() resolves symlinks inside
// the root, the way the device would see them ("/etc/passwd -> /var/passwd"), and never leaves it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"

namespace iotcop::unpack {

enum class EntryType { kFile, kDir, kSymlink, kCharDev, kBlockDev, kFifo, kSocket };
const char* EntryTypeName(EntryType t);

// One step of where a chunk came from: handler `handler` found it at `offset` (length `length`)
// inside its parent (the previous step, or the input itself for the first step).
struct OriginStep {
  std::string handler;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct Root {
  std::string name;                   // display prefix, e.g. "0x40.squashfs"
  std::string kind;                   // "filesystem" | "archive" | "directory"
  std::vector<OriginStep> origin;     // from the input inwards
  std::filesystem::path disk;         // where its files were extracted (may be empty if not kept)
  std::uint32_t parent = UINT32_MAX;  // root index of the container file's root, if nested
  std::string parent_path;            // path of the container file inside `parent`
};

struct Entry {
  std::string path;  // absolute inside its root
  EntryType type = EntryType::kFile;
  std::uint32_t mode = 0;  // permission bits incl. setuid/setgid/sticky
  std::uint32_t uid = 0, gid = 0;
  std::uint64_t size = 0;
  std::string link_target;             // symlinks: as stored; hardlinks are plain files
  std::uint32_t major = 0, minor = 0;  // device nodes: recorded, never created
  std::uint32_t root = 0;
  std::filesystem::path disk;  // extracted content (files), empty if not extracted
  // Files: the content starts with a format handler's magic (set when written through a jail with
  // a sniffer, as the engine's are); the engine unpacks such files further.
  bool known_magic = false;
};

// What a handler learned about a chunk it claimed whole that is not a file of any root, such as
// the banner of a Linux kernel ELF (kind "linux-kernel"). Collectors read notes the way they read
// carved blobs, so the kernel version is found without copying the kernel out.
struct Note {
  std::string kind;                // "linux-kernel"
  std::string text;                // "Linux version 6.1.0 (builder@host) (gcc ...) #1 SMP ..."
  std::string container;           // display name of the view holding it ("vmlinux", "fw!0x40.xz")
  std::uint64_t offset = 0;        // of `text` in that view
  std::vector<OriginStep> origin;  // the claimed chunk, from the input inwards
};

class Tree {
 public:
  // Builds a tree from an already extracted folder (no symlink is followed while walking).
  static Result<Tree> FromDirectory(const std::filesystem::path& dir, std::string root_name = "/");

  std::uint32_t AddRoot(Root r);
  void AddEntry(Entry e);  // replaces an existing entry at the same root+path

  const std::vector<Root>& roots() const { return roots_; }
  const std::vector<Entry>& entries() const { return entries_; }
  void AddNote(Note n) { notes_.push_back(std::move(n)); }
  const std::vector<Note>& notes() const { return notes_; }

  // The entry at `path` in `root`; with follow, symlinks (also in parent folders) are resolved
  // inside the root, at most 40 hops. nullptr if absent or the links loop.
  const Entry* Find(std::uint32_t root, std::string_view path, bool follow = true) const;
  // Entries directly inside folder `dir` of `root`.
  std::vector<const Entry*> List(std::uint32_t root, std::string_view dir) const;
  // Up to `max_bytes` of a file's content (after following links). Error names the path.
  Result<std::string> Read(const Entry& e, std::size_t max_bytes = 16u << 20) const;
  // "<root name>!/etc/passwd" — how evidence names a file.
  std::string DisplayPath(const Entry& e) const;
  // Roots that look like a Unix root filesystem (have /etc or /bin or /sbin), best first.
  std::vector<std::uint32_t> SystemRoots() const;

 private:
  static std::string Key(std::uint32_t root, std::string_view path);
  std::vector<Root> roots_;
  std::vector<Entry> entries_;
  std::vector<Note> notes_;
  std::unordered_map<std::string, std::size_t> index_;
};

// "/a/./b/../c//" -> "/a/c"; never climbs above "/".
std::string NormalizePath(std::string_view path);

}  // namespace iotcop::unpack
