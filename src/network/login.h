// File: network/login.h
// Default-credential logins on a live service (guideline 1; 5.1-1, 5.1-5): try the default
// credential dictionary (rules/default-credentials.csv, the same one the firmware checks use),
// stop at the first success, bounded attempts with a delay, and tell whether the service resists
// brute force. One protocol per file in network/login/.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/assessment.h"
#include "network/endpoint.h"

namespace iotcop::network {

struct LoginOptions {
  std::size_t max_attempts = 20;               // per service
  std::chrono::milliseconds delay{100};        // between attempts
  std::vector<std::string> extra_credentials;  // --credentials files (user,password CSV)
  std::string http_form;                       // configurable HTTP form login, see docs/cli.md
};

// Adds facts (kind "login_attempt"... see fact_kinds.h) for every endpoint whose service it can
// log into; problems for what could not be tried.
void TryDefaultLogins(const std::vector<Endpoint>& endpoints, const LoginOptions& options,
                      const Limits& limits, Assessment& a);

// The user / password pairs TryDefaultLogins would try on `e`, in order (anonymous ones with an
// empty user): for comparing with other tools (bench/network-logins) and for documentation.
std::vector<std::pair<std::string, std::string>> LoginCandidates(const Endpoint& e,
                                                                 const LoginOptions& options);

}  // namespace iotcop::network
