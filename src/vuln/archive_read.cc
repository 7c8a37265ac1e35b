#include "vuln/archive_read.h"

#include <archive.h>

namespace iotcop::vuln {

EntryRead ReadEntryBounded(struct archive* a, std::size_t max_bytes, std::string& out) {
  out.clear();
  char buf[65536];
  while (true) {
    const la_ssize_t n = archive_read_data(a, buf, sizeof buf);
    if (n == 0) return EntryRead::kOk;
    if (n < 0) return EntryRead::kFailed;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) return EntryRead::kTooBig;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

const char* ArchiveErrorOr(struct archive* a, const char* fallback) {
  const char* e = archive_error_string(a);
  return e ? e : fallback;
}

}  // namespace iotcop::vuln
