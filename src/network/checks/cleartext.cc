// File: network/checks/cleartext.cc
// net.cleartext.*: services on the live device that carry logins or data without encryption —
// FTP, HTTP without a redirect to HTTPS, MQTT without TLS (worse: accepting anonymous clients),
// RTSP, TFTP (no authentication at all). One check per protocol, sharing this file's table.
#include <fmt/format.h>

#include "core/check_util.h"
#include "core/fact_kinds.h"
#include "network/socket.h"
#include "protocols/address.h"

namespace iotcop {
namespace {

using checkutil::Str;
using protocols::HostPort;

std::string ServiceWhere(const Fact& s) {
  return HostPort(Str(s, "address"), s.value.value("port", std::uint16_t{0})) + "/" +
         Str(s, "transport");
}

Status RunFtp(CheckContext& ctx) {
  for (const Fact* s : ctx.facts().OfKind(facts::kNetworkService)) {
    if (Str(*s, "service") != "ftp") continue;
    ctx.Report(checkutil::FindingOn({s}, "FTP (cleartext) answers on " + ServiceWhere(*s),
                                    "FTP sends the user name, the password and the files in "
                                    "cleartext: anyone on the path can read or change them.",
                                    Severity::kMedium),
               "ftp:" + ServiceWhere(*s));
  }
  return Ok();
}

Status RunHttp(CheckContext& ctx) {
  for (const Fact* s : ctx.facts().OfKind(facts::kNetworkService)) {
    if (Str(*s, "service") != "http") continue;
    if (s->value.value("redirect_https", false)) continue;  // only sends people to HTTPS
    ctx.Report(
        checkutil::FindingOn({s}, "web interface served over plain HTTP on " + ServiceWhere(*s),
                             fmt::format("The device answers HTTP (status {}) without "
                                         "redirecting to HTTPS: logins and settings of its web "
                                         "interface cross the network in cleartext.",
                                         s->value.value("status", 0)),
                             Severity::kMedium),
        "http:" + ServiceWhere(*s));
  }
  return Ok();
}

Status RunMqtt(CheckContext& ctx) {
  for (const Fact* s : ctx.facts().OfKind(facts::kNetworkService)) {
    const std::string svc = Str(*s, "service");
    if (svc != "mqtt" && svc != "mqtts") continue;
    const bool anonymous = s->value.value("anonymous", false);
    if (svc == "mqtts" && !anonymous) continue;
    std::string title, message;
    if (svc == "mqtt" && anonymous) {
      title = "MQTT broker without TLS accepts anonymous clients on " + ServiceWhere(*s);
      message =
          "The broker accepted a CONNECT without user name or password over plain TCP: anyone on "
          "the network can read and publish every topic, and all traffic is cleartext.";
    } else if (svc == "mqtt") {
      title = "MQTT without TLS on " + ServiceWhere(*s);
      message = "The broker speaks MQTT over plain TCP: credentials and messages are cleartext.";
    } else {
      title = "MQTT broker accepts anonymous clients on " + ServiceWhere(*s);
      message =
          "The broker accepted a CONNECT without user name or password (over TLS): anyone "
          "who reaches it can read and publish.";
    }
    ctx.Report(
        checkutil::FindingOn({s}, title, message, anonymous ? Severity::kHigh : Severity::kMedium),
        "mqtt:" + ServiceWhere(*s));
  }
  return Ok();
}

Status RunSnmp(CheckContext& ctx) {
  for (const Fact* s : ctx.facts().OfKind(facts::kNetworkService)) {
    if (Str(*s, "service") != "snmp") continue;
    ctx.Report(checkutil::FindingOn(
                   {s},
                   fmt::format("SNMP {} answers to the default community '{}' on {}",
                               Str(*s, "version"), Str(*s, "community"), ServiceWhere(*s)),
                   "SNMP v1/v2c authenticates with a community string sent in cleartext, "
                   "and this device accepts a well-known default one: anyone on the "
                   "network reads (and perhaps writes) its management data.",
                   Severity::kHigh, {"5.5-1", "5.1-1"}),
               "snmp:" + ServiceWhere(*s) + ":" + Str(*s, "community"));
  }
  // No default community answering says nothing about the other logins (net.login.* decide).
  if (ctx.findings().empty())
    ctx.Inconclusive("5.1-1",
                     "no SNMP agent answered a default community; the device's other logins "
                     "are for the default-credential checks");
  return Ok();
}

Status RunTftp(CheckContext& ctx) {
  for (const Fact* s : ctx.facts().OfKind(facts::kNetworkService)) {
    if (Str(*s, "service") != "tftp") continue;
    const bool reads = s->value.value("reads", false);
    ctx.Report(
        checkutil::FindingOn(
            {s},
            fmt::format("TFTP {} on {}", reads ? "serves reads without authentication" : "answers",
                        ServiceWhere(*s)),
            fmt::format("TFTP has no authentication and no encryption: {} (a read request for a "
                        "file that does not exist got '{}').",
                        reads ? "anyone on the network can fetch every file it serves by name "
                                "(configurations, firmware, keys) and often write them"
                              : "the server answered an anonymous read request",
                        Str(*s, "read_answer")),
            reads ? Severity::kHigh : Severity::kMedium, {"5.6-1", "5.5-1"}),
        "tftp:" + ServiceWhere(*s));
  }
  return Ok();
}

Status RunRtsp(CheckContext& ctx) {
  for (const Fact* s : ctx.facts().OfKind(facts::kNetworkService)) {
    if (Str(*s, "service") != "rtsp") continue;
    ctx.Report(checkutil::FindingOn({s}, "RTSP (cleartext) answers on " + ServiceWhere(*s),
                                    "RTSP streams and its credentials (Basic or Digest) travel "
                                    "unencrypted.",
                                    Severity::kMedium),
               "rtsp:" + ServiceWhere(*s));
  }
  return Ok();
}

CheckDoc Doc(std::string id, std::string title, std::string rationale, std::string remediation,
             Severity sev, std::vector<std::string> provisions = {"5.5-1"}) {
  return {std::move(id),
          std::move(title),
          std::move(provisions),
          {InputKind::kNetwork},
          {facts::kNetworkService},
          std::move(rationale),
          std::move(remediation),
          sev};
}

}  // namespace

std::unique_ptr<const Check> MakeNetCleartextFtpCheck() {
  return checkutil::MakeFunctionCheck(
      Doc("net.cleartext.ftp", "FTP answering on the live device",
          "FTP carries credentials and files unencrypted: not best-practice cryptography (5.5-1).",
          "Disable FTP; use SFTP or HTTPS for file transfer.", Severity::kMedium),
      RunFtp);
}

std::unique_ptr<const Check> MakeNetCleartextHttpCheck() {
  return checkutil::MakeFunctionCheck(
      Doc("net.cleartext.http", "Web interface over plain HTTP",
          "A web interface served over HTTP exposes logins and settings on the network (5.5-1). "
          "HTTP that only redirects to HTTPS is fine.",
          "Serve the web interface over HTTPS only and redirect HTTP to it.", Severity::kMedium),
      RunHttp);
}

std::unique_ptr<const Check> MakeNetCleartextMqttCheck() {
  return checkutil::MakeFunctionCheck(
      Doc("net.cleartext.mqtt", "MQTT without TLS or authentication",
          "MQTT over plain TCP carries credentials and messages in cleartext (5.5-1); a broker "
          "accepting anonymous clients lets anyone read and publish.",
          "Require TLS (8883) and authentication on the broker; disable the plain listener.",
          Severity::kMedium),
      RunMqtt);
}

std::unique_ptr<const Check> MakeNetCleartextSnmpCheck() {
  return checkutil::MakeFunctionCheck(
      Doc("net.cleartext.snmp", "SNMP v1/v2c with a default community",
          "SNMP v1 and v2c have no encryption and a community string for a password; 'public' and "
          "'private' are universal defaults (5.5-1, 5.1-1).",
          "Disable SNMP v1/v2c or use SNMPv3 with authPriv and per-device credentials.",
          Severity::kHigh, {"5.5-1", "5.1-1"}),
      RunSnmp);
}

std::unique_ptr<const Check> MakeNetCleartextTftpCheck() {
  return checkutil::MakeFunctionCheck(
      Doc("net.cleartext.tftp", "TFTP answering on the live device",
          "TFTP has neither authentication nor encryption: whoever reaches the device reads the "
          "files it serves (5.5-1), and a consumer device has no need for it once it runs "
          "(5.6-1; fw.services.file-transfer finds it started at boot).",
          "Disable the TFTP server; fetch files over an authenticated, encrypted channel.",
          Severity::kHigh, {"5.6-1", "5.5-1"}),
      RunTftp);
}

std::unique_ptr<const Check> MakeNetCleartextRtspCheck() {
  return checkutil::MakeFunctionCheck(
      Doc("net.cleartext.rtsp", "RTSP without TLS",
          "RTSP sends video and its credentials unencrypted (5.5-1).",
          "Stream over RTSPS / SRTP, or keep RTSP off the network by default.", Severity::kMedium),
      RunRtsp);
}

}  // namespace iotcop
