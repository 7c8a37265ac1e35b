// fw.comms.cleartext-and-tls: what the image's configs say about how the product communicates:
// cleartext endpoints for cloud, MQTT, update and other services, TLS certificate verification
// switched off, obsolete protocol versions and weak ciphers. One finding per URL or setting.
#include <fmt/format.h>

#include "core/check.h"
#include "core/fact_kinds.h"

namespace iotcop {
namespace {

class CommunicationSecurityCheck : public Check {
 public:
  const CheckDoc& doc() const override { return doc_; }

  Status Run(CheckContext& ctx) const override {
    const auto endpoints = ctx.facts().OfKind(facts::kEndpoint);
    const auto settings = ctx.facts().OfKind(facts::kCommSetting);
    bool weak_crypto = false, any = false;
    for (const Fact* f : endpoints) {
      const auto& v = f->value;
      if (v.value("tls", true)) continue;
      const std::string url = v.value("url", ""), purpose = v.value("purpose", "other");
      Finding fd;
      fd.title = fmt::format("cleartext {} endpoint {}", purpose, url);
      fd.message = fmt::format(
          "{} names {} ({}), which carries data without TLS: anyone on the path can read and "
          "change it{}.",
          v.value("file", ""), url, v.value("scheme", ""),
          purpose == "mqtt" ? ", including the device's credentials and commands" : "");
      fd.severity = purpose == "other" ? Severity::kLow : Severity::kMedium;
      fd.provisions = {"5.5-1"};
      fd.evidence.push_back(f->evidence);
      fd.facts.push_back(f->id);
      ctx.Report(std::move(fd), "endpoint:" + url);
      any = true;
    }
    for (const Fact* f : settings) {
      const auto& v = f->value;
      const std::string setting = v.value("setting", "");
      Finding fd;
      fd.evidence.push_back(f->evidence);
      fd.facts.push_back(f->id);
      if (setting == "tls-verification-off") {
        fd.title =
            fmt::format("TLS certificate verification switched off in {}", v.value("file", ""));
        fd.message = fmt::format(
            "`{}`: the connection accepts any certificate, so TLS does not "
            "protect against an attacker in the middle.",
            v.value("value", ""));
        fd.severity = Severity::kHigh;
        fd.provisions = {"5.5-1"};
      } else {
        fd.title = fmt::format("{} {} enabled in {}",
                               setting == "weak-cipher" ? "weak ciphers" : "obsolete protocol",
                               v.value("value", ""), v.value("file", ""));
        fd.message = fmt::format("{}: {}.", v.value("meaning", ""), v.value("value", ""));
        fd.severity = Severity::kMedium;
        fd.provisions = {"5.5-1", "5.5-2"};
        weak_crypto = true;
      }
      ctx.Report(std::move(fd), setting + ":" + v.value("file", "") + ":" + v.value("value", ""));
      any = true;
    }
    if (!any) {
      ctx.Inconclusive("5.5-1",
                       fmt::format("no cleartext endpoint, disabled certificate check or weak TLS "
                                   "setting among {} endpoints in the image; the traffic itself "
                                   "decides",
                                   endpoints.size()));
    }
    if (!weak_crypto) {
      ctx.Inconclusive("5.5-2",
                       "no obsolete TLS protocol or weak cipher configured; whether the "
                       "implementations are reviewed is for the declaration");
    }
    return Ok();
  }

 private:
  CheckDoc doc_{
      "fw.comms.cleartext-and-tls",
      "Cleartext endpoints, disabled TLS verification and weak TLS settings",
      {"5.5-1", "5.5-2"},
      {InputKind::kFirmware},
      {facts::kEndpoint, facts::kCommSetting},
      "Cloud, MQTT and update connections in cleartext, or over TLS that accepts any "
      "certificate or negotiates SSLv3/TLS 1.0 and broken ciphers, expose credentials, "
      "commands and firmware to anyone on the network path. An endpoint is a URL a program "
      "reads as an address: a configuration value, a string in code, a fetch command (wget, "
      "curl, uclient-fetch) or an opkg feed. URLs in comments (#, --, --[[ ]], //, /* */, "
      "<!-- -->), in documentation, licences, man pages, login banners and help pages, and "
      "strings inside binaries are references for people and are not judged here.",
      "Use TLS (https, mqtts on 8883) for every remote endpoint, keep certificate verification "
      "on with a pinned or system CA bundle, allow only TLS 1.2 and 1.3 and drop RC4, DES, "
      "NULL, EXPORT and MD5 cipher suites.",
      Severity::kMedium};
};

}  // namespace

std::unique_ptr<const Check> MakeCommunicationSecurityCheck() {
  return std::make_unique<CommunicationSecurityCheck>();
}

}  // namespace iotcop
