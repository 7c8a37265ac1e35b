// File: report/html_network.h
// The HTML report's section for a live device (assess --host): scan, services, TLS, SSH, logins,
// security.txt and robustness, from the network facts. html.cc places it after Destinations.
#pragma once

#include <string>

#include "core/assessment.h"

namespace iotcop::report {

// True when the assessment has network facts (open ports or services): the section is shown.
bool HasNetworkSection(const Assessment& a);
// <section id="live-device">…</section>, every text escaped; "" without network facts.
std::string HtmlNetworkSection(const Assessment& a);

}  // namespace iotcop::report
