// File: vuln/vex.h
// VEX (Vulnerability Exploitability eXchange) statements read from OpenVEX 0.2.0, CycloneDX 1.4-1.6
// VEX (`vulnerabilities[].analysis`) and CSAF 2.0 `csaf_vex` documents, detected by content, and
// the rule that applies them to a vulnerability match of one component (docs/vex.md).
//
// Reading is strict: a statement that said "not affected" by mistake would hide a vulnerability,
// so a field of the wrong type, an unknown status or a product id the document does not define is
// an error naming the file and the JSON pointer of the field; a file that is not JSON names the
// byte offset. Bounded: kMaxVexBytes per file, kMaxVexStatements per file, nesting kMaxVexDepth.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace iotcop::vuln {

inline constexpr std::size_t kMaxVexBytes = 32u << 20;
inline constexpr std::size_t kMaxVexStatements = 100000;
inline constexpr int kMaxVexDepth = 64;

enum class VexStatus { kNotAffected, kFixed, kAffected, kUnderInvestigation };
// "not_affected", "fixed", "affected", "under_investigation" (the OpenVEX words).
const char* VexStatusName(VexStatus s);

// How a statement names a component; any field may be empty. A PURL is kept as written.
struct VexProduct {
  std::string purl, cpe, name, version;
  // "pkg:generic/busybox@1.19.4", else the CPE, else "name@version".
  std::string Describe() const;
};

struct VexStatement {
  std::vector<std::string> ids;      // the vulnerability's id first, then its aliases
  std::vector<VexProduct> products;  // empty: every component
  VexStatus status = VexStatus::kAffected;
  std::string justification;  // vulnerable_code_not_present, code_not_reachable, ...
  std::string impact;         // impact statement / analysis detail
  std::string action;         // action statement / response
  std::string source;         // the file it came from
  std::string pointer;        // JSON pointer of the statement in `source`
};

struct VexDocument {
  std::string format;  // "openvex" | "cyclonedx" | "csaf"
  std::string source;
  std::vector<VexStatement> statements;
};

// Parses `text` (the content of `input`): the format is detected by content.
Result<VexDocument> ParseVex(std::string_view text, std::string_view input);
// Reads and parses a file of at most kMaxVexBytes.
Result<VexDocument> ReadVexFile(const std::filesystem::path& path);

// A component as the matcher sees it (the `component` fact's fields).
struct VexComponent {
  std::string name, version, purl, cpe, vendor, product, package, package_version;
  // A package of a distribution's database: its ecosystem ("Debian:12") and source package.
  std::string ecosystem, source_package;
};

struct VexDecision {
  const VexStatement* statement = nullptr;
  std::string matched_by;  // "purl" | "cpe" | "name@version" | "every product"
  // Statements of earlier files that matched with another status and lost ("later file wins").
  std::vector<const VexStatement*> overridden;
};

// The statement of `docs` (in the order given) that decides vulnerability `id` of `c`, if any.
// A statement covers `id` when its id or an alias equals it (case-insensitive) and a product
// matches `c`: PURL without qualifiers and subpath (a PURL without version: every version), CPE
// vendor:product:version (`*` or `-` version: every version), or name and version (no version:
// every version); a statement without products applies to every component. Within one file the
// most specific match wins (PURL > CPE > name@version > every product; at equal rank the later
// statement); across files the later file wins, and a statement of an earlier file that it
// overrides with another status is listed in `overridden`.
std::optional<VexDecision> DecideVex(const std::vector<VexDocument>& docs, std::string_view id,
                                     const VexComponent& c);
// The decision points into `docs`: a temporary list would leave it dangling.
std::optional<VexDecision> DecideVex(std::vector<VexDocument>&& docs, std::string_view id,
                                     const VexComponent& c) = delete;

}  // namespace iotcop::vuln
