// File: network/options.h
// What the user says about a live-device assessment (`assess --host`): filled by the CLI, read by
// network/assess.cc.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "network/endpoint.h"
#include "network/intercept/intercept.h"
#include "network/login.h"
#include "network/scanner.h"

namespace iotcop::network {

struct Options {
  // TCP ports to scan: "all" (1-65535), "top" (the IoT services of rules/probes.yaml and the
  // usual suspects), or a list with ranges "22,80,8000-8100". Empty: the default, "all" for a
  // single address (completeness: TS 103 701 asks for every service) and "top" for a range.
  std::string ports;
  bool udp = true;                  // UDP probes: SNMP, SSDP, mDNS, CoAP, TFTP
  bool allow_wide = false;          // CIDR wider than /24
  bool robustness = false;          // --robustness campaign (network/robustness.h)
  std::size_t max_in_flight = 512;  // connect scan: connections pending at once
  Limits limits;                    // limits.rate paces the probes after the scan
  ScanPace pace;                    // the scan's adaptive rate; max_rate is the user's --rate
  LoginOptions login;
  // --templates: folders (or files) of probe templates tried after rules/templates/.
  std::vector<std::string> template_dirs;
  // The EN 303 645 V2.1.1 provision ids templates may name (the pipeline fills it from the
  // catalogue; empty: not checked).
  std::set<std::string> provisions;
  InterceptOptions intercept;  // --intercept: the device's TLS client against forged certificates
};

}  // namespace iotcop::network
