// File: network/intercept/intercept.h
// Does the device check the certificates of the servers it talks to? For --duration seconds,
// nftables rules of iotcop's own (rules.h) send the device's outbound TCP connections to a
// listener here. A connection whose first bytes are a TLS ClientHello is answered with the next
// forgery of its destination's series (forgery.h) for the name in its SNI; every other connection,
// and TLS once the series is done, is relayed to where it was going, so the device keeps working.
// Each forged handshake becomes a `tls_client_test` fact: refused (with the client's alert),
// handshake only, or accepted with the first bytes the device sent (described, never shown: they
// may hold credentials).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/assessment.h"
#include "core/progress.h"

namespace iotcop::network {

struct InterceptOptions {
  std::string mode;    // "" = off; "local"; else the interface the device is behind
  std::string device;  // the device's address (interface mode); "" or "uid:N" (local)
  std::chrono::seconds duration{60};
  std::string other_name_pem;  // --intercept-cert: a trusted certificate for another name
  bool dry_run = false;        // print the rules, change nothing
  std::chrono::milliseconds io_timeout{5000};
};

// Runs the interception and adds its facts, its input record and a summary
// (extras["interception"]). Errors (rules refused, no listener) are problems of the assessment.
void RunInterception(const InterceptOptions& o, Assessment& a, Progress& progress);

// The rules RunInterception would load, for --intercept-dry-run.
Result<std::string> InterceptionRulesText(const InterceptOptions& o);

}  // namespace iotcop::network
