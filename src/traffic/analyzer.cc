// File: traffic/analyzer.cc
// Flows of one capture -> facts (traffic/analyzer.h).
#include "traffic/analyzer.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/fact_kinds.h"
#include "firmware/keyparse.h"
#include "protocols/coap.h"
#include "protocols/dns.h"
#include "protocols/mqtt.h"
#include "protocols/tls.h"
#include "traffic/parsers.h"

namespace iotcop::traffic {
namespace {

constexpr int kDpiPackets = 32;
constexpr std::size_t kMaxDnsNames = 100000;
constexpr std::size_t kMaxMalformedReported = 10;

bool EncryptedProtocol(std::string_view name) {
  for (const char* p : {"TLS", "SSH", "QUIC", "DTLS", "IPSec", "WireGuard", "OpenVPN", "IMAPS",
                        "POPS", "SMTPS", "FTPS"}) {
    if (name.find(p) != std::string_view::npos) return true;
  }
  return false;
}

std::string LowerCopy(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Why a download looks like firmware ("" when it does not): its path, its type or its magic.
std::string FirmwareLike(std::string_view path, std::string_view content_type,
                         std::string_view body_start) {
  const std::string p = LowerCopy(path.substr(0, path.find('?')));
  for (const char* ext : {".bin", ".img", ".trx", ".fw", ".chk", ".ipk", ".swu", ".mender",
                          ".raucb", ".hex", ".ota", ".pkg", ".upd", ".itb", ".ubi"}) {
    if (p.ends_with(ext)) return fmt::format("the file name ends in {}", ext);
  }
  for (const char* word : {"firmware", "upgrade", "update", "/ota", "sysupgrade", "fwupd"}) {
    if (p.find(word) != std::string::npos) return fmt::format("the path mentions {}", word);
  }
  const std::string_view b = body_start;
  if (b.starts_with("\x27\x05\x19\x56")) return "the body is a U-Boot uImage";
  if (b.starts_with("\xd0\x0d\xfe\xed")) return "the body is a FIT/device-tree image";
  if (b.starts_with("hsqs") || b.starts_with("sqsh")) return "the body is a SquashFS image";
  if (b.starts_with("HDR0")) return "the body is a TRX image";
  if (b.starts_with("UBI#")) return "the body is a UBI image";
  if (LowerCopy(content_type).find("octet-stream") != std::string::npos)
    return "the content type is application/octet-stream";
  return {};
}

// The field name before a value at `off` (back to the previous separator, at most 24 bytes) and the
// value redacted: `"psk":"co…(21 chars, redacted)`. Nothing else of the payload, so no other
// secret or personal data near it can leak into the excerpt.
std::string RedactedExcerpt(std::string_view text, std::uint64_t off, std::string_view value) {
  const std::size_t at = static_cast<std::size_t>(std::min<std::uint64_t>(off, text.size()));
  std::size_t b = at;
  while (b > 0 && at - b < 24) {
    const char c = text[b - 1];
    if (c == '&' || c == ',' || c == '{' || c == '\n' || c == '?' || c == ';') break;
    --b;
  }
  // A field's hit is at its key: show the key and what separates it from the value.
  std::size_t v = value.empty() ? std::string_view::npos : text.find(value, at);
  if (v == std::string_view::npos || v - at > 80) v = at;
  std::string out(text.substr(b, v - b));
  for (auto& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return BoundExcerpt(out + Redact(value));
}

}  // namespace

struct Analyzer::Flow {
  Key key;
  Address client, server, device;
  std::uint16_t cport = 0, sport = 0;
  std::uint8_t proto = 0;
  bool device_is_client = true;
  std::uint64_t first_packet = 0, packets = 0;
  std::uint64_t bytes[2] = {0, 0};  // payload bytes client->server, server->client
  Stream stream[2];
  bool fin[2] = {false, false};
  bool rst = false;
  Dpi::FlowPtr dpi;
  int dpi_packets = 0;
  std::string protocol;
  std::string name;  // SNI or HTTP Host
  bool encrypted = false;
  // CoAP datagrams seen on this (UDP) flow.
  std::uint64_t coap_messages = 0, coap_bytes = 0, coap_packet = 0;
  std::set<std::string> coap_uris;

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
    : capture_(std::move(capture)), options_(options), facts_(facts), problems_(problems) {
  if (!options_.device.empty()) filter_ = ParseAddress(options_.device, device_filter_);
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
    Datagram(f, p, from_client, number);
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

Evidence Analyzer::At(const Flow& f, std::uint64_t packet, std::string excerpt,
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

void Analyzer::AddFact(const char* kind, nlohmann::json value, Evidence ev) {
  std::size_t& n = per_kind_[kind];
  if (n >= options_.max_items) {
    ++dropped_[kind];
    return;
  }
  ++n;
  value["capture"] = capture_;
  if (ev.packet) value["packet"] = *ev.packet;
  facts_.Add(kind, std::move(value), std::move(ev), "traffic");
}

void Analyzer::PersonalDataIn(const Flow& f, std::string_view text, const Stream* stream,
                              std::string protocol, std::uint64_t packet) {
  for (const auto& hit : FindPersonalData(text, 16)) {
    const std::uint64_t pkt = stream ? stream->PacketAt(hit.offset) : packet;
    const bool sent = f.device_is_client;  // the device's own direction is scanned
    AddFact(facts::kPersonalData,
            {{"type", hit.type},
             {"value", Redact(hit.value)},
             {"protocol", protocol},
             {"device", ToString(f.device)},
             {"peer", ToString(f.device_is_client ? f.server : f.client)},
             {"port", f.sport},
             {"direction", sent ? "sent" : "received"}},
            At(f, pkt, RedactedExcerpt(text, hit.offset, hit.value), f.device_is_client));
  }
}

void Analyzer::Datagram(Flow& f, const Packet& p, bool from_client, std::uint64_t number) {
  if ((p.sport == 53 || p.sport == 5353) && dns_names_.size() < kMaxDnsNames) {
    for (auto& a : protocols::ParseDnsResponse(p.payload))
      dns_names_.emplace(a.address, std::move(a.name));
  }
  if (p.dport == 5683 || p.sport == 5683) {
    auto m = protocols::ParseCoap(p.payload);
    const bool from_device = from_client == f.device_is_client;
    if (m && from_device) {
      ++f.coap_messages;
      f.coap_bytes += p.payload.size();
      if (!f.coap_packet) f.coap_packet = number;
      if (f.coap_uris.size() < 32 && !m->uri.empty()) f.coap_uris.insert(m->uri);
      if (!m->payload.empty()) PersonalDataIn(f, m->payload, nullptr, "coap", number);
    }
  }
}

void Analyzer::AnalyseTcp(Flow& f) {
  Stream& cs = f.stream[0];
  Stream& ss = f.stream[1];
  cs.Flush();
  ss.Flush();
  const std::string_view client = cs.data(), server = ss.data();
  const std::string device = ToString(f.device), server_addr = ToString(f.server);
  if (protocols::LooksLikeTls(client) || protocols::LooksLikeTls(server)) {
    protocols::TlsInfo tls;
    protocols::ParseTlsClient(client, tls);
    protocols::ParseTlsServer(server, tls);
    f.encrypted = true;
    if (!tls.sni.empty()) f.name = tls.sni;
    if (!tls.client_hello && !tls.server_hello) return;
    nlohmann::json certs = nlohmann::json::array();
    for (const auto& der : tls.certificates) {
      for (const auto& c : firmware::FindCertificates(der))
        certs.push_back(firmware::CertificateFields(c));
    }
    nlohmann::json offered = nlohmann::json::array();
    for (auto v : tls.offered_versions) offered.push_back(protocols::TlsVersionName(v));
    const std::string version = tls.server_hello ? protocols::TlsVersionName(tls.version) : "";
    const std::string cipher = tls.server_hello ? TlsCipherName(tls.cipher) : "";
    AddFact(facts::kTlsSession,
            {{"device", device},
             {"server", server_addr},
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
            At(f, tls.server_hello ? ss.PacketAt(0) : cs.PacketAt(0),
               fmt::format("TLS handshake: SNI {}, {} {}", tls.sni.empty() ? "(none)" : tls.sni,
                           version.empty() ? "(no ServerHello)" : version, cipher),
               !tls.server_hello));
    return;
  }
  if (EncryptedProtocol(f.protocol)) {
    f.encrypted = true;
    return;
  }

  // HTTP: names, downloads, telemetry, personal data.
  const auto requests = ParseHttpRequests(client);
  const auto responses = ParseHttpResponses(server);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const HttpRequest& r = requests[i];
    const HttpResponse* resp = i < responses.size() ? &responses[i] : nullptr;
    if (f.name.empty() && !r.host.empty())
      f.name = r.host.substr(0, r.host.rfind(':') == std::string::npos || r.host.front() == '['
                                    ? r.host.size()
                                    : r.host.rfind(':'));
    const std::string host = r.host.empty() ? server_addr : r.host;
    const std::string url =
        r.target.starts_with("http://") ? r.target : "http://" + host + r.target;
    const std::uint64_t pkt = cs.PacketAt(r.offset);
    if (r.method == "GET") {
      const std::string why =
          FirmwareLike(r.target, resp ? resp->content_type : "", resp ? resp->body_start : "");
      if (!why.empty()) {
        AddFact(facts::kPlainDownload,
                {{"protocol", "http"},
                 {"url", url},
                 {"host", host},
                 {"path", r.target},
                 {"method", r.method},
                 {"status", resp ? resp->status : 0},
                 {"content_type", resp ? resp->content_type : ""},
                 {"bytes", resp ? resp->content_length : 0},
                 {"firmware_like", true},
                 {"why", why},
                 {"device", device},
                 {"server", server_addr},
                 {"port", f.sport}},
                At(f, pkt, fmt::format("GET {} Host: {}", r.target, r.host), true));
      }
    }
    if (!r.body.empty() && (r.method == "POST" || r.method == "PUT")) {
      AddFact(facts::kCleartextTelemetry,
              {{"protocol", "http"},
               {"device", device},
               {"server", server_addr},
               {"port", f.sport},
               {"name", host},
               {"topics", {r.target.substr(0, r.target.find('?'))}},
               {"messages", 1},
               {"bytes", r.body.size()}},
              At(f, pkt,
                 fmt::format("{} {} ({} bytes)", r.method, r.target.substr(0, 120), r.body.size()),
                 true));
    }
    PersonalDataIn(f, r.body, &cs, "http", pkt);
    PersonalDataIn(f, r.target, nullptr, "http", pkt);
  }

  // MQTT: publications are telemetry.
  if (requests.empty() && !client.empty() && static_cast<unsigned char>(client[0]) == 0x10) {
    std::set<std::string> topics;
    std::uint64_t messages = 0, bytes = 0, first = 0;
    for (const auto& m : protocols::ParseMqtt(client)) {
      if (m.type != 3) continue;
      ++messages;
      bytes += m.payload.size();
      if (!first) first = cs.PacketAt(m.offset);
      if (topics.size() < 32) topics.insert(m.topic);
      PersonalDataIn(f, m.payload, nullptr, "mqtt", cs.PacketAt(m.offset));
    }
    if (messages) {
      AddFact(facts::kCleartextTelemetry,
              {{"protocol", "mqtt"},
               {"device", device},
               {"server", server_addr},
               {"port", f.sport},
               {"name", ""},
               {"topics", topics},
               {"messages", messages},
               {"bytes", bytes}},
              At(f, first, fmt::format("MQTT PUBLISH {} ({} messages)", *topics.begin(), messages),
                 true));
    }
  }

  // FTP downloads: RETR on a control connection.
  if (server.starts_with("220")) {
    std::size_t pos = 0;
    for (int n = 0; n < 64 && (pos = client.find("RETR ", pos)) != std::string_view::npos; ++n) {
      if (pos != 0 && client[pos - 1] != '\n') {
        pos += 5;
        continue;
      }
      const std::size_t e = client.find_first_of("\r\n", pos);
      const std::string file(client.substr(pos + 5, std::min<std::size_t>(e - pos - 5, 1024)));
      const std::string why = FirmwareLike(file, "", "");
      const std::string url =
          fmt::format("ftp://{}/{}", server_addr, file.starts_with("/") ? file.substr(1) : file);
      AddFact(facts::kPlainDownload,
              {{"protocol", "ftp"},
               {"url", url},
               {"host", server_addr},
               {"path", file},
               {"method", "RETR"},
               {"status", 0},
               {"content_type", ""},
               {"bytes", 0},
               {"firmware_like", !why.empty()},
               {"why", why},
               {"device", device},
               {"server", server_addr},
               {"port", f.sport}},
              At(f, cs.PacketAt(pos), "RETR " + file, true));
      pos += 5;
    }
  }

  // Credentials, whatever the protocol.
  for (const auto& c : FindCredentials(client, server, f.sport)) {
    AddFact(facts::kCleartextCredential,
            {{"protocol", c.protocol},
             {"method", c.method},
             {"user", c.user},
             {"secret", Redact(c.secret)},
             {"device", device},
             {"server", server_addr},
             {"port", f.sport}},
            At(f, cs.PacketAt(c.offset),
               fmt::format("{} {}: user {}, secret {}", c.protocol, c.method,
                           c.user.empty() ? "(none)" : c.user, Redact(c.secret)),
               true));
  }

  // Personal data in other cleartext payloads (the device's own direction).
  if (requests.empty() && !(client.size() && static_cast<unsigned char>(client[0]) == 0x10)) {
    const Stream& out = f.device_is_client ? cs : ss;
    PersonalDataIn(f, out.data(), &out, f.protocol, 0);
  }
}

void Analyzer::Close(Flow& f) {
  if (f.protocol.empty() && f.dpi) {
    f.protocol = dpi_.Name(*f.dpi);
    f.dpi.reset();
  }
  if (f.protocol.empty()) f.protocol = "Unknown";
  if (f.proto == kTcp) {
    AnalyseTcp(f);
  } else {
    f.encrypted = EncryptedProtocol(f.protocol);
    if (f.coap_messages) {
      AddFact(facts::kCleartextTelemetry,
              {{"protocol", "coap"},
               {"device", ToString(f.device)},
               {"server", ToString(f.device_is_client ? f.server : f.client)},
               {"port", f.sport},
               {"name", ""},
               {"topics", f.coap_uris},
               {"messages", f.coap_messages},
               {"bytes", f.coap_bytes}},
              At(f, f.coap_packet,
                 fmt::format("CoAP {} messages to {}", f.coap_messages,
                             f.coap_uris.empty() ? "/" : *f.coap_uris.begin()),
                 f.device_is_client));
    }
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
    if (auto it = dns_names_.find(k.peer); it != dns_names_.end() && !d->names.count(it->second))
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
    AddFact(facts::kDestination,
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
  for (const auto& [kind, n] : dropped_) {
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
