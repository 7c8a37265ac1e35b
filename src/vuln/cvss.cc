#include "vuln/cvss.h"

#include <cmath>
#include <map>

namespace iotcop::vuln {
namespace {

// Appendix A of CVSS v3.1: the smallest number, to one decimal, equal to or higher than `x`,
// computed on integers so that 4.000000001 does not become 4.1.
double RoundUp31(double x) {
  const long long i = std::llround(x * 100000.0);
  if (i % 10000 == 0) return static_cast<double>(i) / 100000.0;
  return static_cast<double>(i / 10000 + 1) / 10.0;
}

double RoundUp30(double x) { return std::ceil(x * 10.0 - 1e-9) / 10.0; }

}  // namespace

Result<double> CvssV3BaseScore(std::string_view vector) {
  auto fail = [&](const std::string& why) {
    return MakeError(Errc::kCorrupt,
                     "CVSS vector '" + std::string(vector.substr(0, 120)) + "': " + why);
  };
  bool v31 = false;
  if (vector.starts_with("CVSS:3.1/")) {
    v31 = true;
  } else if (!vector.starts_with("CVSS:3.0/")) {
    return fail("not a CVSS v3.0 or v3.1 vector (expected CVSS:3.x/ prefix)");
  }
  std::map<std::string, std::string, std::less<>> m;
  std::string_view rest = vector.substr(9);
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    const std::size_t colon = part.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == part.size())
      return fail("malformed metric '" + std::string(part) + "'");
    const std::string key(part.substr(0, colon));
    if (!m.emplace(key, std::string(part.substr(colon + 1))).second)
      return fail("metric " + key + " given twice");
  }
  auto pick = [&](const char* key, const std::map<std::string, double>& values,
                  double& out) -> std::string {
    auto it = m.find(key);
    if (it == m.end()) return std::string("base metric ") + key + " missing";
    auto v = values.find(it->second);
    if (v == values.end()) return std::string("base metric ") + key + " has no value " + it->second;
    out = v->second;
    return "";
  };
  auto scope = m.find("S");
  if (scope == m.end() || (scope->second != "U" && scope->second != "C"))
    return fail("base metric S missing or not U/C");
  const bool changed = scope->second == "C";
  const std::map<std::string, double> cia = {{"H", 0.56}, {"L", 0.22}, {"N", 0.0}};
  double av = 0, ac = 0, pr = 0, ui = 0, c = 0, i = 0, a = 0;
  for (const std::string& err :
       {pick("AV", {{"N", 0.85}, {"A", 0.62}, {"L", 0.55}, {"P", 0.2}}, av),
        pick("AC", {{"L", 0.77}, {"H", 0.44}}, ac),
        pick("PR", {{"N", 0.85}, {"L", changed ? 0.68 : 0.62}, {"H", changed ? 0.5 : 0.27}}, pr),
        pick("UI", {{"N", 0.85}, {"R", 0.62}}, ui), pick("C", cia, c), pick("I", cia, i),
        pick("A", cia, a)}) {
    if (!err.empty()) return fail(err);
  }
  const double iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
  const double impact =
      changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
  const double exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0.0;
  const double raw = changed ? std::min(1.08 * (impact + exploitability), 10.0)
                             : std::min(impact + exploitability, 10.0);
  return v31 ? RoundUp31(raw) : RoundUp30(raw);
}

std::string CvssRating(double score) {
  if (score <= 0) return "NONE";
  if (score < 4.0) return "LOW";
  if (score < 7.0) return "MEDIUM";
  if (score < 9.0) return "HIGH";
  return "CRITICAL";
}

}  // namespace iotcop::vuln
