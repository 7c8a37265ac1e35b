// File: network/login/brute_force.h
// Judging brute-force resistance (5.1-5) from a run of login attempts on one service: did it lock
// us out, drop us, slow down as failures piled up, or answer every guess as fast as the first?
#pragma once

#include <string>
#include <vector>

#include "network/login/protocol.h"

namespace iotcop::network::login {

struct BruteForceJudgement {
  std::string result;  // lockout | disconnect | slowdown | none | no-password-login | undetermined
  std::size_t failures = 0;
  long first_latency_ms = 0;  // median of the first three failures
  long last_latency_ms = 0;   // median of the last three
  std::string reason;         // one sentence for people
};

// `attempts` in the order made. At least `min_failures` rejected guesses are needed to say "none".
BruteForceJudgement JudgeBruteForce(const std::vector<Attempt>& attempts,
                                    std::size_t min_failures = 5);

}  // namespace iotcop::network::login
