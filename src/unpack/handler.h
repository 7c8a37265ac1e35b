// File: unpack/handler.h
// The interface every format handler implements, one handler per file in unpack/handlers/, listed
// in handlers/formats.def. A handler names its magics; the engine scans a view once for all of
// them, asks Identify() whether a hit is a real header (pure, bounded, never writes) and, for the
// chunks it keeps, calls Extract(), which writes only through the ExtractContext: decompressed
// bytes into a blob the engine scans again, payload ranges the engine scans in place, or a
// filesystem root whose entries go through the Jail. docs/formats.md is generated from each
// handler's FormatDoc.
#pragma once

#include <any>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "unpack/engine.h"

namespace iotcop::unpack {

class Jail;

struct FormatDoc {
  std::string id;                       // short, stable, lower case: "uimage", "squashfs", "gzip"
  std::string name;                     // "U-Boot legacy uImage"
  std::string description;              // what is recognised and how it is validated and bounded
  std::vector<std::string> references;  // specifications or reference implementations
  std::string limitations;  // what is not handled (honest; "" only when nothing is known)
};

// A byte pattern that marks a candidate. `at` is the magic's offset inside the chunk (e.g. 0x438
// for ext's 0xEF53): the candidate chunk starts at hit - at. With anywhere == false the magic is
// only tried at the start of a view (for short or weak magics such as zlib's 0x78 0x9c).
struct Magic {
  std::string bytes;
  std::uint64_t at = 0;
  bool anywhere = true;
};

// A validated, bounded region of a view that a handler claims.
struct Chunk {
  std::uint64_t offset = 0;  // in the view given to Identify
  std::uint64_t length = 0;  // offset + length <= view size, always
  // True when `length` is only an upper bound (streams whose end is known once decoded, such as
  // gzip or LZMA): Extract then sets ExtractContext::consumed to the real length.
  bool length_is_bound = false;
  std::string description;  // one line for people: "uImage 'Linux-4.9.87', MIPS, lzma"
  std::any state;           // handler-private data from Identify to Extract
};

// Where decompressed or rebuilt bytes go: a file in the extraction folder the engine scans once the
// handler returns. Writes count against the byte and ratio limits; a refused write is an Error.
class BlobSink {
 public:
  virtual ~BlobSink() = default;
  virtual Status Write(ByteView bytes) = 0;
  virtual std::uint64_t written() const = 0;
};

// What Extract() may do. Offsets given to it are relative to the view the chunk was found in.
class ExtractContext {
 public:
  virtual ~ExtractContext() = default;
  // The view the chunk was found in (a memory-mapped image or blob; never copied).
  virtual ByteView view() const = 0;
  // Display name of the view, for messages ("image.bin" or "image.bin!0x40.gzip").
  virtual const std::string& view_name() const = 0;
  virtual const Limits& limits() const = 0;
  // A warning (truncation, corruption, limits) at `offset` in the view; never stops the run.
  virtual void Warn(std::uint64_t offset, std::string message) = 0;
  // A new blob named `name` (e.g. "0x40.gzip"); the engine scans it after Extract returns.
  virtual Result<BlobSink*> NewBlob(std::string_view name) = 0;
  // Asks the engine to scan [offset, offset + length) of the view in place (a container's
  // payload), with `name` as the folder its findings go to. Checked against the view's bounds.
  virtual void ScanRange(std::uint64_t offset, std::uint64_t length, std::string_view name) = 0;
  // A new filesystem or archive root ("filesystem" | "archive"); every entry goes through the
  // returned jail, which stays valid until Extract returns.
  virtual Result<Jail*> NewRoot(std::string_view kind) = 0;
  // Records what the handler learned about the chunk (a Note of the tree: e.g. kind
  // "linux-kernel" with the kernel's banner found at `offset` of the view).
  virtual void AddNote(std::string_view kind, std::string text, std::uint64_t offset) = 0;
  // Says the handler is done reading [offset, offset + length) of the view (data it has copied
  // out or checked): the engine drops those pages of the mapped image from memory, so that peak
  // memory does not grow with the image's size. Reading the range again still works (the pages come
  // back from the page cache). A hint: contexts outside the engine ignore it.
  virtual void DoneWith(std::uint64_t offset, std::uint64_t length) {
    (void)offset;
    (void)length;
  }
  // Stream handlers (Chunk::length_is_bound) set this to the bytes really used.
  std::uint64_t consumed = 0;
};

class Handler {
 public:
  virtual ~Handler() = default;
  virtual const FormatDoc& doc() const = 0;
  virtual std::vector<Magic> magics() const = 0;
  // Validates the candidate chunk starting at `offset` of `data` (header fields, CRC where the
  // format has one) and bounds its length. Pure: no writes, bounded work. kNotThisFormat for
  // a false hit.
  virtual Result<Chunk> Identify(ByteView data, std::uint64_t offset) const = 0;
  virtual Status Extract(const Chunk& chunk, ExtractContext& ctx) const = 0;
};

// Every built-in handler, in formats.def order (which is also the priority when two handlers
// claim the same offset).
const std::vector<std::unique_ptr<Handler>>& BuiltinHandlers();
const Handler* FindHandler(std::string_view id);

// Every built-in handler's magic of two bytes or more with its handler and that handler's rank in
// formats.def (lower is tried first), computed once: the engine's scan table and
// StartsWithKnownMagic both read this one list.
struct BuiltinMagic {
  const Handler* handler;
  std::size_t priority;
  std::string bytes;
  std::uint64_t at;
  bool anywhere;
};
const std::vector<BuiltinMagic>& BuiltinMagics();

// How many leading bytes of a file StartsWithKnownMagic looks at (the furthest magic's end).
std::size_t KnownMagicHeadBytes();
// True when `head` (the first bytes of a file, up to KnownMagicHeadBytes()) holds some handler's
// magic at that magic's offset: the file may be a container the engine unpacks further.
bool StartsWithKnownMagic(ByteView head);

}  // namespace iotcop::unpack
