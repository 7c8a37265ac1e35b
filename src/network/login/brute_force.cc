// File: network/login/brute_force.cc
// Lockout: after rejections the service stops asking (blocked) or refuses connections; slowdown:
// the last failures take at least twice as long as the first and 200 ms more, or every failure
// takes a second or more; none: enough rejections, all as fast as the first.
#include "network/login/brute_force.h"

#include <algorithm>

#include <fmt/format.h>

namespace iotcop::network::login {
namespace {

long Median(std::vector<long> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

BruteForceJudgement JudgeBruteForce(const std::vector<Attempt>& attempts,
                                    std::size_t min_failures) {
  BruteForceJudgement j;
  std::vector<long> lat;
  std::size_t rejected = 0;
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    const Attempt& a = attempts[i];
    if (a.outcome == Outcome::kUnsupported) {
      j.result = "no-password-login";
      j.reason = "the service offers no password login to guess";
      return j;
    }
    if (a.outcome == Outcome::kRejected) {
      ++rejected;
      lat.push_back(static_cast<long>(a.latency.count()));
      continue;
    }
    if ((a.outcome == Outcome::kBlocked || a.outcome == Outcome::kError) && rejected > 0) {
      j.failures = rejected;
      j.result = a.outcome == Outcome::kBlocked ? "lockout" : "disconnect";
      j.reason = fmt::format(
          "after {} rejected guesses the service {} ({})", rejected,
          a.outcome == Outcome::kBlocked ? "stopped accepting logins" : "stopped answering",
          a.excerpt);
      return j;
    }
  }
  j.failures = rejected;
  if (rejected < min_failures) {
    j.result = "undetermined";
    j.reason = fmt::format("only {} rejected guesses were made (at least {} are needed to judge)",
                           rejected, min_failures);
    return j;
  }
  const std::size_t k = std::min<std::size_t>(3, lat.size() / 2);
  j.first_latency_ms = Median({lat.begin(), lat.begin() + static_cast<long>(k)});
  j.last_latency_ms = Median({lat.end() - static_cast<long>(k), lat.end()});
  const long all = Median(lat);
  if (j.last_latency_ms >= 2 * j.first_latency_ms &&
      j.last_latency_ms - j.first_latency_ms >= 200) {
    j.result = "slowdown";
    j.reason = fmt::format("answers slowed from {} ms to {} ms over {} rejected guesses",
                           j.first_latency_ms, j.last_latency_ms, rejected);
  } else if (all >= 1000) {
    j.result = "slowdown";
    j.reason = fmt::format("every rejected guess takes about {} ms", all);
  } else {
    j.result = "none";
    j.reason = fmt::format(
        "{} rejected guesses in a row, answered in {} ms at first and {} ms at the end, "
        "without lockout or delay",
        rejected, j.first_latency_ms, j.last_latency_ms);
  }
  return j;
}

}  // namespace iotcop::network::login
