// File: traffic/analyzers/dns.cc
// DNS (port 53) and mDNS (5353). The A/AAAA records of every answer name the addresses they give,
// and those names join the destination facts (Context::dns_names, at most 100000). Lookups over
// port 53 are facts of their own: one `dns_lookup` per name asked on a flow when the flow ends
// (the question, the addresses and CNAME targets of the answers, the response code, how often it
// was asked), which tells a privacy review which services the device resolves even when the
// connection that follows is encrypted. mDNS is announcements, not lookups: names only.
#include <fmt/format.h>

#include <set>
#include <unordered_map>

#include "core/fact_kinds.h"
#include "protocols/dns.h"
#include "traffic/analyzers/analyzer.h"

namespace iotcop::traffic::analyzers {
namespace {

constexpr std::size_t kMaxDnsNames = 100000;
constexpr std::size_t kMaxNamesPerFlow = 16, kMaxAnswersPerName = 16;

const char* RcodeName(int rcode) {
  switch (rcode) {
    case 0:
      return "NOERROR";
    case 1:
      return "FORMERR";
    case 2:
      return "SERVFAIL";
    case 3:
      return "NXDOMAIN";
    case 5:
      return "REFUSED";
    default:
      return "other";
  }
}

class DnsAnalyzer : public DatagramAnalyzer {
 public:
  bool Applies(const Datagram& d) const override {
    return d.packet.sport == 53 || d.packet.sport == 5353 || d.packet.dport == 53;
  }
  void Analyse(Context& cx, const Datagram& d) override {
    const ByteView payload = d.packet.payload;
    if (d.packet.sport == 53 || d.packet.sport == 5353) {
      if (cx.dns_names.size() < kMaxDnsNames) {
        for (auto& a : protocols::ParseDnsResponse(payload))
          cx.dns_names.emplace(a.address, std::move(a.name));
      }
    }
    if (d.packet.sport != 53 && d.packet.dport != 53) return;
    const auto m = protocols::ReadDnsMessage(payload);
    if (!m || m->questions.empty()) return;
    auto& names = flows_[d.flow.first_packet];
    const std::string& q = m->questions.front();
    auto it = names.find(q);
    if (it == names.end()) {
      if (names.size() >= kMaxNamesPerFlow) return;
      it = names.emplace(q, Lookup{}).first;
      it->second.packet = d.number;
    }
    Lookup& l = it->second;
    if (!m->response()) {
      ++l.queries;
      return;
    }
    l.answered = true;
    l.rcode = m->flags & 0x0f;
    for (const auto& rec : m->records) {
      if (rec.section != 1 || l.answers.size() >= kMaxAnswersPerName) break;
      Address a;
      if (rec.type == 1 && rec.rdata.size() == 4) {
        a.version = 4;
        std::copy(rec.rdata.begin(), rec.rdata.end(), a.bytes.begin());
        l.answers.insert(ToString(a));
      } else if (rec.type == 28 && rec.rdata.size() == 16) {
        a.version = 6;
        std::copy(rec.rdata.begin(), rec.rdata.end(), a.bytes.begin());
        l.answers.insert(ToString(a));
      } else if (rec.type == 5) {  // CNAME: the name the question is an alias of
        ByteReader r(payload);
        if (r.Skip(rec.rdata_offset)) {
          if (auto target = protocols::ReadDnsName(payload, r)) l.answers.insert(*target);
        }
      }
    }
  }
  void End(Context& cx, FlowInfo& f) override {
    auto it = flows_.find(f.first_packet);
    if (it == flows_.end()) return;
    for (const auto& [name, l] : it->second) {
      const std::vector<std::string> answers(l.answers.begin(), l.answers.end());
      std::string excerpt =
          fmt::format("{} {}", name, l.answered ? RcodeName(l.rcode) : "(no answer)");
      for (const auto& a : answers) excerpt += " " + a;
      cx.AddFact(facts::kDnsLookup,
                 {{"device", ToString(f.device)},
                  {"server", ToString(f.device_is_client ? f.server : f.client)},
                  {"port", f.sport},
                  {"name", name},
                  {"answers", answers},
                  {"answered", l.answered},
                  {"rcode", l.answered ? RcodeName(l.rcode) : ""},
                  {"queries", l.queries}},
                 cx.At(f, l.packet, excerpt, f.device_is_client));
    }
    flows_.erase(it);
  }

 private:
  struct Lookup {
    std::uint64_t packet = 0, queries = 0;
    bool answered = false;
    int rcode = 0;
    std::set<std::string> answers;
  };
  // Open DNS flows by their first packet (FlowInfo::first_packet), names in the order of the
  // map (one fact each at the flow's end).
  std::unordered_map<std::uint64_t, std::map<std::string, Lookup>> flows_;
};

}  // namespace

std::unique_ptr<DatagramAnalyzer> MakeDnsAnalyzer() { return std::make_unique<DnsAnalyzer>(); }

}  // namespace iotcop::traffic::analyzers
