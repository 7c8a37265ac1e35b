// File: network/security_txt.h
// Guideline 2 on a live device: fetch /.well-known/security.txt over HTTPS when the device serves
// HTTPS (HTTP otherwise, and say so) and validate it with the RFC 9116 validator the declaration
// work uses (declaration/securitytxt.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/evidence.h"
#include "core/fact.h"
#include "network/endpoint.h"
#include "network/socket.h"

namespace iotcop::network {

struct SecurityTxtResult {
  std::optional<nlohmann::json> disclosure;  // the disclosure fact value when one was served
  Evidence evidence;
  std::vector<std::string> tried;  // URLs asked, "url -> status"
};

// Tries the web endpoints (https first) of one address.
SecurityTxtResult FetchSecurityTxt(const std::vector<Endpoint>& web, const Limits& limits,
                                   RateLimiter& rate);

}  // namespace iotcop::network
