// File: traffic/analyzers/encrypted.cc
// Encrypted protocols other than TLS on a TCP flow (SSH, QUIC, OpenVPN... as nDPI names them):
// the flow is encrypted and the cleartext analyzers below this one do not read it. The tracker
// asks the same question of UDP flows (EncryptedProtocol).
#include "traffic/analyzers/analyzer.h"

namespace iotcop::traffic::analyzers {

bool EncryptedProtocol(std::string_view name) {
  for (const char* p : {"TLS", "SSH", "QUIC", "DTLS", "IPSec", "WireGuard", "OpenVPN", "IMAPS",
                        "POPS", "SMTPS", "FTPS"}) {
    if (name.find(p) != std::string_view::npos) return true;
  }
  return false;
}

namespace {

class EncryptedAnalyzer : public StreamAnalyzer {
 public:
  bool Applies(const Conversation& c) const override { return EncryptedProtocol(c.flow.protocol); }
  Next Analyse(Context&, Conversation& c) override {
    c.flow.encrypted = true;
    return Next::kStop;
  }
};

}  // namespace

std::unique_ptr<StreamAnalyzer> MakeEncryptedAnalyzer() {
  return std::make_unique<EncryptedAnalyzer>();
}

}  // namespace iotcop::traffic::analyzers
