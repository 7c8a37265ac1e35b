// File: traffic/analyzers/dns.cc
// DNS and mDNS answers (datagrams from port 53 or 5353): the A/AAAA records name the addresses
// they give, and those names join the destination facts (Context::dns_names, at most 100000).
#include "protocols/dns.h"
#include "traffic/analyzers/analyzer.h"

namespace iotcop::traffic::analyzers {
namespace {

constexpr std::size_t kMaxDnsNames = 100000;

class DnsAnalyzer : public DatagramAnalyzer {
 public:
  bool Applies(const Datagram& d) const override {
    return d.packet.sport == 53 || d.packet.sport == 5353;
  }
  void Analyse(Context& cx, const Datagram& d) override {
    if (cx.dns_names.size() >= kMaxDnsNames) return;
    for (auto& a : protocols::ParseDnsResponse(d.packet.payload))
      cx.dns_names.emplace(a.address, std::move(a.name));
  }
  void End(Context&, FlowInfo&) override {}
};

}  // namespace

std::unique_ptr<DatagramAnalyzer> MakeDnsAnalyzer() { return std::make_unique<DnsAnalyzer>(); }

}  // namespace iotcop::traffic::analyzers
