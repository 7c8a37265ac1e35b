// File: firmware/checks/services_named.h
// The service checks that are "these programs should not be started at boot" share one shape:
// a list of program names, a title, provisions and a severity. Each check's file holds its own
// list and CheckDoc and calls ReportServicesNamed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/check.h"

namespace iotcop::checkutil {

struct ServiceRule {
  std::vector<std::string_view> names;  // program base names (also matched as a busybox applet)
  std::string what;                     // "a TFTP server"
  std::string why;                      // one sentence for the message
  Severity severity = Severity::kHigh;
};

// Reports one finding per started service whose program is in `rule.names`; keys are
// service name + starter file. Returns how many were reported.
std::size_t ReportServicesNamed(CheckContext& ctx, const ServiceRule& rule);

}  // namespace iotcop::checkutil
