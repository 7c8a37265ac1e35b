// File: vuln/archive_read.h
// The bounded read of one libarchive entry that the feeds' compressed downloads share: EPSS's
// gzip stream (vuln/priority.cc, GunzipBounded) and the members of OSV's zip exports
// (vuln/update.cc, ForEachZipMember). The size an archive's header announces is never trusted:
// reading stops at the limit whatever it said.
#pragma once

#include <cstddef>
#include <string>

struct archive;

namespace iotcop::vuln {

enum class EntryRead {
  kOk,      // the whole entry is in `out`
  kTooBig,  // more than max_bytes: `out` holds what was read before the chunk past the limit
  kFailed,  // the data is corrupt: archive_error_string(a) says why; `out` holds what was read
};

// Reads the data of the entry whose header `a` has just returned into `out` (cleared first), at
// most `max_bytes`.
EntryRead ReadEntryBounded(struct archive* a, std::size_t max_bytes, std::string& out);

// archive_error_string(a), or `fallback` when libarchive has none.
const char* ArchiveErrorOr(struct archive* a, const char* fallback);

}  // namespace iotcop::vuln
