// File: vuln/cvss.h
// CVSS v3.0 / v3.1 base scores computed from a vector string, for feeds (OSV) that give the vector
// without the score. The formulas and constants are those of the FIRST specification
// (https://www.first.org/cvss/v3.1/specification-document, section 7); v3.0 rounds up to one
// decimal, v3.1 with the floating-point-safe Roundup of its Appendix A.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace iotcop::vuln {

// "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" -> 9.8. Every base metric must be present exactly
// once; temporal and environmental metrics are accepted and ignored. An error names the metric.
Result<double> CvssV3BaseScore(std::string_view vector);

// The qualitative rating of a score: NONE, LOW, MEDIUM, HIGH, CRITICAL.
std::string CvssRating(double score);

}  // namespace iotcop::vuln
