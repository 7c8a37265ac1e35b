// File: traffic/analyzer.cc
// Flows of one capture -> facts (traffic/analyzer.h): flow tracking, reassembly and the dispatch
// to the protocol analyzers of traffic/analyzers/analyzers.def.
#include "traffic/analyzer.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/fact_kinds.h"

namespace iotcop::traffic {
namespace {

constexpr int kDpiPackets = 32;
constexpr std::size_t kMaxMalformedReported = 10;

}  // namespace

// What the tracker keeps of a flow besides what the analyzers see (analyzers::FlowInfo).
struct Analyzer::Flow : analyzers::FlowInfo {
  Key key;
  std::uint64_t packets = 0;
  std::uint64_t bytes[2] = {0, 0};  // payload bytes client->server, server->client
  Stream stream[2];
  bool fin[2] = {false, false};
  bool rst = false;
  Dpi::FlowPtr dpi;
  int dpi_packets = 0;

  explicit Flow(std::uint64_t cap) : stream{Stream(cap), Stream(cap)} {}
};

struct Analyzer::Destination {
  std::set<std::string> names, protocols;
  std::uint64_t bytes_out = 0, bytes_in = 0, packets = 0, flows = 0, cleartext = 0, encrypted = 0,
                first_packet = 0;
};

std::size_t Analyzer::KeyHash::operator()(const Key& k) const {
  std::size_t h = 1469598103934665603ull;
  auto mix = [&h](const std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  mix(k.a.bytes.data(), k.a.version == 6 ? 16 : 4);
  mix(k.b.bytes.data(), k.b.version == 6 ? 16 : 4);
  const std::uint8_t rest[5] = {
      static_cast<std::uint8_t>(k.pa >> 8), static_cast<std::uint8_t>(k.pa),
      static_cast<std::uint8_t>(k.pb >> 8), static_cast<std::uint8_t>(k.pb), k.proto};
  mix(rest, 5);
  return h;
}

Analyzer::Analyzer(std::string capture, const Options& options, FactStore& facts,
                   std::vector<Problem>& problems)
    : capture_(std::move(capture)),
      options_(options),
      problems_(problems),
      cx_(capture_, options.max_items, facts) {
  if (!options_.device.empty()) filter_ = ParseAddress(options_.device, device_filter_);
#define IOTCOP_STREAM_ANALYZER(fn) stream_analyzers_.push_back(analyzers::fn());
#define IOTCOP_DATAGRAM_ANALYZER(fn) datagram_analyzers_.push_back(analyzers::fn());
#include "traffic/analyzers/analyzers.def"
#undef IOTCOP_STREAM_ANALYZER
#undef IOTCOP_DATAGRAM_ANALYZER
}

Analyzer::~Analyzer() = default;

void Analyzer::Malformed(std::uint64_t number, const Error& e) {
  ++stats_.malformed;
  if (stats_.malformed <= kMaxMalformedReported) {
    problems_.push_back({"warning", "capture", capture_, "", number,
                         fmt::format("packet {}: {} (at byte {} of the frame); skipped", number,
                                     e.what, e.offset.value_or(0))});
  }
}

void Analyzer::Add(std::uint64_t number, std::uint64_t time_us, const Packet& p) {
  if (!p.ip) return;
  ++stats_.ip_packets;
  if (filter_ && p.src != device_filter_ && p.dst != device_filter_) return;
  if ((p.protocol != kTcp && p.protocol != kUdp) || p.fragment) return;

  Key key{p.src, p.dst, p.sport, p.dport, p.protocol};
  if (std::tie(key.b, key.pb) < std::tie(key.a, key.pa)) {
    std::swap(key.a, key.b);
    std::swap(key.pa, key.pb);
  }
  auto it = flows_.find(key);
  if (it == flows_.end()) {
    const bool syn = p.protocol == kTcp && (p.tcp_flags & kSyn);
    if (p.protocol == kTcp && !syn && p.payload.empty()) return;  // a stray ACK after a close
    if (flows_.size() >= options_.max_flows) {
      ++stats_.flows_untracked;
      return;
    }
    auto f = std::make_unique<Flow>(options_.stream_cap);
    f->key = key;
    bool src_is_client = true;
    if (syn) {
      src_is_client = !(p.tcp_flags & kAck);
    } else if (p.sport < p.dport && p.sport < 1024) {
      src_is_client = false;  // mid-stream: the low port is the server's
    } else if (p.sport == 53 || p.sport == 5683 || p.sport == 123) {
      src_is_client = false;
    }
    f->client = src_is_client ? p.src : p.dst;
    f->server = src_is_client ? p.dst : p.src;
    f->cport = src_is_client ? p.sport : p.dport;
    f->sport = src_is_client ? p.dport : p.sport;
    f->proto = p.protocol;
    f->first_packet = number;
    if (filter_) {
      f->device = device_filter_;
      f->device_is_client = f->client == device_filter_;
    } else if (!IsPrivate(f->client) && IsPrivate(f->server)) {
      f->device = f->server;
      f->device_is_client = false;
    } else {
      f->device = f->client;
      f->device_is_client = true;
    }
    ++stats_.flows;
    it = flows_.emplace(key, std::move(f)).first;
  }
  Flow& f = *it->second;
  const bool from_client = p.src == f.client && p.sport == f.cport;
  const int dir = from_client ? 0 : 1;
  ++f.packets;
  f.bytes[dir] += p.payload.size();

  if (f.protocol.empty()) {
    if (!f.dpi) f.dpi = dpi_.NewFlow();
    const bool decided = dpi_.Process(*f.dpi, p.l3, time_us / 1000);
    if (decided || ++f.dpi_packets >= kDpiPackets) {
      f.protocol = dpi_.Name(*f.dpi);
      f.dpi.reset();
    }
  }

  if (p.protocol == kUdp) {
    const analyzers::Datagram d{f, p, from_client, number};
    for (const auto& a : datagram_analyzers_) {
      if (a->Applies(d)) a->Analyse(cx_, d);
    }
    return;
  }
  Stream& s = f.stream[dir];
  if (p.tcp_flags & kSyn) s.Syn(p.seq);
  if (!p.payload.empty()) {
    if (held_ + p.payload.size() > options_.memory_budget) {
      stats_.bytes_not_kept += p.payload.size();
    } else {
      const std::uint64_t before = s.held();
      s.Add(p.seq, p.payload, number);
      held_ = held_ + s.held() - before;
    }
  }
  if (p.tcp_flags & kFin) f.fin[dir] = true;
  if (p.tcp_flags & kRst) f.rst = true;
  if ((f.fin[0] && f.fin[1]) || f.rst) {
    Close(f);
    flows_.erase(it);
  }
}

Evidence analyzers::Context::At(const FlowInfo& f, std::uint64_t packet, std::string excerpt,
                                bool from_client) const {
  Evidence ev;
  ev.source = InputKind::kTraffic;
  ev.input = capture_;
  const char* proto = f.proto == kTcp ? "tcp" : "udp";
  ev.endpoint = from_client ? fmt::format("{} -> {}/{}", protocols::HostPort(f.client, f.cport),
                                          protocols::HostPort(f.server, f.sport), proto)
                            : fmt::format("{} -> {}/{}", protocols::HostPort(f.server, f.sport),
                                          protocols::HostPort(f.client, f.cport), proto);
  if (packet) ev.packet = packet;
  ev.excerpt = BoundExcerpt(excerpt);
  return ev;
}

void analyzers::Context::AddFact(const char* kind, nlohmann::json value, Evidence ev) {
  std::size_t& n = per_kind_[kind];
  if (n >= max_items_) {
    ++dropped_[kind];
    return;
  }
  ++n;
  value["capture"] = capture_;
  if (ev.packet) value["packet"] = *ev.packet;
  facts_.Add(kind, std::move(value), std::move(ev), "traffic");
}

void Analyzer::AnalyseStreams(Flow& f) {
  f.stream[0].Flush();
  f.stream[1].Flush();
  analyzers::Conversation c{f, f.stream[0], f.stream[1]};
  for (const auto& a : stream_analyzers_) {
    if (a->Applies(c) && a->Analyse(cx_, c) == analyzers::Next::kStop) break;
  }
}

void Analyzer::Close(Flow& f) {
  if (f.protocol.empty() && f.dpi) {
    f.protocol = dpi_.Name(*f.dpi);
    f.dpi.reset();
  }
  if (f.protocol.empty()) f.protocol = "Unknown";
  if (f.proto == kTcp) {
    AnalyseStreams(f);
  } else {
    f.encrypted = analyzers::EncryptedProtocol(f.protocol);
    for (const auto& a : datagram_analyzers_) a->End(cx_, f);
  }
  for (int d = 0; d < 2; ++d) {
    stats_.bytes_not_kept += f.stream[d].beyond_cap();
    held_ -= std::min(held_, f.stream[d].held());
    f.stream[d].Release();
  }
  DestKey dk{f.device, f.device_is_client ? f.server : f.client, f.sport, f.proto,
             !f.device_is_client};
  auto& slot = destinations_[dk];
  if (!slot) {
    slot = std::make_unique<Destination>();
    slot->first_packet = f.first_packet;
  }
  Destination& d = *slot;
  if (!f.name.empty() && d.names.size() < 16) d.names.insert(f.name);
  if (d.protocols.size() < 16) d.protocols.insert(f.protocol);
  d.bytes_out += f.device_is_client ? f.bytes[0] : f.bytes[1];
  d.bytes_in += f.device_is_client ? f.bytes[1] : f.bytes[0];
  d.packets += f.packets;
  d.flows += 1;
  (f.encrypted ? d.encrypted : d.cleartext) += 1;
  d.first_packet = std::min(d.first_packet, f.first_packet);
}

void Analyzer::Finish() {
  // Flows still open at the end of the capture, in the order they started.
  std::vector<Flow*> open;
  for (auto& [k, f] : flows_) open.push_back(f.get());
  std::sort(open.begin(), open.end(),
            [](const Flow* a, const Flow* b) { return a->first_packet < b->first_packet; });
  for (Flow* f : open) Close(*f);
  flows_.clear();

  for (const auto& [k, d] : destinations_) {
    std::vector<std::string> names(d->names.begin(), d->names.end());
    if (auto it = cx_.dns_names.find(k.peer);
        it != cx_.dns_names.end() && !d->names.count(it->second))
      names.push_back(it->second);
    const std::string proto = k.proto == kTcp ? "tcp" : "udp";
    std::string protocol = d->protocols.empty() ? "Unknown" : *d->protocols.begin();
    for (const auto& p : d->protocols)
      if (p != "Unknown") protocol = p;
    const std::string name = names.empty() ? "" : names.front();
    Evidence ev;
    ev.source = InputKind::kTraffic;
    ev.input = capture_;
    ev.endpoint = k.inbound ? fmt::format("{} -> {}/{}", protocols::HostPort(k.peer, 0),
                                          protocols::HostPort(k.device, k.port), proto)
                            : fmt::format("{} -> {}/{}", ToString(k.device),
                                          protocols::HostPort(k.peer, k.port), proto);
    ev.packet = d->first_packet;
    ev.excerpt =
        fmt::format("{} {}{} {}: {} bytes out, {} bytes in, {} packets, {} flow(s), {}",
                    k.inbound ? "from" : "to", name.empty() ? "" : name + " ",
                    protocols::HostPort(k.peer, k.port), protocol, d->bytes_out, d->bytes_in,
                    d->packets, d->flows, d->cleartext ? "cleartext" : "encrypted");
    cx_.AddFact(facts::kDestination,
                {{"device", ToString(k.device)},
                 {"address", ToString(k.peer)},
                 {"port", k.port},
                 {"transport", proto},
                 {"direction", k.inbound ? "inbound" : "outbound"},
                 {"name", name},
                 {"names", names},
                 {"protocol", protocol},
                 {"protocols", d->protocols},
                 {"encrypted", d->cleartext == 0},
                 {"cleartext_flows", d->cleartext},
                 {"encrypted_flows", d->encrypted},
                 {"bytes_out", d->bytes_out},
                 {"bytes_in", d->bytes_in},
                 {"packets", d->packets},
                 {"flows", d->flows},
                 {"first_packet", d->first_packet}},
                std::move(ev));
  }
  for (const auto& [kind, n] : cx_.dropped()) {
    problems_.push_back({"warning", "capture", capture_, "", std::nullopt,
                         fmt::format("{} more {} facts not kept (limit {} per capture)", n, kind,
                                     options_.max_items)});
  }
  if (stats_.flows_untracked) {
    problems_.push_back({"warning", "capture", capture_, "", std::nullopt,
                         fmt::format("{} flows not tracked: more than {} open at once",
                                     stats_.flows_untracked, options_.max_flows)});
  }
  if (stats_.malformed > kMaxMalformedReported) {
    problems_.push_back({"warning", "capture", capture_, "", std::nullopt,
                         fmt::format("{} malformed packets in all (the first {} are listed)",
                                     stats_.malformed, kMaxMalformedReported)});
  }
}

std::vector<std::string> Analyzer::Devices() const {
  std::set<std::string> out;
  for (const auto& [k, d] : destinations_) out.insert(ToString(k.device));
  return {out.begin(), out.end()};
}

}  // namespace iotcop::traffic
