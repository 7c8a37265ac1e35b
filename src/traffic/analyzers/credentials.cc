// File: traffic/analyzers/credentials.cc
// Credentials sent in cleartext, whatever the protocol (telnet, FTP, POP3, IMAP, SMTP, HTTP, MQTT:
// FindCredentials recognises each): one cleartext_credential fact each, the secret redacted.
#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "traffic/analyzers/analyzer.h"
#include "traffic/parsers.h"

namespace iotcop::traffic::analyzers {
namespace {

class CredentialsAnalyzer : public StreamAnalyzer {
 public:
  bool Applies(const Conversation&) const override { return true; }

  Next Analyse(Context& cx, Conversation& c) override {
    const FlowInfo& f = c.flow;
    for (const auto& cred : FindCredentials(c.client.data(), c.server.data(), f.sport)) {
      cx.AddFact(facts::kCleartextCredential,
                 {{"protocol", cred.protocol},
                  {"method", cred.method},
                  {"user", cred.user},
                  {"secret", Redact(cred.secret)},
                  {"device", ToString(f.device)},
                  {"server", ToString(f.server)},
                  {"port", f.sport}},
                 cx.At(f, c.client.PacketAt(cred.offset),
                       fmt::format("{} {}: user {}, secret {}", cred.protocol, cred.method,
                                   cred.user.empty() ? "(none)" : cred.user, Redact(cred.secret)),
                       true));
    }
    return Next::kContinue;
  }
};

}  // namespace

std::unique_ptr<StreamAnalyzer> MakeCredentialsAnalyzer() {
  return std::make_unique<CredentialsAnalyzer>();
}

}  // namespace iotcop::traffic::analyzers
