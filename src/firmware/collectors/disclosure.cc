// Disclosure collector: vulnerability disclosure information shipped in the image: security.txt
// (RFC 9116, checked by declaration/securitytxt) in a web root's /.well-known/ or at its top,
// SECURITY documents, and security contacts in the device's own text files. Emits `disclosure`
// facts.
#include <fmt/format.h>
#include <strings.h>

#include "core/evidence.h"
#include "core/fact_kinds.h"
#include "firmware/collector.h"
#include "firmware/text.h"
#include "protocols/securitytxt.h"

namespace iotcop::firmware {
namespace {

constexpr std::uint64_t kMaxText = 256 * 1024;

bool SecurityDocument(std::string_view base) {
  return base == "SECURITY" || base == "SECURITY.md" || base == "SECURITY.txt" ||
         base == "SECURITY.rst";
}

// A contact on the line: "security@vendor.example", a URL after "Contact:", or "report...
// vulnerabilit".
std::string ContactOn(std::string_view line) {
  std::string lower(line);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (auto at = lower.find("security@"); at != std::string::npos) {
    auto end = lower.find_first_of(" \t\"'<>),;", at);
    return std::string(line.substr(at, end == std::string::npos ? std::string::npos : end - at));
  }
  if (lower.find("vulnerability disclosure") != std::string::npos ||
      lower.find("report a vulnerability") != std::string::npos ||
      lower.find("report security") != std::string::npos ||
      lower.find("psirt") != std::string::npos)
    return std::string(Trim(line));
  return {};
}

void CollectDisclosure(const FirmwareInput& in, FactStore& facts, std::vector<Problem>&) {
  const auto& tree = in.tree;
  for (const unpack::Entry* e : RegularFiles(tree, kMaxText)) {
    const std::string_view base = Basename(e->path);
    const bool security_txt = base == "security.txt";
    if (e->path.find("/usr/share/doc/") != std::string::npos ||
        e->path.find("/common-licenses/") != std::string::npos ||
        e->path.find("/lib/") != std::string::npos || e->path.find("/bin/") != std::string::npos)
      continue;
    const bool document = SecurityDocument(base);
    const bool config_area =
        e->path.starts_with("/etc") || e->path.starts_with("/www") || e->path.starts_with("/web") ||
        e->path.find("/www/") != std::string::npos || e->path.starts_with("/home/httpd") ||
        e->path.starts_with("/usr/share/www");
    if (!security_txt && !document && !config_area) continue;
    const auto text = ReadCapped(tree, *e, kMaxText);
    if (!text || !LooksLikeText(*text)) continue;
    if (security_txt) {
      // The shared RFC 9116 validator decides validity; the fact keeps its verdict and issues.
      const securitytxt::Report report = securitytxt::Validate(*text);
      std::uint32_t first_line = 0;
      for (const auto& f : report.fields) {
        if (strcasecmp(f.name.c_str(), "Contact") == 0) {
          first_line = f.line;
          break;
        }
      }
      std::string policy;
      for (const auto& f : report.fields) {
        if (strcasecmp(f.name.c_str(), "Policy") == 0) policy = f.value;
      }
      nlohmann::json issues = nlohmann::json::array();
      for (const auto& i : report.issues) {
        if (i.level == securitytxt::Level::kError)
          issues.push_back(fmt::format("line {}: {}", i.line, i.message));
      }
      facts.Add(facts::kDisclosure,
                {{"kind", "security.txt"},
                 {"path", tree.DisplayPath(*e)},
                 {"contact", report.contacts.empty() ? "" : report.contacts.front()},
                 {"contacts", report.contacts},
                 {"policy", policy},
                 {"well_known", e->path.find("/.well-known/") != std::string::npos},
                 {"valid", report.valid()},
                 {"errors", issues}},
                FileEvidence(in, *e, first_line ? std::optional(first_line) : std::nullopt,
                             report.contacts.empty() ? "(no Contact: field)"
                                                     : "Contact: " + report.contacts.front()),
                "disclosure");
      continue;
    }
    bool found = false;
    for (const TextLine& l : SplitLines(*text, 20000)) {
      const std::string contact = ContactOn(l.text);
      if (contact.empty()) continue;
      found = true;
      facts.Add(facts::kDisclosure,
                {{"kind", document ? "document" : "contact"},
                 {"path", tree.DisplayPath(*e)},
                 {"contact", contact},
                 {"valid", true}},
                FileEvidence(in, *e, l.number, std::string(Trim(l.text))), "disclosure");
      break;
    }
    if (document && !found) {
      facts.Add(
          facts::kDisclosure,
          {{"kind", "document"}, {"path", tree.DisplayPath(*e)}, {"contact", ""}, {"valid", true}},
          FileEvidence(
              in, *e, 1,
              std::string(Trim(SplitLines(*text, 1).empty() ? "" : SplitLines(*text, 1)[0].text))),
          "disclosure");
    }
  }
}

}  // namespace

std::unique_ptr<const Collector> MakeDisclosureCollector() {
  return MakeFunctionCollector({"disclosure",
                                "vulnerability disclosure information: security.txt, SECURITY "
                                "documents, security contacts",
                                {facts::kDisclosure}},
                               CollectDisclosure);
}

}  // namespace iotcop::firmware
