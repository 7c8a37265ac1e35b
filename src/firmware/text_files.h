// File: firmware/text_files.h
// Shared reading of the product's files for the collectors: a whole file within a size cap (a
// bigger or unreadable one becomes a Problem), the text files (configs and scripts) that the
// updates and communication collectors read, line by line without comments, and the URLs in a
// line with their scheme and host.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firmware/collector.h"

namespace iotcop::firmware {

// The content of `e` when it has at most `max` bytes and can be read; otherwise a warning in
// `problems` naming collector `who` and the file, and nullopt.
std::optional<std::string> ReadWhole(const FirmwareInput& in, const unpack::Entry& e,
                                     std::size_t max, std::string_view who,
                                     std::vector<Problem>& problems);

// Biggest text file read.
inline constexpr std::size_t kMaxTextBytes = 512u << 10;

// Calls fn(entry, content) for every regular text file (no NUL in its first 4 KiB) of the system
// roots under the folders configs and scripts live in (/etc, /etc_ro, bin and sbin folders,
// /usr/share, /lib, /usr/lib scripts, /www cgi-bin, /opt), up to kMaxTextBytes each.
void ForEachTextFile(const FirmwareInput& in,
                     const std::function<void(const unpack::Entry&, std::string_view)>& fn);

// Calls fn(line_no, code) for every line, with shell/ini comments removed (# at line start or
// after whitespace, lines starting with ; or //) and surrounding blanks trimmed; empty results
// are skipped.
void ForEachCodeLine(std::string_view text,
                     const std::function<void(std::uint32_t, std::string_view)>& fn);

// True when `line`, compared without case, contains one of `words` (lower case): the cheap test
// before a regular expression.
bool MentionsAny(std::string_view line, std::initializer_list<std::string_view> words);

struct Url {
  std::string url, scheme, host;
  std::uint16_t port = 0;
};
// URLs (http, https, ftp, ftps, tftp, mqtt, mqtts, ws, wss, coap) in a line.
std::vector<Url> FindUrls(std::string_view line);
// localhost, 127.x, ::1, 0.0.0.0 and shell placeholders: not a remote endpoint.
bool IsLocalHost(std::string_view host);
// XML namespaces, DTDs and schema identifiers (w3.org, xmlsoap.org, ...): names, not endpoints.
bool IsIdentifierUrl(const Url& u);
// True for schemes that carry TLS.
bool IsTlsScheme(std::string_view scheme);

}  // namespace iotcop::firmware
