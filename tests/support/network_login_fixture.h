// File: tests/support/network_login_fixture.h
// What the login and robustness tests share: endpoints built by hand on 127.0.0.N, small limits,
// running the checks over an assessment of network facts, and looking findings up.
#pragma once

#include <string>
#include <vector>

#include <filesystem>

#include "assess/pipeline.h"
#include "core/assessment.h"
#include "network/endpoint.h"

namespace iotcop::test {

network::Endpoint LoopbackEndpoint(const std::string& address, std::uint16_t port,
                                   const std::string& service,
                                   const std::string& transport = "tcp");
// Short timeouts and no rate limit: tests talk to their own daemons only.
network::Limits TestLimits();
// A whole live assessment (`assess --host HOST --ports PORTS`): TestLimits, fast logins (at most
// 8 guesses, no delay), UDP probes on, the work folder `work`.
AssessOptions LiveOptions(const std::string& host, const std::string& ports,
                          const std::filesystem::path& work);
// Runs the pipeline with the built-in catalogue (a catalogue that does not load fails the test).
Assessment RunLive(const AssessOptions& o);
// An assessment with one live-device input, ready for probes to fill.
Assessment NetworkAssessment(const std::string& host);
// Runs every built-in check over `a` (as the pipeline does after the probes).
void RunAllChecks(Assessment& a);
std::vector<const Finding*> FindingsOf(const Assessment& a, const std::string& check_id_prefix);
std::vector<const Fact*> FactsOf(const Assessment& a, const std::string& kind);
// Facts and problems of `a` as JSON, for failure messages.
std::string Dump(const Assessment& a);

}  // namespace iotcop::test
