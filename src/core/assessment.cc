#include "core/assessment.h"

#include <fmt/format.h>

#include "core/strings.h"

namespace iotcop {

bool Assessment::HasInput(InputKind k) const {
  for (const auto& i : inputs)
    if (i.kind == k && i.status != "failed") return true;
  return false;
}

int Assessment::CountFindingsAtLeast(Severity severity) const {
  int n = 0;
  for (const auto& f : findings)
    if (f.severity >= severity) ++n;
  return n;
}

void to_json(nlohmann::json& j, const Problem& p) {
  j = nlohmann::json{
      {"level", p.level}, {"stage", p.stage}, {"input", p.input}, {"message", p.message}};
  if (!p.path.empty()) j["path"] = p.path;
  if (p.offset) j["offset"] = *p.offset;
}

std::string CoverageRegion::Describe() const {
  const bool in_input = input_offset.has_value();
  std::string s = fmt::format("{} at {:#x}", HumanSize(size), in_input ? *input_offset : offset);
  if (!in_input) s += " of " + container;
  if (guess != "padding") s += fmt::format(" with entropy {:.2f}", entropy);
  if (!note.empty()) s += ", " + note;
  return s;
}

std::string Coverage::Summary() const {
  std::string s;
  if (size > 0) {
    s = fmt::format("{:.1f}% of {} decoded", 100.0 * static_cast<double>(decoded) / size,
                    HumanSize(size));
    if (undecoded > 0) s += ", " + HumanSize(undecoded) + " undecoded";
    if (padding > 0) s += ", " + HumanSize(padding) + " padding";
    s += "; ";
  }
  s += fmt::format("{} file system{}, {} file{}", filesystems, filesystems == 1 ? "" : "s", files,
                   files == 1 ? "" : "s");
  return s;
}

std::string Coverage::Warning() const {
  if (extracted()) return "";
  const CoverageRegion* largest = nullptr;
  for (const auto& r : regions)
    if (r.guess != "padding" && (!largest || r.size > largest->size)) largest = &r;
  std::string s = "no file system could be extracted";
  if (largest) return s + ": " + largest->Describe();
  if (size > 0)
    s += fmt::format(": {} of {} decoded, none of it a file system with files", HumanSize(decoded),
                     HumanSize(size));
  return s;
}

void to_json(nlohmann::json& j, const Coverage& c) {
  nlohmann::json regions = nlohmann::json::array();
  for (const auto& r : c.regions) {
    nlohmann::json rj = {{"container", r.container}, {"offset", r.offset}, {"size", r.size},
                         {"entropy", r.entropy},     {"guess", r.guess},   {"note", r.note}};
    if (r.input_offset) rj["input_offset"] = *r.input_offset;
    regions.push_back(std::move(rj));
  }
  j = nlohmann::json{{"size", c.size},
                     {"decoded", c.decoded},
                     {"padding", c.padding},
                     {"undecoded", c.undecoded},
                     {"filesystems", c.filesystems},
                     {"files", c.files},
                     {"extracted", c.extracted()},
                     {"summary", c.Summary()},
                     {"regions", regions}};
  if (c.regions_omitted) j["regions_omitted"] = c.regions_omitted;
  if (!c.extracted()) j["warning"] = c.Warning();
}

void to_json(nlohmann::json& j, const GuidelineVerdict& g) {
  j = nlohmann::json{{"id", g.id},
                     {"title", g.title},
                     {"verdict", VerdictName(g.verdict)},
                     {"counts",
                      {{"PASS", g.pass},
                       {"FAIL", g.fail},
                       {"INCONCLUSIVE", g.inconclusive},
                       {"NOT_APPLICABLE", g.not_applicable}}}};
}

}  // namespace iotcop
