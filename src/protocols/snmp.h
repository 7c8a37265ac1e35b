// File: protocols/snmp.h
// SNMP v1/v2c as the live UDP probe speaks it: the GetRequest for sysDescr.0 and the bounded BER
// walk of a GetResponse to its value.
#pragma once

#include <string>
#include <string_view>

namespace iotcop::protocols {

// The SNMP GetRequest for sysDescr.0 (version 0 = v1, 1 = v2c).
std::string SnmpGetSysDescr(int version, std::string_view community);
// sysDescr.0's value from a GetResponse, "" if the answer is not one (bounded BER walk).
std::string SnmpSysDescr(std::string_view answer);

}  // namespace iotcop::protocols
