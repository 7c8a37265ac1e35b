// fw.services.snmp-community: SNMP configured with the default communities "public"/"private".
// An SNMP community is a password; the defaults are known to every scanner, and "private" usually
// grants write access.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

using checkutil::Str;

Status CheckServicesSnmp(CheckContext& ctx) {
  bool snmpd_started = false;
  for (const Fact* s : ctx.facts().OfKind(facts::kService)) {
    const std::string n = Str(*s, "name");
    if (n == "snmpd" || n == "mini_snmpd") snmpd_started = true;
  }
  for (const Fact* c : ctx.facts().OfKind(facts::kCredential)) {
    if (Str(*c, "kind") != "snmp" || !c->value.value("cracked", false)) continue;
    const bool write = c->value.value("write", false);
    ctx.Report(
        checkutil::FindingOn(
            {c},
            fmt::format("SNMP {} community is a default ({}, {})",
                        write ? "read-write" : "read-only", Str(*c, "password"), Str(*c, "where")),
            fmt::format("{} {} accepts a community string every scanner tries{}.", Str(*c, "where"),
                        Str(*c, "user"),
                        snmpd_started ? " and snmpd is started at boot"
                                      : "; snmpd was not seen started at boot"),
            snmpd_started ? (write ? Severity::kCritical : Severity::kHigh) : Severity::kMedium),
        "snmp:" + Str(*c, "user") + "@" + Str(*c, "where"));
  }
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeSnmpCommunityCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.services.snmp-community",
       "SNMP with default communities",
       {"5.1-1", "5.6-2"},
       {InputKind::kFirmware},
       {facts::kCredential},
       "SNMP communities are passwords. 'public' and 'private' are universal defaults (5.1-1) and "
       "let anyone read the device's configuration and state without authentication (5.6-2).",
       "Disable SNMP by default; if needed use SNMPv3 with user-set credentials.",
       Severity::kHigh},
      CheckServicesSnmp);
}

}  // namespace iotcop
