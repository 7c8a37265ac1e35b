// File: traffic/analyzers/tls.cc
// TLS: a flow either of whose directions starts like a TLS record is encrypted and named by its
// SNI; its handshake (ClientHello, ServerHello and, up to TLS 1.2, the server's certificates)
// becomes a tls_session fact. Nothing else reads the flow.
#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "credentials/keys.h"
#include "protocols/tls.h"
#include "traffic/analyzers/analyzer.h"
#include "traffic/dpi.h"

namespace iotcop::traffic::analyzers {
namespace {

class TlsAnalyzer : public StreamAnalyzer {
 public:
  bool Applies(const Conversation& c) const override {
    return protocols::LooksLikeTls(c.client.data()) || protocols::LooksLikeTls(c.server.data());
  }

  Next Analyse(Context& cx, Conversation& c) override {
    FlowInfo& f = c.flow;
    protocols::TlsInfo tls;
    protocols::ParseTlsClient(c.client.data(), tls);
    protocols::ParseTlsServer(c.server.data(), tls);
    f.encrypted = true;
    if (!tls.sni.empty()) f.name = tls.sni;
    if (!tls.client_hello && !tls.server_hello) return Next::kStop;
    nlohmann::json certs = nlohmann::json::array();
    for (const auto& der : tls.certificates) {
      for (const auto& cert : credentials::FindCertificates(der))
        certs.push_back(credentials::CertificateFields(cert));
    }
    nlohmann::json offered = nlohmann::json::array();
    for (auto v : tls.offered_versions) offered.push_back(protocols::TlsVersionName(v));
    const std::string version = tls.server_hello ? protocols::TlsVersionName(tls.version) : "";
    const std::string cipher = tls.server_hello ? TlsCipherName(tls.cipher) : "";
    cx.AddFact(
        facts::kTlsSession,
        {{"device", ToString(f.device)},
         {"server", ToString(f.server)},
         {"port", f.sport},
         {"sni", tls.sni},
         {"alpn", tls.alpn},
         {"client_version", protocols::TlsVersionName(tls.client_version)},
         {"offered_versions", offered},
         {"version", version},
         {"version_id", tls.version},
         {"cipher", cipher},
         {"cipher_id", tls.cipher},
         {"weak_cipher", tls.server_hello && WeakTlsCipher(tls.cipher)},
         {"certificates", certs}},
        cx.At(f, tls.server_hello ? c.server.PacketAt(0) : c.client.PacketAt(0),
              fmt::format("TLS handshake: SNI {}, {} {}", tls.sni.empty() ? "(none)" : tls.sni,
                          version.empty() ? "(no ServerHello)" : version, cipher),
              !tls.server_hello));
    return Next::kStop;
  }
};

}  // namespace

std::unique_ptr<StreamAnalyzer> MakeTlsAnalyzer() { return std::make_unique<TlsAnalyzer>(); }

}  // namespace iotcop::traffic::analyzers
