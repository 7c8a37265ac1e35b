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

// How a file writes comments: shell and ini (# at line start or after whitespace, lines starting
// with ; or //), Lua (-- to the line end, --[[ ]] and --[==[ ]==] blocks), C-like (// to the line
// end, /* */ blocks: JavaScript, C, CSS, JSON with comments) or HTML/XML (<!-- -->).
enum class CommentSyntax { kShell, kLua, kCLike, kHtml };
// The syntax of a file by its name, else by its #! line (lua, node); shell otherwise.
CommentSyntax CommentSyntaxOf(std::string_view path, std::string_view text);

// Calls fn(line_no, code) for every line, with the comments of `syntax` removed (outside quotes)
// and surrounding blanks trimmed; empty results are skipped.
void ForEachCodeLine(std::string_view text,
                     const std::function<void(std::uint32_t, std::string_view)>& fn,
                     CommentSyntax syntax = CommentSyntax::kShell);

// Files written for people, not read by a program: documentation and licences (/usr/share/doc,
// man and info pages, README, COPYING, LICENSE..., *.txt, *.md), the login banners (/etc/banner,
// motd, issue) and pages of help or web UI (*.html, *.htm, *.css, *.svg). A URL there is a
// reference for the reader, not a connection the product makes.
bool IsProseFile(std::string_view path);

// True when `line`, compared without case, contains one of `words` (lower case): the cheap test
// before a regular expression.
bool MentionsAny(std::string_view line, std::initializer_list<std::string_view> words);

struct Url {
  std::string url, scheme, host;
  std::uint16_t port = 0;
  std::size_t pos = 0;  // of the scheme in the line
};
// URLs (http, https, ftp, ftps, tftp, mqtt, mqtts, ws, wss, coap) in a line whose host is a name
// or an address (letters, digits, - . _ or a bracketed IPv6 address): "http://*" in a shell
// pattern is not one.
std::vector<Url> FindUrls(std::string_view line);
// localhost, 127.x, ::1, 0.0.0.0 and shell placeholders: not a remote endpoint.
bool IsLocalHost(std::string_view host);
// XML namespaces, DTDs and schema identifiers (w3.org, xmlsoap.org, ...): names, not endpoints.
bool IsIdentifierUrl(const Url& u);
// True for schemes that carry TLS.
bool IsTlsScheme(std::string_view scheme);

}  // namespace iotcop::firmware
